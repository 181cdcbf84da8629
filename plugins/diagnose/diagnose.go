// Package diagnose implements `kubectl mig diagnose`: one rule engine over a
// live set of clusters or a saved must-gather.
package diagnose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/kubectl-mig/kubectl-mig/diagnose/report"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Exit codes: 0 no finding at the threshold, 1 at least one, 2 usage or
// access errors (cli.ExitUsage).
const (
	ExitClean    = cli.ExitOK
	ExitFindings = 1
)

// Options holds the flags and resolved state of the diagnose command.
type Options struct {
	Plan             string
	Migration        string
	All              bool
	From             string
	Output           string
	FailureThreshold string
	Rules            []string
	SkipRules        []string
	ListRules        bool
	LogTail          int64

	env       *cli.Env
	threshold rules.Severity
	cliName   string
	namespace string
	color     bool
	selected  []rules.Rule
}

// NewCmdDiagnose builds `diagnose`.
func NewCmdDiagnose(env *cli.Env) *cobra.Command {
	o := &Options{env: env, Output: "table", FailureThreshold: "error", LogTail: 2000}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "diagnose [--plan PLAN | --migration MIGRATION | --all] [--from PATH]",
		Short: "Find out why a migration failed, live or from a must-gather",
		Long: `Run the diagnose rule catalogue over the live clusters of a migration (host,
source and destination, reached through their MigClusters) or over a saved
bundle: an MTC must-gather (directory or must-gather.tar.gz), a plain
oc adm inspect directory, or a kubectl-mig gather bundle.

Every finding has a stable ID (MIG0001...), evidence (object, condition, or
file:line of a log excerpt) and an exact fix. Rules that cannot run (forbidden,
data missing from the bundle) are listed as skipped, never as passed.

Exit status: 0 when no finding reaches --failure-threshold, 1 when one does,
2 on usage or access errors.`,
		Example: fmt.Sprintf(`  # Diagnose one migration on the live clusters
  %[1]s diagnose --migration mig-20240326

  # Diagnose a saved MTC must-gather, as JSON
  %[1]s diagnose --from must-gather.local.1234/ -o json

  # Fail CI on warnings too, skip the informational BSL rule
  %[1]s diagnose --all --failure-threshold warning --skip-rules MIG0007

  # List the rules
  %[1]s diagnose --list-rules`, name),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			return o.Run(cmd.Context())
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.Usagef("%v", err) })
	f := cmd.Flags()
	f.StringVar(&o.Plan, "plan", "", "diagnose one MigPlan and its migrations")
	f.StringVar(&o.Migration, "migration", "", "diagnose one MigMigration")
	f.BoolVar(&o.All, "all", false, "diagnose every plan and migration (the default)")
	f.StringVar(&o.From, "from", "", "read a saved bundle (directory, .tar.gz or .tar) instead of the live clusters")
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: table, json or yaml")
	f.StringVar(&o.FailureThreshold, "failure-threshold", o.FailureThreshold, "lowest severity that makes the command exit 1: info, warning or error")
	f.StringSliceVar(&o.Rules, "rules", nil, "run only these rule IDs (comma-separated)")
	f.StringSliceVar(&o.SkipRules, "skip-rules", nil, "do not run these rule IDs (comma-separated)")
	f.BoolVar(&o.ListRules, "list-rules", false, "list the rules and exit")
	f.Int64Var(&o.LogTail, "log-tail", o.LogTail, "live only: lines read from the end of each relevant container log")
	return cmd
}

// Complete resolves defaults from the environment.
func (o *Options) Complete() error {
	o.cliName = cli.Parent(o.env.Getenv)
	o.namespace = o.env.MigNamespace()
	o.color = colorEnabled(o.env)
	return nil
}

// colorEnabled: colour only on a terminal, and never when NO_COLOR is set.
func colorEnabled(env *cli.Env) bool {
	if env.Getenv("NO_COLOR") != "" || env.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := env.Streams.Out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Validate checks the flags without touching any cluster.
func (o *Options) Validate() error {
	n := 0
	for _, set := range []bool{o.Plan != "", o.Migration != "", o.All} {
		if set {
			n++
		}
	}
	if n > 1 {
		return cli.Usagef("--plan, --migration and --all are mutually exclusive")
	}
	switch o.Output {
	case "table", "json", "yaml":
	default:
		return cli.Usagef("unknown output format %q: use table, json or yaml", o.Output)
	}
	th, err := rules.ParseSeverity(o.FailureThreshold)
	if err != nil {
		return cli.Usagef("--failure-threshold: %v", err)
	}
	o.threshold = th
	if o.LogTail <= 0 {
		return cli.Usagef("--log-tail must be positive")
	}
	sel, err := rules.Select(rules.Catalogue(), o.Rules, o.SkipRules)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	o.selected = sel
	return nil
}

// Run diagnoses and prints the report; the returned error carries the exit
// code.
func (o *Options) Run(ctx context.Context) error {
	out := o.env.Streams.Out
	if o.ListRules {
		return listRules(out, o.selected, o.Output)
	}
	start := time.Now()
	snap, err := o.openSnapshot(ctx)
	if err != nil {
		return err
	}
	cfg := rules.Config{Plan: o.Plan, Migration: o.Migration, Namespace: o.namespace, CLI: o.cliName, Now: snap.Taken()}
	rep, err := rules.Run(ctx, snap, cfg, o.selected)
	if err != nil {
		if errors.Is(err, rules.ErrNotFound) {
			return cli.WithExitCode(cli.ExitUsage, err)
		}
		return cli.WithExitCode(cli.ExitUsage, fmt.Errorf("diagnose: %w", err))
	}
	if err := report.Write(out, rep, o.Output, report.TableOptions{Color: o.color && o.Output == "table", Verbose: klog.V(1).Enabled()}); err != nil {
		return err
	}
	o.verbose(snap, rep, time.Since(start))
	if worst(rep) >= o.threshold {
		return cli.WithExitCode(ExitFindings, nil)
	}
	return nil
}

// verbose prints, at -v=1, how much the diagnosis cost.
func (o *Options) verbose(snap snapshot.Snapshot, rep *rules.Report, took time.Duration) {
	if !klog.V(1).Enabled() {
		return
	}
	w := o.env.Streams.ErrOut
	if rc, ok := snap.(snapshot.RequestCounter); ok {
		fmt.Fprintf(w, "API requests: %d\n", rc.Requests())
	}
	fmt.Fprintf(w, "logs scanned: %d (%d bytes); took %s\n", rep.Logs.Scanned, rep.Logs.Bytes, took.Round(time.Millisecond))
	for _, n := range rep.Source.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func worst(rep *rules.Report) rules.Severity {
	var w rules.Severity
	for _, f := range rep.Findings {
		if f.Severity > w {
			w = f.Severity
		}
	}
	return w
}

// openSnapshot reads the bundle or connects to the live clusters.
func (o *Options) openSnapshot(ctx context.Context) (snapshot.Snapshot, error) {
	if o.From != "" {
		b, err := snapshot.OpenBundle(ctx, snapshot.BundleConfig{Path: o.From})
		if err != nil {
			return nil, cli.WithExitCode(cli.ExitUsage, err)
		}
		return b, nil
	}
	access, err := o.env.Access()
	if err != nil {
		return nil, cli.WithExitCode(cli.ExitUsage, err)
	}
	live, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{
		Host:      access.Host().Config,
		Namespace: o.namespace,
		Plan:      o.Plan,
		Migration: o.Migration,
		LogTail:   o.LogTail,
		Remote: func(ctx context.Context, name string) (*rest.Config, error) {
			t, err := access.MigCluster(ctx, name)
			if err != nil {
				return nil, err
			}
			return t.Config, nil
		},
	})
	if err != nil {
		return nil, cli.WithExitCode(cli.ExitUsage, err)
	}
	return live, nil
}
