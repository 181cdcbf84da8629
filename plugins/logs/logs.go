// Package logs holds `kubectl mig logs`: one filtered, time-ordered view of
// the logs a migration plan or migration leaves on all of its clusters.
package logs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	englogs "github.com/kubectl-mig/kubectl-mig/engine/logs"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Options are the inputs of `logs`.
type Options struct {
	env *cli.Env

	Plan          string
	Migration     string
	Follow        bool
	UntilComplete bool
	Since         time.Duration
	Tail          int64
	Components    []string
	Plain         bool
	Timestamps    bool
	Output        string
	MaxRequests   int

	sinceSet   bool
	components englogs.ComponentSet
}

// NewCmdLogs returns `logs`.
func NewCmdLogs(env *cli.Env) *cobra.Command {
	o := &Options{env: env, Tail: -1, Output: "text", MaxRequests: englogs.DefaultMaxStreams}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "logs (PLAN | --migration NAME)",
		Short: "Show the logs of a plan's or a migration's controller, Velero, restic, rsync, registry, stage and hook pods, merged in time order",
		Long: `Stream, from every cluster of the plan (host, source and destination, the
latter two reached through their MigClusters), the logs that concern a plan or
one migration, merged in time order.

Shared components: only the lines naming the plan, its migrations, their
DirectVolumeMigrations or their Velero Backups and Restores are shown.
  controller   mig-controller (containers mtc and discovery)
  velero       Velero
  restic       restic / node-agent
Pods MTC creates for the plan or the migration: their whole logs are shown.
  rsync        DVM transfer pods (clients on the source, server on the destination)
  stunnel      the stunnel containers of those pods
  registry     the plan's migration registry (indirect image migration)
  hooks        hook Job pods
  stage        stage pods (indirect volume migration)

Each line is prefixed with cluster/component/pod (and the container where it
is not the component's name). By default the logs start a few minutes before
the migration (or the plan's first migration) started; --since changes that.

With -f new pods are followed as they appear (rsync pods come and go) until
Ctrl-C, or until the migration completes with --until-complete (which implies
-f). A pod that goes away or a cluster that stops answering is reported once
on stderr and the rest keeps streaming; the command then exits 1 to say the
output is incomplete.`,
		Example: `  # Everything about a migration, then follow it to its end
  ` + name + ` logs --migration inventory-final --until-complete

  # Only the data transfer of a plan's migrations
  ` + name + ` logs inventory-plan --component rsync,stunnel

  # The last 20 lines about the plan from the controller and Velero, with timestamps
  ` + name + ` logs inventory-plan --component controller,velero --tail 20 --timestamps

  # For tools: one JSON object per line with level, msg, error and logSource
  ` + name + ` logs inventory-plan -o json | jq -r 'select(.level=="error") | .msg'`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeNames(env, kube.MigPlans),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.sinceSet = cmd.Flags().Changed("since")
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
	f.StringVar(&o.Migration, "migration", "", "show the logs of this MigMigration (instead of a whole plan)")
	f.BoolVarP(&o.Follow, "follow", "f", false, "keep streaming new lines and new pods until interrupted")
	f.BoolVar(&o.UntilComplete, "until-complete", false, "follow until the migration (or every running migration of the plan) completes; implies -f")
	f.DurationVar(&o.Since, "since", 0, "only lines newer than this, e.g. 10m or 2h (default: from shortly before the migration started; 0: everything)")
	f.Int64Var(&o.Tail, "tail", o.Tail, "only the last N lines of each container, counted after filtering (-1: all)")
	f.StringSliceVar(&o.Components, "component", nil, "only these components, comma separated: "+englogs.ComponentNames())
	f.BoolVar(&o.Plain, "plain", false, "no colours (also off when NO_COLOR is set or the output is not a terminal)")
	f.BoolVar(&o.Timestamps, "timestamps", false, "start each line with its timestamp (with -o text)")
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: text or json (one object per line)")
	f.IntVar(&o.MaxRequests, "max-log-requests", o.MaxRequests, "maximum number of log streams open at once")
	_ = cmd.RegisterFlagCompletionFunc("migration", completeNames(env, kube.MigMigrations))
	_ = cmd.RegisterFlagCompletionFunc("component", cobra.FixedCompletions(strings.Split(englogs.ComponentNames(), ","), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete reads the arguments.
func (o *Options) Complete(args []string) error {
	if len(args) == 1 {
		o.Plan = args[0]
	}
	var err error
	if o.components, err = englogs.ParseComponents(o.Components); err != nil {
		return cli.Usagef("--component: %v", err)
	}
	return nil
}

// Validate checks the flags before any cluster is contacted.
func (o *Options) Validate() error {
	switch {
	case o.Plan == "" && o.Migration == "":
		return cli.Usagef("name a plan, or a migration with --migration")
	case o.Plan != "" && o.Migration != "":
		return cli.Usagef("name a plan or --migration, not both (a migration names its plan)")
	case o.Output != "text" && o.Output != "json":
		return cli.Usagef("--output must be text or json, not %q", o.Output)
	case o.Since < 0:
		return cli.Usagef("--since must not be negative")
	case o.Tail < -1:
		return cli.Usagef("--tail must be -1 (all) or more")
	case o.MaxRequests < 1:
		return cli.Usagef("--max-log-requests must be at least 1")
	case o.Timestamps && o.Output == "json":
		return cli.Usagef("--timestamps applies to -o text (JSON lines always carry the time)")
	}
	return nil
}

// Run streams the logs.
func (o *Options) Run(ctx context.Context) error {
	access, err := o.env.Access()
	if err != nil {
		return err
	}
	streams := o.env.Streams
	p := newPrinter(streams.Out, o.Output == "json", o.Timestamps, colourWanted(streams.Out, o.Plain, o.env.Getenv))
	n := newNotifier(streams.ErrOut, o.Follow || o.UntilComplete)
	cfg := englogs.Config{
		Namespace: access.Namespace(), Plan: o.Plan, Migration: o.Migration, Components: o.components,
		Follow: o.Follow, UntilComplete: o.UntilComplete, Since: o.Since, AllHistory: o.sinceSet && o.Since == 0,
		Tail: o.Tail, MaxStreams: o.MaxRequests, Sink: p, Events: n.event,
	}
	sum, err := englogs.Run(ctx, access, cfg)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return o.explain(err)
	}
	if sum.Problems > 0 {
		return cli.WithExitCode(cli.ExitFailure, fmt.Errorf("the output is incomplete: %d problem(s) reported above", sum.Problems))
	}
	return nil
}

// explain says what to do about the errors that stop everything: a plan or
// migration that does not exist is named with the command that lists them
// (in place of the API's own wording and hint).
func (o *Options) explain(err error) error {
	var status interface{ Status() metav1.Status }
	if !errors.As(err, &status) || status.Status().Reason != metav1.StatusReasonNotFound {
		return err
	}
	d := status.Status().Details
	if d == nil {
		return err
	}
	switch d.Kind {
	case "migmigrations":
		return fmt.Errorf("MigMigration %q not found in namespace %s: list them with '%s migration list', or set -n",
			d.Name, o.env.MigNamespace(), o.env.Name())
	case "migplans":
		return fmt.Errorf("MigPlan %q not found in namespace %s: list them with '%s plan list', or set -n",
			d.Name, o.env.MigNamespace(), o.env.Name())
	}
	return err
}

// completeNames completes the names of MTC objects of one resource (plans
// as the argument, migrations for --migration).
func completeNames(env *cli.Env, gvr schema.GroupVersionResource) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if gvr == kube.MigPlans && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		access, err := env.Access()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		var names []string
		ri := access.Host().Dynamic.Resource(gvr).Namespace(env.MigNamespace())
		err = kube.EachPage(ctx, ri, metav1.ListOptions{}, func(items []unstructured.Unstructured) error {
			for _, it := range items {
				if strings.HasPrefix(it.GetName(), toComplete) {
					names = append(names, it.GetName())
				}
			}
			return nil
		})
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
