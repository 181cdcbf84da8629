package karmada

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	engine "github.com/kubectl-mig/kubectl-mig/engine/karmada"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// RollbackOptions are the flags of `karmada rollback`.
type RollbackOptions struct {
	genericiooptions.IOStreams
	access *Access

	Policy  string
	DryRun  string
	Output  string
	Wait    bool
	Timeout time.Duration

	cfg      engine.RollbackConfig
	karmada  *engine.Cluster
	interval time.Duration
}

// NewCmdRollback builds `karmada rollback`.
func NewCmdRollback(env *cli.Env, access *Access) *cobra.Command {
	o := &RollbackOptions{IOStreams: env.Streams, access: access, Timeout: 5 * time.Minute, interval: 2 * time.Second}
	cmd := &cobra.Command{
		Use:   "rollback --policy NAME [-n NAMESPACE]",
		Short: "Hand a migration's objects back to the member cluster, keeping them running",
		Long: `Undo a migration in the only safe order:

  1. set preserveResourcesOnDeletion: true on the policy;
  2. wait until every ResourceBinding and Work shows it (if Karmada does not
     catch up within --timeout, nothing is deleted);
  3. delete the resource templates the policy selects (Karmada then releases
     the member objects instead of deleting them);
  4. verify that the member objects still exist and their pods were not
     restarted (with --wait: once Karmada has released them, and report the
     labels and annotations Karmada leaves behind);
  5. delete the policy last: deleting a policy rolls nothing back.

--policy names the PropagationPolicy in the namespace and the
ClusterPropagationPolicy of the same migration. Namespace templates are kept:
deleting one would delete the member's namespace. Every step is idempotent:
after an interruption, run the command again to finish.`,
		Example: `  # See what would be done
  ` + env.Name() + ` karmada rollback --policy nginx-pp -n shop --dry-run

  # Roll back, wait for Karmada to release the objects, and verify them
  ` + env.Name() + ` karmada rollback --policy nginx-pp -n shop --wait`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(args); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Policy, "policy", "", "the migration's policy name (required)")
	f.StringVar(&access.Cluster, "cluster", "", "a member cluster, as Karmada names it, to reach with --cluster-context")
	f.StringVar(&access.ClusterContext, "cluster-context", "", "kubeconfig context of --cluster (default: contexts named after the members)")
	addDryRunFlag(cmd, &o.DryRun)
	f.StringVarP(&o.Output, "output", "o", "", "print the plan (dry run) or the result as yaml or json")
	f.BoolVar(&o.Wait, "wait", false, "wait for Karmada to release the member objects, verify them and report leftovers")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long each wait may take")
	addIntervalFlag(cmd, &o.interval)
	return cmd
}

// Validate checks the flags; it makes no API call.
func (o *RollbackOptions) Validate(args []string) error {
	if len(args) > 0 {
		return cli.Usagef("unexpected arguments %q: name the policy with --policy", args)
	}
	if o.Policy == "" {
		return cli.Usagef("--policy is required")
	}
	dry, err := engine.ParseDryRun(o.DryRun)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if o.Output != "" && o.Output != "yaml" && o.Output != "json" {
		return cli.Usagef("--output must be yaml or json, not %q", o.Output)
	}
	if o.Wait && dry != engine.DryRunNone {
		return cli.Usagef("--wait follows a real rollback: drop --dry-run, or --wait")
	}
	if o.Timeout <= 0 || o.interval <= 0 {
		return cli.Usagef("--timeout and --interval must be positive")
	}
	if o.access.ClusterContext != "" && o.access.Cluster == "" {
		return cli.Usagef("--cluster-context needs --cluster: the member it reaches")
	}
	o.cfg = engine.RollbackConfig{Policy: o.Policy, DryRun: dry, Wait: o.Wait, Timeout: o.Timeout, Interval: o.interval}
	return nil
}

// Complete resolves the namespace and the Karmada API server.
func (o *RollbackOptions) Complete() error {
	var err error
	o.karmada, o.cfg.Namespace, err = o.access.Karmada()
	return err
}

// Run plans, then (unless a dry run) rolls back and reports.
func (o *RollbackOptions) Run(ctx context.Context) error {
	plan, err := engine.PlanRollback(ctx, o.karmada, o.cfg)
	if err != nil {
		return err
	}
	if len(plan.Policies) == 0 {
		fmt.Fprintf(o.ErrOut, "Nothing to roll back: neither PropagationPolicy %s/%s nor ClusterPropagationPolicy %s exists on the Karmada API server (already rolled back?)\n",
			o.cfg.Namespace, o.Policy, o.Policy)
		return nil
	}
	if o.cfg.DryRun != engine.DryRunNone {
		if o.Output != "" {
			return printData(o.Out, o.Output, plan)
		}
		fmt.Fprintf(o.Out, "Rollback of %s%s:\n", policyList(plan), dryRunSuffix(o.cfg.DryRun))
		for i, s := range plan.Steps() {
			fmt.Fprintf(o.Out, "  %d. %s\n", i+1, s)
		}
		if o.cfg.DryRun == engine.DryRunClient {
			return nil
		}
	}
	if o.Output == "" {
		o.cfg.Progress = func(e engine.RollbackEvent) { printEvent(o.Out, e) }
	}
	for _, k := range plan.Kept {
		fmt.Fprintf(o.ErrOut, "Keeping %s: %s\n", k.Ref, k.Reason)
	}
	res, err := engine.ApplyRollback(ctx, o.karmada, o.access.Member, plan, o.cfg)
	if res != nil && o.cfg.DryRun == engine.DryRunNone {
		if perr := o.report(res); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	return podsError(res)
}

func policyList(plan *engine.RollbackPlan) string {
	var names []string
	for _, p := range plan.Policies {
		names = append(names, p.Ref.String())
	}
	return strings.Join(names, " and ")
}

func printEvent(w io.Writer, e engine.RollbackEvent) {
	if e.Object == "" {
		fmt.Fprintf(w, "%s: %s\n", e.Step, e.Result)
		return
	}
	fmt.Fprintf(w, "%s %s: %s\n", e.Step, e.Object, e.Result)
}

func (o *RollbackOptions) report(res *engine.RollbackResult) error {
	if o.Output != "" {
		return printData(o.Out, o.Output, res)
	}
	for _, c := range res.Unverified {
		fmt.Fprintf(o.ErrOut, "Warning: the member objects on %s were not verified (no access); pass --cluster %s --cluster-context CONTEXT\n", c, c)
	}
	if len(res.Members) == 0 {
		return nil
	}
	t := newTable(o.Out, "CLUSTER", "OBJECT", "EXISTS", "PODS-UNCHANGED", "LEFTOVERS")
	for _, m := range res.Members {
		pods := ""
		if m.Pods != nil {
			pods = yesNo(m.Pods.Unchanged)
			if !m.Pods.Unchanged {
				pods += " (" + m.Pods.Detail + ")"
			}
		}
		left := strings.Join(m.Leftovers, ", ")
		if !o.Wait {
			left = "(use --wait)"
		}
		t.add(m.Cluster, m.Ref.String(), yesNo(m.Exists), pods, left)
	}
	return t.flush()
}

// podsError turns restarted pods into a failure exit code: the rollback
// itself is done, but the user must know.
func podsError(res *engine.RollbackResult) error {
	var changed []string
	for _, m := range res.Members {
		if m.Pods != nil && !m.Pods.Unchanged {
			changed = append(changed, m.Ref.String()+" on "+m.Cluster+": "+m.Pods.Detail)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return errors.New("the rollback is done, but pods were replaced or restarted meanwhile: " + strings.Join(changed, "; "))
}
