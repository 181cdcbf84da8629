package setup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/hooks"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// NewCmdHook returns the `hook` command group.
func NewCmdHook(env *cli.Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "hook",
		Aliases: []string{"hooks"},
		Short:   "Create and list migration hooks (MigHook)",
		Long: `A migration hook runs custom code on the source or destination cluster at a
migration phase: an Ansible playbook (run by the hook-runner image) or a custom
image. Create the hook here, then attach it to a plan at a phase with
'` + env.Name() + ` plan create ... --hook PHASE=HOOK' (at most four hooks, one per phase).`,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: env.Name() + " hook"},
	}
	cmd.AddCommand(NewCmdHookCreate(env), NewCmdHookList(env))
	return cmd
}

// HookCreateOptions are the inputs of `hook create`.
type HookCreateOptions struct {
	env            *cli.Env
	Name           string
	PlaybookFile   string
	Image          string
	Custom         bool
	Target         string
	ActiveDeadline time.Duration
	WaitReady      bool
	Timeout        time.Duration
	DryRunValue    string

	output *cmdkit.Output
	dryRun cmdkit.DryRun
	spec   hooks.Spec
}

// NewCmdHookCreate returns `hook create`.
func NewCmdHookCreate(env *cli.Env) *cobra.Command {
	o := &HookCreateOptions{env: env, output: cmdkit.NewOutput("created", false), Timeout: time.Minute}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "create NAME (--playbook FILE | --image IMAGE --custom) --target source|destination",
		Short: "Create a migration hook from an Ansible playbook or a custom image",
		Long: `Create a MigHook. With --playbook the file is checked to be a YAML list of plays,
base64-encoded into the hook and run by the hook-runner image (` + hooks.DefaultRunnerImage + `
unless --image names another). With --image IMAGE --custom the image runs as it
is. --target says which cluster the hook Job runs on. The image reference, the
target and the playbook are checked as the MTC controller checks them, before
anything is created.`,
		Example: `  # Quiesce a database on the source before the backup
  ` + name + ` hook create flush-db --playbook flush.yml --target source --active-deadline 10m

  # Run a custom image on the destination after the restore
  ` + name + ` hook create warm-cache --image quay.io/example/warm-cache:1.2 --custom --target destination`,
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
	f.StringVar(&o.PlaybookFile, "playbook", "", `Ansible playbook file ("-" reads stdin)`)
	f.StringVar(&o.Image, "image", "", "image to run (required with --custom; default for playbooks: "+hooks.DefaultRunnerImage+")")
	f.BoolVar(&o.Custom, "custom", false, "the image is a custom hook, not the Ansible runner")
	f.StringVar(&o.Target, "target", "", "cluster the hook runs on: source or destination")
	f.DurationVar(&o.ActiveDeadline, "active-deadline", hooks.DefaultActiveDeadline, "how long the hook may run")
	f.BoolVar(&o.WaitReady, "wait-ready", false, "wait until the MTC controller has validated the hook")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait-ready waits")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	_ = cmd.MarkFlagRequired("target")
	_ = cmd.RegisterFlagCompletionFunc("target", cobra.FixedCompletions([]string{mtc.HookTargetSource, mtc.HookTargetDestination}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("playbook", "yml", "yaml")
	return cmd
}

// Complete reads the playbook and builds the spec.
func (o *HookCreateOptions) Complete(args []string) error {
	o.Name = args[0]
	var err error
	if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
		return err
	}
	var playbook []byte
	if o.PlaybookFile != "" {
		if playbook, err = readFile("--playbook", o.PlaybookFile, o.env.Streams.In); err != nil {
			return err
		}
		if len(playbook) == 0 {
			return cli.Usagef("--playbook %s is empty", o.PlaybookFile)
		}
	}
	o.spec = hooks.Spec{
		Name: o.Name, Namespace: o.env.MigNamespace(), Playbook: playbook, Image: o.Image, Custom: o.Custom,
		Target: o.Target, ActiveDeadline: o.ActiveDeadline,
	}.WithDefaults()
	return nil
}

// Validate checks everything that needs no cluster.
func (o *HookCreateOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.WaitReady && o.dryRun != cmdkit.DryRunNone {
		return cli.Usagef("--wait-ready cannot be combined with --dry-run")
	}
	if err := o.spec.Validate(); err != nil {
		return cli.WithExitCode(cli.ExitUsage, fmt.Errorf("cannot create hook %s:\n%s", o.Name, indent(err.Error())))
	}
	return nil
}

// Run creates the hook.
func (o *HookCreateOptions) Run(ctx context.Context) error {
	if o.dryRun == cmdkit.DryRunClient {
		skippedChecks(o.env.Streams.ErrOut, "the MTC namespace exists on the host cluster", "the hook name is free")
		return o.output.Print(o.env.Streams.Out, hooks.Build(o.spec), o.dryRun)
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	h, err := hooks.Create(ctx, host, o.spec, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if err := o.output.Print(o.env.Streams.Out, h, o.dryRun); err != nil {
		return err
	}
	if o.WaitReady {
		return waitReady(ctx, o.env, host, kube.MigHooks, mtc.KindMigHook, o.Name, o.Timeout)
	}
	fmt.Fprintf(o.env.Streams.ErrOut, "attach it to a plan with: %s plan create ... --hook PHASE=%s (PHASE: PreBackup, PostBackup, PreRestore or PostRestore)\n",
		o.env.Name(), o.Name)
	return nil
}

// HookListOptions are the inputs of `hook list`.
type HookListOptions struct {
	env    *cli.Env
	output *cmdkit.Output
	now    func() time.Time
}

// NewCmdHookList returns `hook list`.
func NewCmdHookList(env *cli.Env) *cobra.Command {
	o := &HookListOptions{env: env, output: cmdkit.NewOutput("", true), now: time.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List MigHooks: readiness, type, image, target, deadline, plans using them",
		Example: `  ` + env.Name() + ` hook list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.output.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.output.AddFlags(cmd)
	return cmd
}

// Run lists the hooks.
func (o *HookListOptions) Run(ctx context.Context) error {
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	entries, err := hooks.List(ctx, host, o.env.MigNamespace())
	if err != nil {
		return err
	}
	table, wide := o.output.Table()
	if !table {
		objs := make([]any, 0, len(entries))
		for i := range entries {
			objs = append(objs, &entries[i].Hook)
		}
		return o.output.PrintList(o.env.Streams.Out, objs)
	}
	if len(entries) == 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "No MigHooks found in %s namespace: create one with '%s hook create'.\n", o.env.MigNamespace(), o.env.Name())
		return nil
	}
	headers := []string{"NAME", "READY", "TYPE", "IMAGE", "TARGET", "DEADLINE", "USED BY", "CONDITIONS", "AGE"}
	if wide {
		headers = append(headers, "PLAYBOOK LINES")
	}
	t := cmdkit.NewTable(o.env.Streams.Out, headers...)
	now := o.now()
	for _, e := range entries {
		h := &e.Hook
		deadline := "-"
		if s := h.Spec.ActiveDeadlineSeconds; s > 0 {
			deadline = (time.Duration(s) * time.Second).String()
		}
		row := []string{h.Name, readyText(h.Status.Conditions.IsReady()), hooks.Type(h), h.Spec.Image, h.Spec.TargetCluster,
			deadline, orDash(strings.Join(e.Uses, ",")), orDash(strings.Join(e.Problems, ",")), cmdkit.Age(h.CreationTimestamp, now)}
		if wide {
			lines := "-"
			if text := hooks.PlaybookText(h); text != "" {
				lines = fmt.Sprint(strings.Count(text, "\n") + 1)
			}
			row = append(row, lines)
		}
		t.Row(row...)
	}
	return t.Flush()
}
