// Package volumes holds `kubectl mig plan volumes`: show how each persistent
// volume of a migration plan migrates (copy, move or skip) and change it
// with `set`. The lead attaches NewCmdPlanVolumes under `plan`.
package volumes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// ListOptions are the inputs of `plan volumes PLAN`.
type ListOptions struct {
	env    *cli.Env
	Plan   string
	Output string
}

// NewCmdPlanVolumes returns `plan volumes PLAN` with its `set` subcommand.
func NewCmdPlanVolumes(env *cli.Env) *cobra.Command {
	o := &ListOptions{env: env}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "volumes PLAN",
		Short: "Show how each persistent volume of a plan migrates (copy, move or skip); change it with 'set'",
		Long: `The MTC controller discovers the persistent volumes of a plan's namespaces and
records, for each, the actions and copy methods it supports and a default
choice. This lists them: the PVC (and the name it gets on the destination),
the PV, its capacity and storage class, what it supports, the current choice
(action, copy method, target storage class, access mode, verification), the
capacity MTC proposes after PV usage analysis, and the plan's warnings and
errors that name the volume. "-" is an unset choice; an unset access mode
keeps the PVC's own.

  copy   the data is copied: directly with rsync (direct volume migration), or
         through the replication repository; copy method filesystem, block
         (for Block-mode volumes) or snapshot (Velero volume snapshots),
         optionally verified, onto a target storage class.
  move   a remote volume (NFS) is unmounted from the source and the same volume
         is mounted on the destination: no data is copied. MTC offers it only
         for volumes both clusters can reach.
  skip   neither the data nor the PVC is migrated.

Change choices with '` + name + ` plan volumes set'.`,
		Example: `  # What each volume of plan shop will do
  ` + name + ` plan volumes shop

  # The same as YAML, for scripts
  ` + name + ` plan volumes shop -o yaml`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completePlans(env),
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
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format. One of: (json, yaml, wide).")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml", "wide"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.AddCommand(NewCmdSet(env))
	return cmd
}

// Complete takes the plan name.
func (o *ListOptions) Complete(args []string) error {
	o.Plan = args[0]
	return nil
}

// Validate checks -o.
func (o *ListOptions) Validate() error {
	switch o.Output {
	case "", "wide", "json", "yaml":
		return nil
	}
	return cli.Usagef("unknown output format %q: want json, yaml or wide", o.Output)
}

// Run lists the volumes. A plan whose volumes are not discovered yet is an
// error that says why (in -o json|yaml the listing is printed first).
func (o *ListOptions) Run(ctx context.Context) error {
	ri, err := plans(o.env)
	if err != nil {
		return err
	}
	l, err := engvol.List(ctx, ri, o.Plan)
	if err != nil {
		return err
	}
	out := o.env.Streams.Out
	switch o.Output {
	case "json", "yaml":
		if err := printStructured(out, o.Output, l); err != nil {
			return err
		}
	default:
		if l.Discovered {
			writeListing(out, o.env.Streams.ErrOut, l, o.Output == "wide")
		}
	}
	if !l.Discovered {
		return &engvol.NotDiscoveredError{Plan: l.Plan, Namespace: l.Namespace, Why: l.NotDiscovered}
	}
	return nil
}

// plans returns the MigPlans of the MTC namespace on the host cluster.
func plans(env *cli.Env) (dynamic.ResourceInterface, error) {
	a, err := env.Access()
	if err != nil {
		return nil, err
	}
	return a.Host().Dynamic.Resource(kube.MigPlans).Namespace(env.MigNamespace()), nil
}

func printStructured(w io.Writer, format string, v any) error {
	var b []byte
	var err error
	if format == "json" {
		b, err = json.MarshalIndent(v, "", "    ")
		b = append(b, '\n')
	} else {
		b, err = yaml.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	_, err = w.Write(b)
	return err
}
