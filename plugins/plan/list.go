package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// ListOptions are the inputs of `plan list`.
type ListOptions struct {
	env    *cli.Env
	output *cmdkit.Output
	now    func() time.Time
}

// NewCmdList returns `plan list`.
func NewCmdList(env *cli.Env) *cobra.Command {
	o := &ListOptions{env: env, output: cmdkit.NewOutput("", true), now: time.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List migration plans with their readiness and last migration",
		Example: `  # Plans and the outcome of their newest migration
  ` + env.Name() + ` plan list

  # With the plan type and what blocks plans that are not Ready
  ` + env.Name() + ` plan list -o wide`,
		Args: cobra.NoArgs,
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

// Run lists the plans.
func (o *ListOptions) Run(ctx context.Context) error {
	h, err := host(o.env)
	if err != nil {
		return err
	}
	plans, err := engplan.List(ctx, h, o.env.MigNamespace())
	if err != nil {
		return err
	}
	out := o.env.Streams.Out
	if table, wide := o.output.Table(); table {
		if len(plans) == 0 {
			fmt.Fprintf(o.env.Streams.ErrOut, "No migration plans found in %s namespace.\n", o.env.MigNamespace())
			return nil
		}
		return o.table(plans, wide)
	}
	objs := make([]any, 0, len(plans))
	for _, p := range plans {
		objs = append(objs, p.Object)
	}
	return o.output.PrintList(out, objs)
}

func (o *ListOptions) table(plans []engplan.Summary, wide bool) error {
	headers := []string{"NAME", "READY", "SOURCE", "DESTINATION", "STORAGE", "NAMESPACES", "MIGRATIONS", "LAST RESULT", "AGE"}
	if wide {
		headers = append(headers, "TYPE", "CLOSED", "BLOCKERS")
	}
	t := cmdkit.NewTable(o.env.Streams.Out, headers...)
	now := o.now()
	for _, p := range plans {
		row := []string{p.Name, readyText(p.Ready), p.Source, p.Destination, p.Storage, strings.Join(p.Namespaces, ","),
			strconv.Itoa(p.Migrations), orDash(p.LastResult), cmdkit.Age(p.Created, now)}
		if wide {
			var blockers []string
			for _, b := range p.Blockers {
				blockers = append(blockers, b.Type)
			}
			row = append(row, orDash(p.Type), strconv.FormatBool(p.Closed), orDash(strings.Join(blockers, ",")))
		}
		t.Row(row...)
	}
	return t.Flush()
}

func readyText(ready bool) string {
	if ready {
		return "True"
	}
	return "False"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
