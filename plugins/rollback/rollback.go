// Package rollback holds `kubectl mig rollback`: MTC's rollback through the
// controller (a MigMigration with rollback: true, followed and verified),
// and the manual rollback for when the controller cannot do it.
package rollback

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-mig/kubectl-mig/engine/migration"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	engrollback "github.com/kubectl-mig/kubectl-mig/engine/rollback"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/migrate"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// Options are the inputs of `rollback`.
type Options struct {
	env *cli.Env

	Plan                 string
	Manual               bool
	Wait                 bool
	Timeout              time.Duration
	VerifyTimeout        time.Duration
	Name                 string
	RestoreReclaimPolicy bool
	DryRunValue          string
	Output               string

	dryRun cmdkit.DryRun
}

// NewCmdRollback returns `rollback`.
func NewCmdRollback(env *cli.Env) *cobra.Command {
	o := &Options{env: env, VerifyTimeout: 2 * time.Minute}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "rollback PLAN",
		Short: "Roll back a migration: through the MTC controller, or by hand with --manual",
		Long: `Roll back the migrations of a plan.

Without --manual, create a MigMigration with rollback: true, as MTC's
documentation describes; the controller deletes the migrated resources on the
destination and restarts the application on the source. With --wait it is
followed like 'migrate --wait', and afterwards the result is verified: no
resource labelled migration.openshift.io/migrated-by-migplan=<plan UID> left on
the destination, source workloads unquiesced and ready.

With --manual, do what the documentation's manual rollback does, directly on
both clusters, for when the controller cannot: delete stage pods in the plan's
namespaces (application pods MTC borrowed as stage pods only lose MTC's
labels); on the source, unquiesce every workload MTC quiesced, restoring
exactly what its annotations recorded (Deployment and DeploymentConfig
replicas and paused, StatefulSet and ReplicaSet replicas, DaemonSet node
selector, CronJob suspend, Job parallelism) and remove those annotations;
with --restore-reclaim-policy, restore PV reclaim policies from
migration.openshift.io/orig-reclaim-policy. Workloads MTC did not quiesce are
never touched; copies left stopped on the destination are reported, not
started. The transfer resources a failed direct volume migration leaves for
debugging are listed with the command that removes them. Every change is a
patch guarded by the object's resourceVersion; a rerun after an interruption
finishes the job and reports what was already done. --dry-run prints every
action and changes nothing.

` + migrate.ExitCodesHelp,
		Example: `  # Roll back through the controller and verify the result
  ` + name + ` rollback shop --wait

  # See what a manual rollback would do, then do it
  ` + name + ` rollback shop --manual --dry-run
  ` + name + ` rollback shop --manual --restore-reclaim-policy`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: plan.CompletePlanNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
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
	f.BoolVar(&o.Manual, "manual", false, "roll back directly on the clusters, without the MTC controller")
	f.BoolVar(&o.Wait, "wait", false, "follow the rollback migration until it finishes, then verify the result")
	f.DurationVar(&o.Timeout, "timeout", 0, "with --wait, give up waiting after this long (0: no limit)")
	f.DurationVar(&o.VerifyTimeout, "verify-timeout", o.VerifyTimeout, "with --wait, how long to wait for source workloads to be ready again")
	f.StringVar(&o.Name, "name", "", "name of the rollback MigMigration (default: generated)")
	f.BoolVar(&o.RestoreReclaimPolicy, "restore-reclaim-policy", false, "with --manual, also restore PV reclaim policies MTC's Velero plugin set to Retain")
	f.StringVarP(&o.Output, "output", "o", "", "with --manual, print the rollback plan and its results as json or yaml")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

// Complete reads the arguments.
func (o *Options) Complete(args []string) error {
	o.Plan = args[0]
	var err error
	o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue)
	return err
}

// Validate checks flag combinations.
func (o *Options) Validate() error {
	switch {
	case o.Manual && (o.Wait || o.Name != "" || o.Timeout != 0):
		return cli.Usagef("--wait, --timeout and --name apply to the controller rollback, not --manual")
	case !o.Manual && (o.RestoreReclaimPolicy || o.Output != ""):
		return cli.Usagef("--restore-reclaim-policy and -o apply to --manual")
	case !o.Wait && o.Timeout != 0:
		return cli.Usagef("--timeout applies to --wait")
	case o.Wait && o.dryRun != cmdkit.DryRunNone:
		return cli.Usagef("--wait cannot be combined with --dry-run")
	case o.Output != "" && o.Output != "json" && o.Output != "yaml":
		return cli.Usagef("-o must be json or yaml")
	}
	return nil
}

// Run rolls back.
func (o *Options) Run(ctx context.Context) error {
	if o.Manual {
		return o.runManual(ctx)
	}
	return o.runController(ctx)
}

func (o *Options) runController(ctx context.Context) error {
	opts := migration.Options{Namespace: o.env.MigNamespace(), Plan: o.Plan, Name: o.Name, Rollback: true}
	if o.dryRun != cmdkit.DryRunNone {
		return o.dryRunController(ctx, opts)
	}
	_, p, err := migrate.CreateAndWait(ctx, o.env, opts, o.Wait, migrate.WaitConfig{Timeout: o.Timeout})
	if err != nil || p == nil {
		return err
	}
	return o.verify(ctx)
}

func (o *Options) dryRunController(ctx context.Context, opts migration.Options) error {
	out := cmdkit.NewOutput("created", false)
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(o.env.Streams.ErrOut, "dry run (client): no cluster was contacted; skipped: plan %s exists, is open and Ready\n", o.Plan)
		return out.Print(o.env.Streams.Out, migration.Build(opts), o.dryRun)
	}
	a, err := o.env.Access()
	if err != nil {
		return err
	}
	m, err := migration.Create(ctx, a.Host().Dynamic, opts, true)
	if err != nil {
		return err
	}
	return out.Print(o.env.Streams.Out, m, o.dryRun)
}

// verify checks what MTC's documentation asks to check after a rollback,
// polling while only readiness is missing (pods take a moment to start).
func (o *Options) verify(ctx context.Context) error {
	a, err := o.env.Access()
	if err != nil {
		return err
	}
	p, err := engplan.Get(ctx, a.Host().Dynamic, a.Namespace(), o.Plan)
	if err != nil {
		return err
	}
	src, dst, err := a.Plan(ctx, p)
	if err != nil {
		return err
	}
	cl := engrollback.Clusters{Source: src, Destination: dst}
	fmt.Fprintf(o.env.Streams.ErrOut, "verifying the rollback on clusters %s and %s...\n", src.Name, dst.Name)
	var v *engrollback.Verification
	vctx, cancel := context.WithTimeout(ctx, o.VerifyTimeout)
	defer cancel()
	err = wait.PollUntilContextCancel(vctx, 2*time.Second, true, func(ctx context.Context) (bool, error) {
		v, err = engrollback.Verify(ctx, cl, p)
		if err != nil {
			return false, err
		}
		return v.OK() || len(v.DestinationRemaining) > 0 || len(v.SourceQuiesced) > 0, nil
	})
	if v == nil || (err != nil && vctx.Err() == nil) {
		return fmt.Errorf("verify the rollback: %w", err)
	}
	writeVerification(o.env.Streams.Out, v)
	if !v.OK() {
		return cli.WithExitCode(cli.ExitFailure, nil)
	}
	return nil
}

func writeVerification(w io.Writer, v *engrollback.Verification) {
	check := func(ok bool, text string) {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "[%s] %s\n", mark, text)
	}
	check(len(v.DestinationRemaining) == 0, fmt.Sprintf("migrated resources gone from destination %s (%d left)", v.Destination, len(v.DestinationRemaining)))
	for _, r := range v.DestinationRemaining {
		fmt.Fprintf(w, "       - %s\n", r)
	}
	check(len(v.SourceQuiesced) == 0, fmt.Sprintf("no workload left quiesced on source %s (%d left)", v.Source, len(v.SourceQuiesced)))
	for _, r := range v.SourceQuiesced {
		fmt.Fprintf(w, "       - %s\n", r)
	}
	check(len(v.SourceNotReady) == 0, fmt.Sprintf("source workloads running again on %s (%d ready, %d not ready)", v.Source, v.SourceRunning, len(v.SourceNotReady)))
	for _, s := range v.SourceNotReady {
		fmt.Fprintf(w, "       - %s: %d/%d ready\n", s.ObjectRef, s.Ready, s.Desired)
	}
	for _, p := range v.Partial {
		fmt.Fprintf(w, "       (not checked: %s)\n", p)
	}
}

func (o *Options) runManual(ctx context.Context) error {
	a, err := o.env.Access()
	if err != nil {
		return err
	}
	p, err := engplan.Get(ctx, a.Host().Dynamic, a.Namespace(), o.Plan)
	if err != nil {
		return err
	}
	src, dst, err := a.Plan(ctx, p)
	if err != nil {
		return err
	}
	cl := engrollback.Clusters{Source: src, Destination: dst}
	pl, err := engrollback.PlanManual(ctx, cl, p, engrollback.Options{RestoreReclaimPolicy: o.RestoreReclaimPolicy, CLI: cli.Parent(o.env.Getenv)})
	if err != nil {
		return err
	}
	var applyErr error
	switch o.dryRun {
	case cmdkit.DryRunClient:
		for i := range pl.Actions {
			if pl.Actions[i].State == engrollback.StatePending {
				pl.Actions[i].State = engrollback.StateWouldDo
			}
		}
	default:
		if pending := pl.Count(engrollback.StatePending); pending > 0 && o.Output == "" {
			fmt.Fprintf(o.env.Streams.ErrOut, "rolling back plan %s by hand: %d action(s) on clusters %s and %s%s\n",
				o.Plan, pending, src.Name, dst.Name, o.dryRun.Suffix())
		}
		applyErr = engrollback.Apply(ctx, cl, pl, engrollback.ApplyOptions{
			DryRun:   o.dryRun == cmdkit.DryRunServer,
			OnAction: func(act engrollback.Action) { o.progress(act) },
		})
	}
	if err := plan.PrintStructured(o.env.Streams.Out, o.Output, pl, func(w io.Writer) { writeManual(w, pl, o.dryRun) }); err != nil {
		return err
	}
	if applyErr != nil {
		return applyErr
	}
	if pl.Count(engrollback.StateFailed) > 0 {
		return fmt.Errorf("%d action(s) cannot be done automatically; see the table above", pl.Count(engrollback.StateFailed))
	}
	return nil
}

// progress reports one applied action on stderr.
func (o *Options) progress(a engrollback.Action) {
	if o.Output != "" {
		return
	}
	msg := a.Detail
	if a.Error != "" {
		msg = a.Error
	}
	fmt.Fprintf(o.env.Streams.ErrOut, "  %s %s on %s: %s (%s)\n", a.Verb, a.Ref(), a.Cluster, msg, a.State)
}

// writeManual prints one table of actions per cluster, then the leftovers.
func writeManual(w io.Writer, pl *engrollback.Plan, dry cmdkit.DryRun) {
	title := "Manual rollback of plan " + pl.MigPlan
	if dry != cmdkit.DryRunNone {
		title += dry.Suffix() + ": nothing was changed"
	}
	fmt.Fprintln(w, title)
	byCluster := map[string][]engrollback.Action{}
	var order []string
	for _, a := range pl.Actions {
		key := string(a.Side) + " cluster " + a.Cluster
		if _, ok := byCluster[key]; !ok {
			order = append(order, key)
		}
		byCluster[key] = append(byCluster[key], a)
	}
	sort.SliceStable(order, func(i, j int) bool {
		return strings.HasPrefix(order[i], "source") && !strings.HasPrefix(order[j], "source")
	})
	for _, key := range order {
		fmt.Fprintf(w, "\n%s:\n", strings.ToUpper(key[:1])+key[1:])
		t := cmdkit.NewTable(w, "  NAMESPACE", "KIND", "NAME", "ACTION", "DETAIL", "RESULT")
		for _, a := range byCluster[key] {
			result := string(a.State)
			if a.Error != "" {
				result += ": " + a.Error
			}
			t.Row("  "+dash(a.Namespace), a.Kind, a.Name, string(a.Verb), dash(a.Detail), result)
		}
		_ = t.Flush()
	}
	for _, n := range pl.Notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	if len(pl.Leftovers) > 0 {
		fmt.Fprintln(w, "\nLeft in place (not changed by the rollback):")
		t := cmdkit.NewTable(w, "  CLUSTER", "NAMESPACE", "KIND", "NAME", "WHY")
		for _, l := range pl.Leftovers {
			t.Row("  "+l.Cluster, l.Namespace, l.Kind, l.Name, l.Reason)
		}
		_ = t.Flush()
	}
	if len(pl.Cleanup) > 0 {
		fmt.Fprintln(w, "\nRemove the transfer resources once you no longer need them for debugging:")
		for _, c := range pl.Cleanup {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
	fmt.Fprintf(w, "\nSummary: %d done, %d already done, %d would do, %d skipped, %d failed, %d not done\n",
		pl.Count(engrollback.StateDone), pl.Count(engrollback.StateAlreadyDone), pl.Count(engrollback.StateWouldDo),
		pl.Count(engrollback.StateSkipped), pl.Count(engrollback.StateFailed), pl.Count(engrollback.StatePending))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
