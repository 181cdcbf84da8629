package karmada

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	engine "github.com/kubectl-mig/kubectl-mig/engine/karmada"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// MigrateOptions are the flags of `karmada migrate`.
type MigrateOptions struct {
	genericiooptions.IOStreams
	access *Access

	Kinds     []string
	App       string
	Resources []string
	AllKinds  bool
	Name      string
	Preserve  bool
	DryRun    string
	Output    string
	Wait      bool
	Timeout   time.Duration

	// Resolved by Complete.
	cfg     engine.MigrateConfig
	dry     engine.DryRun
	karmada *engine.Cluster
	member  *engine.Cluster
	// interval between observations of --wait (tests shorten it).
	interval time.Duration
	cli      string // "kubectl mig" or "oc mig"
}

// NewCmdMigrate builds `karmada migrate`.
func NewCmdMigrate(env *cli.Env, access *Access) *cobra.Command {
	o := &MigrateOptions{IOStreams: env.Streams, access: access, Preserve: true, Timeout: 5 * time.Minute, interval: 2 * time.Second, cli: env.Name()}
	cmd := &cobra.Command{
		Use:   "migrate --cluster NAME (--kind GROUP/VERSION/KIND ... | --app NAME --resource GROUP/VERSION/KIND/NAME ... | --all-kinds) [-n NAMESPACE]",
		Short: "Let Karmada take over a member cluster's existing objects, without restarting pods",
		Long: `Let Karmada take over objects that already run in a member cluster.

The selected objects are read from the member, pruned the way karmadactl
promote prunes them (status, uid, resourceVersion, managedFields, owner
references, allocated cluster IPs, generated Job selectors, ...) and created on
the Karmada API server as resource templates; templates that already exist are
left alone and reported. Then a PropagationPolicy (a ClusterPropagationPolicy
for cluster-scoped objects) is written with conflictResolution: Overwrite,
placement.clusterAffinity.clusterNames: [the member], the resource selectors,
and preserveResourcesOnDeletion: true unless --preserve-on-deletion=false.

Nothing is written when Karmada does not serve a selected kind (install its CRD
there first), when a named object does not exist on the member, or when
another policy already claims (or would claim) the templates. Taking over a
Namespace is warned about: deleting its template would delete the member's
namespace and everything in it.

With --wait, the command follows the ResourceBindings and the member objects
until Karmada has adopted every object (karmada.io/managed=true), checks that
no pod was replaced or restarted, and prints a table per object.`,
		Example: `  # Migrate every Deployment of namespace shop from member1 (policy deployments-pp)
  ` + env.Name() + ` karmada migrate --cluster member1 -n shop --kind apps/v1/Deployment

  # Migrate every Service
  ` + env.Name() + ` karmada migrate --cluster member1 -n shop --kind v1/Service

  # Migrate one application: its Deployment and its Service (policy nginx-pp)
  ` + env.Name() + ` karmada migrate --cluster member1 -n shop --app nginx \
      --resource apps/v1/Deployment/nginx --resource v1/Service/nginx-svc --wait

  # Preview everything of a namespace, as YAML, without writing anything
  ` + env.Name() + ` karmada migrate --cluster member1 -n shop --all-kinds --dry-run=client -o yaml`,
		// Validate comes first: it needs no kubeconfig, and a usage error
		// must not hide behind a kubeconfig one.
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
	f.StringVar(&access.Cluster, "cluster", "", "the member cluster, as Karmada names it (required)")
	f.StringVar(&access.ClusterContext, "cluster-context", "", "kubeconfig context of the member cluster (default: the context named like --cluster)")
	f.StringArrayVar(&o.Kinds, "kind", nil, "take over every object of this kind, GROUP/VERSION/KIND or VERSION/KIND (repeatable)")
	f.StringVar(&o.App, "app", "", "the application's name, for the default policy name <app>-pp (with --resource)")
	f.StringArrayVar(&o.Resources, "resource", nil, "take over this object, GROUP/VERSION/KIND/NAME or VERSION/KIND/NAME (repeatable)")
	f.BoolVar(&o.AllKinds, "all-kinds", false, "take over every object of every kind in the namespace")
	f.StringVar(&o.Name, "name", "", "name of the policy (default: <plural kind>-pp, <app>-pp or <namespace>-pp)")
	f.BoolVar(&o.Preserve, "preserve-on-deletion", true, "write preserveResourcesOnDeletion: deleting a template later keeps the member object")
	addDryRunFlag(cmd, &o.DryRun)
	f.StringVarP(&o.Output, "output", "o", "", "print the objects to be written instead of a summary: yaml or json")
	f.BoolVar(&o.Wait, "wait", false, "follow the takeover until every object is adopted, and check the pods")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait waits")
	addIntervalFlag(cmd, &o.interval)
	return cmd
}

// addIntervalFlag exposes the polling interval of the waits, hidden: only
// tests and impatient debugging need it.
func addIntervalFlag(cmd *cobra.Command, v *time.Duration) {
	cmd.Flags().DurationVar(v, "interval", *v, "time between observations while waiting")
	_ = cmd.Flags().MarkHidden("interval")
}

func addDryRunFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "dry-run", "none", `"none", "client" (print, send nothing) or "server" (the API servers validate, nothing is persisted)`)
	cmd.Flags().Lookup("dry-run").NoOptDefVal = string(engine.DryRunClient)
}

// Validate checks the flags; it makes no API call.
func (o *MigrateOptions) Validate(args []string) error {
	if len(args) > 0 {
		return cli.Usagef("unexpected arguments %q: select objects with --kind, --resource or --all-kinds", args)
	}
	if o.access.Cluster == "" {
		return cli.Usagef("--cluster is required: the member cluster, as Karmada names it")
	}
	modes := 0
	for _, set := range []bool{len(o.Kinds) > 0, len(o.Resources) > 0, o.AllKinds} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return cli.Usagef("choose one of --kind, --resource (with --app) or --all-kinds")
	}
	if o.App != "" && len(o.Resources) == 0 {
		return cli.Usagef("--app needs the application's objects: --resource GROUP/VERSION/KIND/NAME ...")
	}
	if len(o.Resources) > 0 && o.App == "" && o.Name == "" {
		return cli.Usagef("--resource needs --app NAME (the policy is named <app>-pp) or --name POLICY")
	}
	var err error
	if o.dry, err = engine.ParseDryRun(o.DryRun); err != nil {
		return cli.Usagef("%v", err)
	}
	if o.Output != "" && o.Output != "yaml" && o.Output != "json" {
		return cli.Usagef("--output must be yaml or json, not %q", o.Output)
	}
	if o.Wait && o.dry != engine.DryRunNone {
		return cli.Usagef("--wait follows a real migration: drop --dry-run, or --wait")
	}
	if o.Timeout <= 0 || o.interval <= 0 {
		return cli.Usagef("--timeout and --interval must be positive")
	}
	sel, err := o.selection()
	if err != nil {
		return cli.Usagef("%v", err)
	}
	o.cfg = engine.MigrateConfig{Cluster: o.access.Cluster, Selection: sel, PolicyName: o.Name, PreserveResourcesOnDeletion: o.Preserve}
	return nil
}

func (o *MigrateOptions) selection() (engine.Selection, error) {
	var sel engine.Selection
	for _, k := range o.Kinds {
		spec, err := engine.ParseKind(k)
		if err != nil {
			return sel, fmt.Errorf("--kind %w", err)
		}
		sel.Kinds = append(sel.Kinds, spec)
	}
	for _, r := range o.Resources {
		spec, err := engine.ParseResource(r)
		if err != nil {
			return sel, fmt.Errorf("--resource %w", err)
		}
		sel.Resources = append(sel.Resources, spec)
	}
	sel.AllKinds = o.AllKinds
	return sel, nil
}

// Complete resolves the namespace, the policy name and the clusters.
func (o *MigrateOptions) Complete() error {
	var err error
	if o.karmada, o.cfg.Namespace, err = o.access.Karmada(); err != nil {
		return err
	}
	if o.member, err = o.access.Member(context.Background(), o.access.Cluster); err != nil {
		return err
	}
	if o.cfg.PolicyName == "" {
		o.cfg.PolicyName = engine.DefaultPolicyName(o.cfg.Selection, o.App, o.cfg.Namespace)
		if o.cfg.PolicyName == "" {
			return cli.Usagef("cannot derive a policy name from the selection: set --name")
		}
	}
	return nil
}

// Run plans, writes (unless a client dry run) and, with --wait, follows.
func (o *MigrateOptions) Run(ctx context.Context) error {
	plan, err := engine.PlanMigration(ctx, o.karmada, o.member, o.cfg)
	if err != nil {
		return err
	}
	o.printPlanNotes(plan)
	var progress func(engine.Change)
	if o.Output == "" {
		progress = func(c engine.Change) { printChange(o.Out, c, o.dry) }
	}
	if _, err := engine.ApplyMigration(ctx, o.karmada, plan, o.dry, progress); err != nil {
		return err
	}
	if o.Output != "" {
		objs, err := plan.Objects()
		if err != nil {
			return err
		}
		if err := printObjects(o.Out, o.Output, objs); err != nil {
			return err
		}
	}
	if !o.Wait {
		return nil
	}
	return o.follow(ctx, plan)
}

func (o *MigrateOptions) printPlanNotes(plan *engine.MigrationPlan) {
	fmt.Fprintf(o.ErrOut, "Taking over %d object(s) from %s with %s%s\n",
		len(plan.Templates), plan.Cluster, policyNames(plan.Policies), dryRunSuffix(o.dry))
	for _, w := range plan.Warnings {
		fmt.Fprintf(o.ErrOut, "Warning: %s\n", w)
	}
	for _, s := range plan.Skipped {
		fmt.Fprintf(o.ErrOut, "Skipped %s: %s\n", s.Ref, s.Reason)
	}
}

func policyNames(ps []engine.Policy) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Ref.String())
	}
	return strings.Join(names, " and ")
}

func dryRunSuffix(d engine.DryRun) string {
	if d == engine.DryRunNone {
		return ""
	}
	return " (" + string(d) + " dry run)"
}

func printChange(w io.Writer, c engine.Change, dry engine.DryRun) {
	line := c.Object + " " + c.Result
	if c.What != "policy" { // a policy's name already says what it is
		line = c.What + " " + line
	}
	if c.Result == engine.Created {
		line += dryRunSuffix(dry)
	}
	if c.Note != "" {
		line += ": " + c.Note
	}
	fmt.Fprintln(w, line)
}

// follow waits for the takeover and prints the table (on stderr when
// stdout carries -o output).
func (o *MigrateOptions) follow(ctx context.Context, plan *engine.MigrationPlan) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	last := ""
	rep, err := engine.Follow(ctx, o.karmada, o.member, plan, engine.FollowOptions{
		Interval: o.interval,
		Progress: func(r *engine.FollowReport) {
			if s := progressLine(r); s != last {
				fmt.Fprintln(o.ErrOut, s)
				last = s
			}
		},
	})
	out := o.Out
	if o.Output != "" {
		out = o.ErrOut
	}
	if rep != nil {
		if perr := printFollowTable(out, rep); perr != nil {
			return perr
		}
	}
	if err != nil {
		return fmt.Errorf("not every object was taken over within %v (see the table; %s karmada status --policy %s shows more): %w",
			o.Timeout, o.cli, plan.Policies[0].Ref.Name, err)
	}
	if !rep.PodsUnchanged() {
		return fmt.Errorf("every object was taken over, but pods were replaced or restarted meanwhile: see PODS-UNCHANGED above")
	}
	return nil
}

func progressLine(r *engine.FollowReport) string {
	bound, applied, adopted := 0, 0, 0
	for _, s := range r.Resources {
		if s.Binding != "" {
			bound++
		}
		if s.FullyApplied && s.Applied {
			applied++
		}
		if s.Adopted {
			adopted++
		}
	}
	n := len(r.Resources)
	return fmt.Sprintf("Waiting: %d/%d bound, %d/%d applied, %d/%d adopted on %s", bound, n, applied, n, adopted, n, r.Cluster)
}
