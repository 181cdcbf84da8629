package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// ValidateOptions are the inputs of `plan validate`.
type ValidateOptions struct {
	env         *cli.Env
	Name        string
	Timeout     time.Duration
	DryRunValue string
	dryRun      cmdkit.DryRun
}

// NewCmdValidate returns `plan validate`.
func NewCmdValidate(env *cli.Env) *cobra.Command {
	o := &ValidateOptions{env: env, Timeout: 2 * time.Minute}
	cmd := &cobra.Command{
		Use:   "validate NAME",
		Short: "Ask the controller to re-validate a plan, wait for it and print the result",
		Long: `Set spec.refresh on the plan so that the MTC controller validates it again and
rediscovers its persistent volumes, wait until it has (it clears spec.refresh
when done) and print the plan's conditions, with what appeared and cleared.
Exits 0 when the plan is Ready and 1 when it is not.`,
		Example: `  # Re-check a plan after fixing a namespace or a cluster
  ` + env.Name() + ` plan validate shop`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompletePlanNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			var err error
			if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "how long to wait for the controller")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

// Run refreshes the plan and reports.
func (o *ValidateOptions) Run(ctx context.Context) error {
	out := o.env.Streams.Out
	ns := o.env.MigNamespace()
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(out, "migplan.migration.openshift.io/%s would be refreshed (spec.refresh: true)%s\n", o.Name, o.dryRun.Suffix())
		return nil
	}
	h, err := host(o.env)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if o.dryRun == cmdkit.DryRunNone {
		fmt.Fprintf(o.env.Streams.ErrOut, "waiting up to %s for the controller to validate plan %s...\n", o.Timeout, o.Name)
	}
	res, err := engplan.Refresh(ctx, h, ns, o.Name, engplan.RefreshOptions{DryRun: o.dryRun == cmdkit.DryRunServer})
	if err != nil {
		return err
	}
	if o.dryRun == cmdkit.DryRunServer {
		fmt.Fprintf(out, "migplan.migration.openshift.io/%s refreshed%s\n", o.Name, o.dryRun.Suffix())
		return nil
	}
	writeRefresh(out, o.Name, res)
	if !res.Ready() {
		return cli.WithExitCode(cli.ExitFailure, nil)
	}
	return nil
}

func writeRefresh(w io.Writer, name string, res *engplan.RefreshResult) {
	if res.Ready() {
		fmt.Fprintf(w, "plan %s is Ready\n", name)
	} else {
		fmt.Fprintf(w, "plan %s is NOT Ready\n", name)
	}
	if len(res.Appeared) > 0 {
		fmt.Fprintf(w, "new conditions: %s\n", strings.Join(res.Appeared, ", "))
	}
	if len(res.Cleared) > 0 {
		fmt.Fprintf(w, "cleared conditions: %s\n", strings.Join(res.Cleared, ", "))
	}
	for _, g := range engplan.GroupConditions(res.After) {
		fmt.Fprintf(w, "%s:\n", g.Category)
		t := cmdkit.NewTable(w)
		for _, c := range g.Conditions {
			t.Row("  "+c.Type, c.Message)
		}
		_ = t.Flush()
	}
}

// LifecycleOptions are the inputs of `plan close` and `plan delete`.
type LifecycleOptions struct {
	env         *cli.Env
	Name        string
	Force       bool
	DryRunValue string
	dryRun      cmdkit.DryRun
}

// NewCmdClose returns `plan close`.
func NewCmdClose(env *cli.Env) *cobra.Command {
	o := &LifecycleOptions{env: env}
	cmd := &cobra.Command{
		Use:   "close NAME",
		Short: "Close a plan: no further migrations, and MTC removes the plan's helper resources",
		Example: `  # After a successful final migration
  ` + env.Name() + ` plan close shop`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompletePlanNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(args); err != nil {
				return err
			}
			return o.RunClose(cmd.Context())
		},
	}
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

// NewCmdDelete returns `plan delete`.
func NewCmdDelete(env *cli.Env) *cobra.Command {
	o := &LifecycleOptions{env: env}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a plan; its migrations (MigMigrations) are deleted with it",
		Long: `Delete a MigPlan. MTC deletes the plan's MigMigrations with it, and with them
the record of what ran: they are listed on stderr before deletion. A plan with
a migration still running is refused unless --force is given.`,
		Example: `  # Delete a plan and its migration history
  ` + env.Name() + ` plan delete shop`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompletePlanNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(args); err != nil {
				return err
			}
			return o.RunDelete(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "delete even when a migration of the plan is still running")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

func (o *LifecycleOptions) complete(args []string) error {
	o.Name = args[0]
	var err error
	o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue)
	return err
}

// RunClose closes the plan.
func (o *LifecycleOptions) RunClose(ctx context.Context) error {
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(o.env.Streams.Out, "migplan.migration.openshift.io/%s closed%s\n", o.Name, o.dryRun.Suffix())
		return nil
	}
	h, err := host(o.env)
	if err != nil {
		return err
	}
	already, err := engplan.Close(ctx, h, o.env.MigNamespace(), o.Name, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if already {
		fmt.Fprintf(o.env.Streams.Out, "migplan.migration.openshift.io/%s already closed\n", o.Name)
		return nil
	}
	fmt.Fprintf(o.env.Streams.Out, "migplan.migration.openshift.io/%s closed%s\n", o.Name, o.dryRun.Suffix())
	return nil
}

// RunDelete deletes the plan.
func (o *LifecycleOptions) RunDelete(ctx context.Context) error {
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(o.env.Streams.Out, "migplan.migration.openshift.io/%s deleted%s\n", o.Name, o.dryRun.Suffix())
		return nil
	}
	h, err := host(o.env)
	if err != nil {
		return err
	}
	res, err := engplan.Delete(ctx, h, o.env.MigNamespace(), o.Name, o.Force, o.dryRun == cmdkit.DryRunServer)
	if res != nil && len(res.Migrations) > 0 && (err == nil || !errors.Is(err, engplan.ErrMigrationRunning)) {
		names := make([]string, 0, len(res.Migrations))
		for _, m := range res.Migrations {
			names = append(names, fmt.Sprintf("%s (%s %s)", m.Name, m.Kind, m.Outcome))
		}
		verb := "are deleted"
		if o.dryRun != cmdkit.DryRunNone {
			verb = "would be deleted"
		}
		fmt.Fprintf(o.env.Streams.ErrOut, "Warning: the plan's %d migration(s) %s with it: %s\n", len(names), verb, strings.Join(names, ", "))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.env.Streams.Out, "migplan.migration.openshift.io/%s deleted%s\n", o.Name, o.dryRun.Suffix())
	return nil
}

// blockerLines renders conditions one per line for error messages.
func blockerLines(cs []mtc.Condition) string {
	lines := make([]string, 0, len(cs))
	for _, c := range cs {
		lines = append(lines, fmt.Sprintf("  - %s (%s): %s", c.Type, c.Category, c.Message))
	}
	return strings.Join(lines, "\n")
}
