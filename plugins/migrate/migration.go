package migrate

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/migration"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// NewCmdMigration returns the `migration` group: list and describe.
func NewCmdMigration(env *cli.Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:         "migration",
		Aliases:     []string{"migrations"},
		Short:       "List and describe migrations (MigMigration) with their resource tree",
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: env.Name() + " migration"},
	}
	cmd.AddCommand(NewCmdMigrationList(env), NewCmdMigrationDescribe(env))
	return cmd
}

// CompleteMigrationNames completes MigMigration names.
func CompleteMigrationNames(env *cli.Env) cobra.CompletionFunc {
	return cmdkit.Complete(func(ctx context.Context) ([]string, error) {
		h, err := hostClient(env)
		if err != nil {
			return nil, err
		}
		return migration.Names(ctx, h, env.MigNamespace())
	})
}

// ListOptions are the inputs of `migration list`.
type ListOptions struct {
	env    *cli.Env
	Plan   string
	output *cmdkit.Output
	now    func() time.Time
}

// NewCmdMigrationList returns `migration list`.
func NewCmdMigrationList(env *cli.Env) *cobra.Command {
	o := &ListOptions{env: env, output: cmdkit.NewOutput("", true), now: time.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List migrations, newest first, with their outcome",
		Example: `  # Migrations of one plan
  ` + env.Name() + ` migration list --plan shop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.output.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&o.Plan, "plan", "", "only the migrations of this plan")
	_ = cmd.RegisterFlagCompletionFunc("plan", plan.CompletePlanNames(env))
	o.output.AddFlags(cmd)
	return cmd
}

// Run lists the migrations.
func (o *ListOptions) Run(ctx context.Context) error {
	h, err := hostClient(o.env)
	if err != nil {
		return err
	}
	ns := o.env.MigNamespace()
	migs, err := migration.List(ctx, h, ns, o.Plan)
	if err != nil {
		return err
	}
	table, wide := o.output.Table()
	if !table {
		objs := make([]any, 0, len(migs))
		for i := range migs {
			m, err := migration.Get(ctx, h, ns, migs[i].Name)
			if err != nil {
				return err
			}
			objs = append(objs, m)
		}
		return o.output.PrintList(o.env.Streams.Out, objs)
	}
	if len(migs) == 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "No migrations found in %s namespace.\n", ns)
		return nil
	}
	headers := []string{"NAME", "PLAN", "TYPE", "OUTCOME", "PHASE", "STEP", "AGE"}
	if wide {
		headers = append(headers, "ITINERARY", "QUIESCE", "CURRENT STEP", "FAILED STEP", "WARNINGS")
	}
	t := cmdkit.NewTable(o.env.Streams.Out, headers...)
	now := o.now()
	for _, m := range migs {
		row := []string{m.Name, m.Plan, m.Kind, string(m.Outcome), dash(m.Phase), dash(m.StepLabel()), cmdkit.Age(m.Created, now)}
		if wide {
			row = append(row, dash(m.Itinerary), fmt.Sprint(m.QuiescePods), dash(m.Current), dash(m.FailedStep), fmt.Sprint(len(m.Warnings)))
		}
		t.Row(row...)
	}
	return t.Flush()
}

// DescribeOptions are the inputs of `migration describe`.
type DescribeOptions struct {
	env    *cli.Env
	Name   string
	Output string
	now    func() time.Time
}

// NewCmdMigrationDescribe returns `migration describe`.
func NewCmdMigrationDescribe(env *cli.Env) *cobra.Command {
	o := &DescribeOptions{env: env, now: time.Now}
	cmd := &cobra.Command{
		Use:   "describe MIGRATION",
		Short: "Show a migration's pipeline and resource tree, with the commands to dig further",
		Long: `Show a MigMigration: outcome, pipeline steps, warnings and errors, and the tree of
resources it created across the clusters, as MTC's web console shows it:
Velero Backups and Restores with their PodVolumeBackups/Restores, the
DirectVolumeMigration with its progress CRs and rsync pods, the
DirectImageMigration with its stream migrations. Each node comes with the
exact describe/logs command to look closer.`,
		Example:           `  ` + env.Name() + ` migration describe shop-final-x7k2p`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompleteMigrationNames(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if o.Output != "" && o.Output != "json" && o.Output != "yaml" {
				return cli.Usagef("-o must be json or yaml for describe")
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "print the description as json or yaml instead of text")
	return cmd
}

// Description is what `migration describe -o json|yaml` prints.
type Description struct {
	Progress migration.Progress    `json:"progress"`
	Tree     *migration.TreeResult `json:"tree"`
}

// Run describes the migration.
func (o *DescribeOptions) Run(ctx context.Context) error {
	a, err := o.env.Access()
	if err != nil {
		return err
	}
	m, err := migration.Get(ctx, a.Host().Dynamic, a.Namespace(), o.Name)
	if err != nil {
		return err
	}
	cfg := migration.TreeConfig{CLI: cli.Parent(o.env.Getenv), Contexts: o.contexts(ctx, a.Host().Dynamic, a.Host().Name, m)}
	tree, err := migration.Tree(ctx, a, o.Name, cfg)
	if err != nil {
		return err
	}
	d := Description{Progress: migration.Snapshot(m), Tree: tree}
	return plan.PrintStructured(o.env.Streams.Out, o.Output, d, func(w io.Writer) { writeDescription(w, m, d, o.now()) })
}

// contexts maps clusters to the kubeconfig contexts the user named, so the
// printed commands reach the right cluster.
func (o *DescribeOptions) contexts(ctx context.Context, h dynamic.Interface, hostName string, m *mtc.MigMigration) map[string]string {
	out := map[string]string{}
	if o.env.Config.Context != nil && *o.env.Config.Context != "" {
		out[hostName] = *o.env.Config.Context
	}
	if m.Spec.MigPlanRef == nil || (o.env.SourceContext == "" && o.env.DestinationContext == "") {
		return out
	}
	p, err := engplan.Get(ctx, h, m.Namespace, m.Spec.MigPlanRef.Name)
	if err != nil {
		return out // the tree reports the plan problem
	}
	if o.env.SourceContext != "" && p.Spec.SrcMigClusterRef != nil {
		out[p.Spec.SrcMigClusterRef.Name] = o.env.SourceContext
	}
	if o.env.DestinationContext != "" && p.Spec.DestMigClusterRef != nil {
		out[p.Spec.DestMigClusterRef.Name] = o.env.DestinationContext
	}
	return out
}

func writeDescription(w io.Writer, m *mtc.MigMigration, d Description, now time.Time) {
	p := d.Progress
	t := cmdkit.NewTable(w)
	field := func(k, v string) { t.Row(k+":", v) }
	field("Name", m.Name)
	field("Namespace", m.Namespace)
	field("Plan", p.Plan)
	field("Type", p.Kind)
	field("Outcome", string(p.Outcome))
	field("Itinerary", dash(p.Itinerary))
	field("Phase", dash(p.Phase))
	field("Step", dash(p.StepLabel()))
	field("Quiesce pods", fmt.Sprint(m.Spec.QuiescePods))
	if m.Status.StartTimestamp != nil {
		field("Started", m.Status.StartTimestamp.UTC().Format(time.RFC3339)+" ("+cmdkit.Age(*m.Status.StartTimestamp, now)+" ago)")
	}
	_ = t.Flush()
	if len(p.Pipeline) > 0 {
		fmt.Fprintln(w, "Pipeline:")
		t := cmdkit.NewTable(w, "  STEP", "STATUS", "STARTED", "COMPLETED", "PROGRESS")
		for _, s := range p.Pipeline {
			status := s.Message
			switch {
			case s.Failed:
				status = "Failed"
			case s.Skipped:
				status = "Skipped"
			case status == "" && s.Started != nil && s.Completed == nil:
				status = "Running"
			}
			t.Row("  "+s.Name, dash(status), stamp(s.Started), stamp(s.Completed), dash(strings.Join(s.Progress, "; ")))
		}
		_ = t.Flush()
	}
	if len(p.Blockers) > 0 {
		fmt.Fprintln(w, "Blocked by:")
		writeConditions(w, p.Blockers)
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "Warnings:")
		writeConditions(w, p.Warnings)
	}
	if len(p.Errors) > 0 {
		fmt.Fprintln(w, "Errors:")
		for _, e := range p.Errors {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
	fmt.Fprintln(w, "Resources:")
	writeNode(w, d.Tree.Root, "", true, true)
	if len(d.Tree.Partial) > 0 {
		fmt.Fprintln(w, "Not shown (could not be read):")
		for _, s := range d.Tree.Partial {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
}

// writeNode draws the tree with box characters, each node followed by its
// details and commands.
func writeNode(w io.Writer, n *migration.Node, prefix string, last, root bool) {
	branch, childPrefix := "├── ", prefix+"│   "
	if last {
		branch, childPrefix = "└── ", prefix+"    "
	}
	if root {
		branch, childPrefix = "", ""
	}
	mark := ""
	if n.Problem {
		mark = " (!)"
	}
	ns := ""
	if n.Namespace != "" {
		ns = n.Namespace + "/"
	}
	fmt.Fprintf(w, "%s%s%s %s%s [%s] on %s%s\n", prefix, branch, n.Kind, ns, n.Name, n.Status, n.Cluster, mark)
	detailPrefix := childPrefix
	if len(n.Children) > 0 {
		detailPrefix += "│ "
	} else {
		detailPrefix += "  "
	}
	for _, d := range n.Details {
		for _, line := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
			fmt.Fprintf(w, "%s%s\n", detailPrefix, line)
		}
	}
	for _, c := range n.Commands {
		fmt.Fprintf(w, "%s$ %s\n", detailPrefix, c)
	}
	for i, c := range n.Children {
		writeNode(w, c, childPrefix, i == len(n.Children)-1, false)
	}
}

func stamp(t *metav1.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
