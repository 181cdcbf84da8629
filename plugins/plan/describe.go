package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// DescribeOptions are the inputs of `plan describe`.
type DescribeOptions struct {
	env    *cli.Env
	Name   string
	Output string
	now    func() time.Time
}

// NewCmdDescribe returns `plan describe`.
func NewCmdDescribe(env *cli.Env) *cobra.Command {
	o := &DescribeOptions{env: env, now: time.Now}
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a plan: conditions by category, persistent volumes and their actions, migrations",
		Example: `  # What blocks the plan, which PVs it moves or copies, which migrations ran
  ` + env.Name() + ` plan describe shop`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: CompletePlanNames(env),
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

// Run describes the plan.
func (o *DescribeOptions) Run(ctx context.Context) error {
	h, err := host(o.env)
	if err != nil {
		return err
	}
	d, err := engplan.Describe(ctx, h, o.env.MigNamespace(), o.Name)
	if err != nil {
		return err
	}
	return PrintStructured(o.env.Streams.Out, o.Output, d, func(w io.Writer) { WriteDetails(w, d, o.now()) })
}

// PrintStructured prints v as json or yaml, or calls text for the human form.
func PrintStructured(w io.Writer, format string, v any, text func(io.Writer)) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	text(w)
	return nil
}

// WriteDetails renders a plan description like kubectl describe.
func WriteDetails(w io.Writer, d *engplan.Details, now time.Time) {
	t := cmdkit.NewTable(w)
	field := func(k, v string) { t.Row(k+":", v) }
	field("Name", d.Name)
	field("Namespace", d.Namespace)
	field("Ready", readyText(d.Ready))
	field("Closed", fmt.Sprint(d.Closed))
	field("Source", d.Source)
	field("Destination", d.Destination)
	field("Storage", d.Storage)
	field("Namespaces", namespaceText(d.Namespaces))
	field("Type", orDash(d.Type))
	field("Volumes", copyMode(d.IndirectVolumes, "direct (rsync)", "indirect (restic through the repository)"))
	field("Images", copyMode(d.IndirectImages, "direct (registry to registry)", "indirect (through the repository)"))
	field("Age", cmdkit.Age(d.Created, now))
	_ = t.Flush()

	section(w, "Conditions")
	if len(d.Conditions) == 0 {
		fmt.Fprintln(w, "  <none> (the controller has not validated the plan yet)")
	}
	for _, g := range d.Conditions {
		fmt.Fprintf(w, "  %s:\n", g.Category)
		t := cmdkit.NewTable(w)
		for _, c := range g.Conditions {
			t.Row("    "+c.Type, orDash(c.Reason), c.Message)
		}
		_ = t.Flush()
	}
	if len(d.Hooks) > 0 {
		section(w, "Hooks")
		t := cmdkit.NewTable(w, "  PHASE", "HOOK", "EXECUTION NAMESPACE", "SERVICE ACCOUNT")
		for _, h := range d.Hooks {
			name := ""
			if h.Reference != nil {
				name = h.Reference.Name
			}
			t.Row("  "+h.Phase, name, h.ExecutionNamespace, h.ServiceAccount)
		}
		_ = t.Flush()
	}
	writePVs(w, d.PVs)
	writeMigrations(w, d.MigrationList, now)
	writeHealth(w, d.UnhealthyNamespaces, d.IncompatibleNamespaces)
}

func writePVs(w io.Writer, pvs []engplan.PVInfo) {
	section(w, "Persistent Volumes")
	if len(pvs) == 0 {
		fmt.Fprintln(w, "  <none> (none discovered, or PV discovery has not run yet)")
		return
	}
	t := cmdkit.NewTable(w, "  NAME", "PVC", "CAPACITY", "STORAGE CLASS", "ACTION", "COPY METHOD", "TARGET CLASS", "VERIFY", "SUPPORTED")
	for _, pv := range pvs {
		t.Row("  "+pv.Name, pv.PVC, pv.Capacity, orDash(pv.StorageClass), pv.Action, orDash(pv.CopyMethod),
			orDash(pv.TargetClass), fmt.Sprint(pv.Verify), strings.Join(pv.Supported, ","))
	}
	_ = t.Flush()
}

func writeMigrations(w io.Writer, migs []engplan.MigrationInfo, now time.Time) {
	section(w, "Migrations")
	if len(migs) == 0 {
		fmt.Fprintln(w, "  <none>")
		return
	}
	t := cmdkit.NewTable(w, "  NAME", "TYPE", "OUTCOME", "PHASE", "STEP", "AGE")
	for _, m := range migs {
		t.Row("  "+m.Name, m.Kind, string(m.Outcome), orDash(m.Phase), orDash(m.Step), cmdkit.Age(m.Created, now))
	}
	_ = t.Flush()
}

func writeHealth(w io.Writer, unhealthy []mtc.UnhealthyNamespace, incompatible []mtc.IncompatibleNamespace) {
	if len(unhealthy) > 0 {
		section(w, "Unhealthy source resources")
		for _, ns := range unhealthy {
			for _, wl := range ns.Workloads {
				fmt.Fprintf(w, "  %s/%s: %s\n", ns.Name, wl.Name, strings.Join(wl.Resources, ", "))
			}
		}
	}
	if len(incompatible) > 0 {
		section(w, "Kinds the destination does not serve")
		for _, ns := range incompatible {
			var kinds []string
			for _, g := range ns.GVKs {
				kinds = append(kinds, strings.TrimPrefix(g.Group+"/"+g.Version+"/"+g.Kind, "/"))
			}
			fmt.Fprintf(w, "  %s: %s\n", ns.Name, strings.Join(kinds, ", "))
		}
	}
}

func section(w io.Writer, title string) { fmt.Fprintf(w, "%s:\n", title) }

func copyMode(indirect bool, direct, viaRepo string) string {
	if indirect {
		return viaRepo
	}
	return direct
}

// namespaceText renders "a, b -> c".
func namespaceText(entries []string) string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if m, err := mtc.ParseNameMapping(e); err == nil && m.Renamed() {
			out = append(out, m.Source+" -> "+m.Destination)
		} else {
			out = append(out, e)
		}
	}
	return strings.Join(out, ", ")
}
