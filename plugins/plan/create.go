package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
	"github.com/kubectl-mig/kubectl-mig/plugins/volumes"
)

// CreateOptions are the inputs of `plan create`.
type CreateOptions struct {
	env *cli.Env

	Name            string
	Source          string
	Destination     string
	Storage         string
	Namespaces      []string
	IndirectVolumes bool
	IndirectImages  bool
	Hooks           []string
	WaitReady       bool
	Timeout         time.Duration
	DryRunValue     string
	// Defaults are --default-action/--default-copy-method/--default-storage-class,
	// applied to the volumes once the controller has discovered them.
	Defaults volumes.DefaultFlags

	output *cmdkit.Output
	dryRun cmdkit.DryRun
	spec   engplan.Spec
}

// NewCmdCreate returns `plan create`.
func NewCmdCreate(env *cli.Env) *cobra.Command {
	o := &CreateOptions{env: env, output: cmdkit.NewOutput("created", false), Timeout: 2 * time.Minute}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "create NAME --source SRC --destination DEST --storage STORAGE --namespaces NS[,NS:DEST...]",
		Short: "Create a migration plan, checked with MTC's own rules first",
		Long: `Create a MigPlan. Before anything is written, the plan is checked with the rules
the MTC controller applies: a non-empty namespace list of DNS-1123 names in
"src" or "src:dest" form, no namespace twice on either side, at most four hooks
with distinct phases (PreBackup, PostBackup, PreRestore, PostRestore), and the
referenced MigClusters, MigStorage and MigHooks exist. Every problem is
reported at once and nothing is created.

With --dry-run=client nothing is contacted: the plan is printed (use -o yaml)
and the server-side checks that were skipped are listed on stderr.`,
		Example: `  # Migrate two namespaces, the second under a new name
  ` + name + ` plan create shop --source source --destination host --storage s3 --namespaces shop,db:db-new

  # Run a hook before the backup, then wait for the controller to validate the plan
  ` + name + ` plan create shop --source source --destination host --storage s3 --namespaces shop \
      --hook PreBackup=flush-cache,namespace=shop,service-account=hooks --wait-ready

  # Print the plan without contacting any cluster
  ` + name + ` plan create shop --source source --destination host --storage s3 --namespaces shop --dry-run=client -o yaml`,
		Args: cobra.ExactArgs(1),
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
	f.StringVar(&o.Source, "source", "", "source MigCluster")
	f.StringVar(&o.Destination, "destination", "", "destination MigCluster")
	f.StringVar(&o.Storage, "storage", "", "MigStorage (replication repository)")
	f.StringSliceVar(&o.Namespaces, "namespaces", nil, `namespaces to migrate, comma-separated; "src:dest" migrates src under the name dest`)
	f.BoolVar(&o.IndirectVolumes, "indirect-volumes", false, "copy volumes through the replication repository (restic) instead of direct rsync")
	f.BoolVar(&o.IndirectImages, "indirect-images", false, "copy images through the replication repository instead of registry to registry")
	f.StringArrayVar(&o.Hooks, "hook", nil, "PHASE=HOOK[,namespace=NS][,service-account=SA]: run MigHook HOOK at PHASE (repeatable, one per phase; namespace defaults to the MTC namespace, service-account to migration-controller)")
	f.BoolVar(&o.WaitReady, "wait-ready", false, "wait until the controller has validated the plan and marked it Ready")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait-ready waits")
	o.Defaults.AddFlags(cmd)
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	_ = cmd.RegisterFlagCompletionFunc("hook", cobra.FixedCompletions(
		[]string{"PreBackup=", "PostBackup=", "PreRestore=", "PostRestore="}, cobra.ShellCompDirectiveNoSpace))
	return cmd
}

// Complete parses the flags into an engine spec.
func (o *CreateOptions) Complete(args []string) error {
	o.Name = args[0]
	var err error
	if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
		return err
	}
	o.spec = engplan.Spec{
		Name: o.Name, Namespace: o.env.MigNamespace(),
		Source: o.Source, Destination: o.Destination, Storage: o.Storage,
		Namespaces: trimAll(o.Namespaces), IndirectVolumes: o.IndirectVolumes, IndirectImages: o.IndirectImages,
	}
	for _, h := range o.Hooks {
		hook, err := engplan.ParseHook(h)
		if err != nil {
			return cli.Usagef("--hook: %v", err)
		}
		o.spec.Hooks = append(o.spec.Hooks, hook)
	}
	o.spec = o.spec.WithDefaults()
	return nil
}

// Validate applies every rule that needs no cluster.
func (o *CreateOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.WaitReady && o.dryRun != cmdkit.DryRunNone {
		return cli.Usagef("--wait-ready cannot be combined with --dry-run")
	}
	if err := o.Defaults.Validate(o.dryRun != cmdkit.DryRunNone); err != nil {
		return err
	}
	problems := engplan.Validate(o.spec)
	o.warn(problems.Warnings())
	if err := problems.Err(); err != nil {
		return cli.WithExitCode(cli.ExitUsage, err)
	}
	return nil
}

// Run checks the references on the host cluster and creates the plan.
func (o *CreateOptions) Run(ctx context.Context) error {
	streams := o.env.Streams
	p := engplan.Build(o.spec)
	if o.dryRun == cmdkit.DryRunClient {
		fmt.Fprintf(streams.ErrOut, "dry run (client): no cluster was contacted; these server-side checks were skipped:\n")
		for _, c := range engplan.ServerChecks(o.spec) {
			fmt.Fprintf(streams.ErrOut, "  - %s\n", c)
		}
		return o.output.Print(streams.Out, p, o.dryRun)
	}
	h, err := host(o.env)
	if err != nil {
		return err
	}
	problems, err := engplan.CheckReferences(ctx, h, o.spec)
	if err != nil {
		return err
	}
	o.warn(problems.Warnings())
	if err := problems.Err(); err != nil {
		return err
	}
	created, err := engplan.Create(ctx, h, p, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if err := o.output.Print(streams.Out, created, o.dryRun); err != nil {
		return err
	}
	// Defaults go in before --wait-ready, so the controller re-validates the
	// new choices before Ready is judged.
	if err := o.Defaults.Apply(ctx, h.Resource(kube.MigPlans).Namespace(o.spec.Namespace), o.Name, o.Timeout, streams.ErrOut); err != nil {
		return err
	}
	if !o.WaitReady {
		return nil
	}
	return o.waitReady(ctx, h)
}

func (o *CreateOptions) waitReady(ctx context.Context, h dynamic.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	fmt.Fprintf(o.env.Streams.ErrOut, "waiting up to %s for the controller to validate plan %s...\n", o.Timeout, o.Name)
	p, err := engplan.WaitReady(ctx, h, o.spec.Namespace, o.Name, time.Second)
	if err == nil {
		fmt.Fprintf(o.env.Streams.ErrOut, "plan %s is Ready\n", o.Name)
		return nil
	}
	if errors.Is(err, engplan.ErrNotReady) && p != nil {
		msg := fmt.Sprintf("plan %s is not Ready after %s", o.Name, o.Timeout)
		if b := p.Status.Conditions.Blockers(); len(b) > 0 {
			msg += "; blocking conditions:\n" + blockerLines(b)
		} else {
			msg += " and reports no blocking condition: is the migration-controller running in " + o.spec.Namespace + "?"
		}
		return errors.New(msg)
	}
	return err
}

func (o *CreateOptions) warn(ps engplan.Problems) {
	for _, p := range ps {
		fmt.Fprintf(o.env.Streams.ErrOut, "Warning: %s\n", p.String())
	}
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
