// Package migrate holds `kubectl mig migrate` (run a plan, optionally
// following it to its outcome), `migrate cancel`, and `kubectl mig
// migration list|describe`.
package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/migration"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// MigrateOptions are the inputs of `migrate`.
type MigrateOptions struct {
	env *cli.Env

	Plan            string
	Stage           bool
	Quiesce         bool
	KeepAnnotations bool
	Verify          bool
	Name            string
	Wait            bool
	Timeout         time.Duration
	Strict          bool
	DryRunValue     string

	quiesceSet bool
	dryRun     cmdkit.DryRun
	output     *cmdkit.Output
}

// NewCmdMigrate returns `migrate` with its `cancel` subcommand.
func NewCmdMigrate(env *cli.Env) *cobra.Command {
	o := &MigrateOptions{env: env, Quiesce: true, output: cmdkit.NewOutput("created", false)}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "migrate PLAN",
		Short: "Run a migration plan (stage or cutover) and optionally follow it to its outcome",
		Long: `Create a MigMigration for a plan. A cutover (the default) stops the application
on the source (--quiesce, on by default) and moves it; --stage copies data
while the application keeps running. The plan must be open and Ready: if it is
not, nothing is created and the plan's blocking conditions are listed.

With --wait the migration is followed to its real outcome: phase and step
n/total, pipeline steps with their progress, warnings as they appear. On
failure the failed step and the controller's errors are printed.

` + ExitCodesHelp,
		Example: `  # Cutover, following it to the end
  ` + name + ` migrate shop --wait

  # Copy data ahead of the cutover, leaving the application running
  ` + name + ` migrate shop --stage --wait --timeout 2h

  # Fail a pipeline on warnings too
  ` + name + ` migrate shop --wait --strict`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: plan.CompletePlanNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.quiesceSet = cmd.Flags().Changed("quiesce")
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Stage, "stage", false, "stage migration: copy data without stopping the application")
	f.BoolVar(&o.Quiesce, "quiesce", true, "stop the application on the source before copying data (cutover only)")
	f.BoolVar(&o.KeepAnnotations, "keep-annotations", false, "keep the labels and annotations MTC adds during the migration")
	f.BoolVar(&o.Verify, "verify", false, "check the health of migrated pods on the destination afterwards")
	f.StringVar(&o.Name, "name", "", "name of the MigMigration (default: generated from the plan name)")
	f.BoolVar(&o.Wait, "wait", false, "follow the migration until it finishes")
	f.DurationVar(&o.Timeout, "timeout", 0, "with --wait, give up waiting after this long (0: no limit); the migration goes on")
	f.BoolVar(&o.Strict, "strict", false, "with --wait, exit 3 when the migration succeeds with warnings")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	cmd.AddCommand(NewCmdCancel(env))
	return cmd
}

// Complete reads the arguments.
func (o *MigrateOptions) Complete(args []string) error {
	o.Plan = args[0]
	var err error
	o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue)
	return err
}

// Validate checks flag combinations.
func (o *MigrateOptions) Validate() error {
	switch {
	case o.Stage && o.quiesceSet && o.Quiesce:
		return cli.Usagef("--quiesce applies to cutover migrations; a --stage migration leaves the application running")
	case !o.Wait && (o.Timeout != 0 || o.Strict):
		return cli.Usagef("--timeout and --strict apply to --wait")
	case o.Wait && o.dryRun != cmdkit.DryRunNone:
		return cli.Usagef("--wait cannot be combined with --dry-run")
	case o.Timeout < 0:
		return cli.Usagef("--timeout must not be negative")
	}
	return o.output.Validate()
}

func (o *MigrateOptions) options() migration.Options {
	return migration.Options{
		Namespace: o.env.MigNamespace(), Plan: o.Plan, Name: o.Name, Stage: o.Stage,
		QuiescePods: o.Quiesce && !o.Stage, KeepAnnotations: o.KeepAnnotations, Verify: o.Verify,
	}
}

// Run creates the migration and, with --wait, follows it.
func (o *MigrateOptions) Run(ctx context.Context) error {
	return run(ctx, o.env, o.options(), o.dryRun, o.output, o.Wait, WaitConfig{Timeout: o.Timeout, Strict: o.Strict})
}

// run is shared with rollback: create, print, optionally follow.
func run(ctx context.Context, env *cli.Env, opts migration.Options, dry cmdkit.DryRun, out *cmdkit.Output, wait bool, cfg WaitConfig) error {
	if dry == cmdkit.DryRunClient {
		fmt.Fprintf(env.Streams.ErrOut, "dry run (client): no cluster was contacted; skipped: plan %s exists, is open and Ready\n", opts.Plan)
		return out.Print(env.Streams.Out, migration.Build(opts), dry)
	}
	h, err := hostClient(env)
	if err != nil {
		return err
	}
	m, err := migration.Create(ctx, h, opts, dry == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if err := out.Print(env.Streams.Out, m, dry); err != nil {
		return err
	}
	if !wait {
		return nil
	}
	_, err = Wait(ctx, env, h, opts.Namespace, m.Name, cfg)
	return err
}

// CreateAndWait creates a migration (rollback uses it) and, when wait is
// set, follows it; it returns the name and the final Progress.
func CreateAndWait(ctx context.Context, env *cli.Env, opts migration.Options, wait bool, cfg WaitConfig) (string, *migration.Progress, error) {
	h, err := hostClient(env)
	if err != nil {
		return "", nil, err
	}
	m, err := migration.Create(ctx, h, opts, false)
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintf(env.Streams.Out, "migmigration.migration.openshift.io/%s created\n", m.Name)
	if !wait {
		return m.Name, nil, nil
	}
	p, err := Wait(ctx, env, h, opts.Namespace, m.Name, cfg)
	return m.Name, &p, err
}

func hostClient(env *cli.Env) (dynamic.Interface, error) {
	a, err := env.Access()
	if err != nil {
		return nil, err
	}
	return a.Host().Dynamic, nil
}

// CancelOptions are the inputs of `migrate cancel`.
type CancelOptions struct {
	env         *cli.Env
	Name        string
	Wait        bool
	Timeout     time.Duration
	DryRunValue string
	dryRun      cmdkit.DryRun
}

// NewCmdCancel returns `migrate cancel`.
func NewCmdCancel(env *cli.Env) *cobra.Command {
	o := &CancelOptions{env: env}
	cmd := &cobra.Command{
		Use:   "cancel MIGRATION",
		Short: "Cancel a running migration (sets spec.canceled; MTC cleans up and restarts the source application)",
		Example: `  # Cancel and wait for MTC to finish cleaning up
  ` + env.Name() + ` migrate cancel shop-final-x7k2p --wait`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompleteMigrationNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			var err error
			if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
				return err
			}
			if o.Wait && o.dryRun != cmdkit.DryRunNone {
				return cli.Usagef("--wait cannot be combined with --dry-run")
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&o.Wait, "wait", false, "follow the migration until the cancel completes")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "with --wait, give up waiting after this long (0: no limit)")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

// Run cancels the migration.
func (o *CancelOptions) Run(ctx context.Context) error {
	ref := "migmigration.migration.openshift.io/" + o.Name
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(o.env.Streams.Out, "%s cancel requested%s\n", ref, o.dryRun.Suffix())
		return nil
	}
	h, err := hostClient(o.env)
	if err != nil {
		return err
	}
	already, err := migration.Cancel(ctx, h, o.env.MigNamespace(), o.Name, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if already {
		fmt.Fprintf(o.env.Streams.Out, "%s cancel already requested\n", ref)
	} else {
		fmt.Fprintf(o.env.Streams.Out, "%s cancel requested%s\n", ref, o.dryRun.Suffix())
	}
	if !o.Wait {
		return nil
	}
	_, err = Wait(ctx, o.env, h, o.env.MigNamespace(), o.Name, WaitConfig{Timeout: o.Timeout})
	if cli.ExitCode(err) == ExitCanceled {
		return nil // that is what was asked for
	}
	return err
}
