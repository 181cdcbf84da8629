// Package cmdkit holds what the plan, migrate and rollback commands share:
// kubectl-compatible --dry-run and -o handling, table writing, ages, and
// shell completion of plan and migration names.
package cmdkit

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// DryRun is kubectl's dry-run strategy.
type DryRun int

// Dry-run strategies, as in kubectl.
const (
	DryRunNone DryRun = iota
	DryRunClient
	DryRunServer
)

func (d DryRun) String() string {
	switch d {
	case DryRunClient:
		return "client"
	case DryRunServer:
		return "server"
	}
	return "none"
}

// Suffix is what kubectl appends to an operation in dry-run mode.
func (d DryRun) Suffix() string {
	switch d {
	case DryRunClient:
		return " (dry run)"
	case DryRunServer:
		return " (server dry run)"
	}
	return ""
}

// AddDryRunFlag registers --dry-run with kubectl's values. A bare --dry-run
// means client, as kubectl still accepts.
func AddDryRunFlag(cmd *cobra.Command, target *string) {
	cmd.Flags().StringVar(target, "dry-run", "none",
		`Must be "none", "server", or "client". If client strategy, only print what would be done, without contacting the server where possible. If server strategy, submit server-side requests without persisting anything.`)
	cmd.Flags().Lookup("dry-run").NoOptDefVal = "client"
	_ = cmd.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{"none", "client", "server"}, cobra.ShellCompDirectiveNoFileComp))
}

// ParseDryRun reads a --dry-run value (kubectl also accepts the deprecated
// booleans true/false).
func ParseDryRun(s string) (DryRun, error) {
	switch s {
	case "", "none":
		return DryRunNone, nil
	case "client":
		return DryRunClient, nil
	case "server":
		return DryRunServer, nil
	}
	if b, err := strconv.ParseBool(s); err == nil {
		if b {
			return DryRunClient, nil
		}
		return DryRunNone, nil
	}
	return DryRunNone, cli.Usagef(`invalid --dry-run value %q: must be "none", "server", or "client"`, s)
}

// Output wraps kubectl's PrintFlags, adding "wide" for the human tables.
type Output struct {
	Flags *genericclioptions.PrintFlags
	// tables is true when the command has a human table (list commands).
	tables bool
}

// NewOutput returns -o handling for a command whose success verb is
// operation ("created", "deleted", ...). tables enables the default and
// wide table formats.
func NewOutput(operation string, tables bool) *Output {
	return &Output{Flags: genericclioptions.NewPrintFlags(operation), tables: tables}
}

// AddFlags registers -o and the template flags.
func (o *Output) AddFlags(cmd *cobra.Command) {
	o.Flags.AddFlags(cmd)
	formats := o.Flags.AllowedFormats()
	if o.tables {
		formats = append(formats, "wide")
	}
	cmd.Flags().Lookup("output").Usage = "Output format. One of: (" + strings.Join(formats, ", ") + ")."
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// Format is the -o value.
func (o *Output) Format() string { return *o.Flags.OutputFormat }

// Table reports whether a human table is wanted, and whether wide.
func (o *Output) Table() (table, wide bool) {
	f := o.Format()
	return o.tables && (f == "" || f == "wide"), f == "wide"
}

// Validate checks -o early, before anything is changed.
func (o *Output) Validate() error {
	if t, _ := o.Table(); t {
		return nil
	}
	if o.Format() == "wide" {
		return cli.Usagef("-o wide is only for list commands")
	}
	if o.Format() == "" {
		return nil
	}
	if _, err := o.Flags.ToPrinter(); err != nil {
		return cli.Usagef("%v", err)
	}
	return nil
}

// Print prints one object (a typed MTC object or an Unstructured) with the
// printer -o selects; dry is the strategy used, for the name printer's
// message.
func (o *Output) Print(w io.Writer, obj any, dry DryRun) error {
	u, err := toRuntime(obj)
	if err != nil {
		return err
	}
	op := o.Flags.NamePrintFlags.Operation
	o.Flags.NamePrintFlags.Operation = op + dry.Suffix()
	defer func() { o.Flags.NamePrintFlags.Operation = op }()
	p, err := o.Flags.ToPrinter() // no -o: the name printer with the operation
	if err != nil {
		return err
	}
	return p.PrintObj(u, w)
}

// PrintList prints objects as a kubectl List.
func (o *Output) PrintList(w io.Writer, objs []any) error {
	list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List"}}
	for _, obj := range objs {
		u, err := toRuntime(obj)
		if err != nil {
			return err
		}
		list.Items = append(list.Items, *u.(*unstructured.Unstructured))
	}
	p, err := o.Flags.ToPrinter()
	if err != nil {
		return err
	}
	if o.Format() == "name" {
		for i := range list.Items {
			if err := p.PrintObj(&list.Items[i], w); err != nil {
				return err
			}
		}
		return nil
	}
	return p.PrintObj(list, w)
}

func toRuntime(obj any) (runtime.Object, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u, nil
	}
	u, err := kube.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("prepare output: %w", err)
	}
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	if st, ok := u.Object["status"].(map[string]any); ok && len(st) == 0 {
		delete(u.Object, "status")
	}
	return u, nil
}

// NewTable returns kubectl's table writer (columns separated by at least
// three spaces); call Flush when done.
func NewTable(w io.Writer, headers ...string) *Table {
	t := &Table{w: printers.GetNewTabWriter(w)}
	if len(headers) > 0 {
		t.Row(headers...)
	}
	return t
}

// Table writes aligned rows.
type Table struct {
	w interface {
		io.Writer
		Flush() error
	}
}

// Row writes one row; empty cells become "<none>" like kubectl.
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		if c == "" {
			cells[i] = "<none>"
		}
	}
	fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.w.Flush() }

// Age renders the time since ts the way kubectl does ("5m", "3d4h").
func Age(ts metav1.Time, now time.Time) string {
	if ts.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(ts.Time))
}

// Names is a completion source.
type Names func(ctx context.Context) ([]string, error)

// Complete returns a ValidArgsFunction completing the first argument from
// names; completion errors are silent, as shells expect.
func Complete(names Names) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		list, err := names(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, n := range list {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
