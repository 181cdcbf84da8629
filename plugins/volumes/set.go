package volumes

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// SetOptions are the inputs of `plan volumes set`.
type SetOptions struct {
	env  *cli.Env
	Plan string

	PVs              []string
	PVCs             []string
	All              bool
	StorageClassFrom string

	Action       string
	CopyMethod   string
	StorageClass string
	AccessMode   string
	Verify       bool
	DryRunValue  string

	verifySet bool
	output    *cmdkit.Output
	dryRun    cmdkit.DryRun
	request   engvol.Request
}

// NewCmdSet returns `plan volumes set`.
func NewCmdSet(env *cli.Env) *cobra.Command {
	o := &SetOptions{env: env, output: cmdkit.NewOutput("patched", false)}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "set PLAN (--pv NAME... | --pvc NS/NAME... | --all | --storage-class-from SC) [--action copy|move|skip] [--copy-method filesystem|snapshot|block] [--storage-class SC] [--access-mode MODE] [--verify=true|false]",
		Short: "Choose how persistent volumes of a plan migrate: copy, move or skip, copy method, target storage class",
		Long: `Change the choice for some volumes of a plan. Each choice is checked first
against what the controller says the volume supports and what the destination
offers (its storage classes and their access modes, from the plan's status):
move of a volume MTC cannot move, a copy method the volume does not support,
a storage class the destination lacks, an access mode the class does not offer
for the PVC's volume mode, copy settings on a volume that is moved or skipped,
and verification of snapshot copies are refused, with the reason, and then
nothing is changed.

Only the selection of the named volumes is written, with a JSON patch guarded
by the plan's resourceVersion: if the controller rewrites the plan meanwhile
(it rediscovers volumes and writes the whole object), the change is recomputed
from its new copy, so neither write is lost.

Volumes are named by PV (--pv) and/or PVC (--pvc, source namespace/name), or
--all, or --storage-class-from (the volumes on that source storage class).`,
		Example: `  # Move the NFS volume (remount it on the destination), copy the database volume
  # with snapshots onto gp3-csi
  ` + name + ` plan volumes set shop --pvc shop/data --action move
  ` + name + ` plan volumes set shop --pvc shop/db --action copy --copy-method snapshot --storage-class gp3-csi

  # Verify every filesystem copy of volumes on the nfs storage class
  ` + name + ` plan volumes set shop --storage-class-from nfs --action copy --copy-method filesystem --verify

  # Show what would change, without changing anything
  ` + name + ` plan volumes set shop --all --action skip --dry-run`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completePlans(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.PVs, "pv", nil, "PV names to change (repeatable, or comma-separated)")
	f.StringSliceVar(&o.PVCs, "pvc", nil, "PVCs to change, as source namespace/name (repeatable, or comma-separated)")
	f.BoolVar(&o.All, "all", false, "change every volume of the plan")
	f.StringVar(&o.StorageClassFrom, "storage-class-from", "", "change the volumes on this source storage class")
	f.StringVar(&o.Action, "action", "", "copy, move or skip")
	f.StringVar(&o.CopyMethod, "copy-method", "", "filesystem, snapshot or block (copied volumes only)")
	f.StringVar(&o.StorageClass, "storage-class", "", "destination storage class (copied volumes only)")
	f.StringVar(&o.AccessMode, "access-mode", "", "destination access mode: ReadWriteOnce (RWO), ReadOnlyMany (ROX), ReadWriteMany (RWX) or auto (copied volumes only)")
	f.BoolVar(&o.Verify, "verify", false, "verify copied data after a filesystem or block copy (--verify=false turns it off)")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	registerSetCompletions(cmd, env)
	return cmd
}

// Complete reads the flags into an engine request.
func (o *SetOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Plan = args[0]
	o.verifySet = cmd.Flags().Changed("verify")
	var err error
	if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
		return err
	}
	ch := engvol.Change{Action: o.Action, CopyMethod: o.CopyMethod, StorageClass: o.StorageClass}
	if o.AccessMode != "" {
		if ch.AccessMode, err = engvol.ParseAccessMode(o.AccessMode); err != nil {
			return cli.Usagef("--access-mode: %v", err)
		}
	}
	if o.verifySet {
		v := o.Verify
		ch.Verify = &v
	}
	o.request = engvol.Request{
		Selector: engvol.Selector{PVs: trimAll(o.PVs), PVCs: trimAll(o.PVCs), All: o.All, StorageClassFrom: o.StorageClassFrom},
		Change:   ch,
		DryRun:   engineDryRun(o.dryRun),
	}
	return nil
}

// Validate checks what needs no cluster: volumes named one way, something
// to change, known values, a known -o.
func (o *SetOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if err := o.request.Selector.Validate(); err != nil {
		return cli.Usagef("%s (--pv/--pvc, --all or --storage-class-from)", err)
	}
	if err := o.request.Change.Validate(); err != nil {
		return cli.Usagef("%s", flagNames(err.Error()))
	}
	return nil
}

// Run validates the choice against the plan and writes it.
func (o *SetOptions) Run(ctx context.Context) error {
	ri, err := plans(o.env)
	if err != nil {
		return err
	}
	res, err := engvol.Set(ctx, ri, o.Plan, o.request)
	if err != nil {
		return err
	}
	streams := o.env.Streams
	for _, n := range res.Notes {
		fmt.Fprintf(streams.ErrOut, "Warning: %s\n", n)
	}
	if o.output.Format() != "" {
		return o.output.Print(streams.Out, res.Plan, o.dryRun)
	}
	writeChanges(streams.Out, res)
	suffix := o.dryRun.Suffix()
	if len(res.Changed) == 0 {
		suffix = " (no change)"
	}
	fmt.Fprintf(streams.Out, "migplan.migration.openshift.io/%s patched%s\n", o.Plan, suffix)
	return nil
}

func engineDryRun(d cmdkit.DryRun) engvol.DryRun {
	switch d {
	case cmdkit.DryRunClient:
		return engvol.DryRunClient
	case cmdkit.DryRunServer:
		return engvol.DryRunServer
	}
	return engvol.DryRunNone
}

// flagNames turns the engine's wording into the flags users typed.
func flagNames(msg string) string {
	return strings.NewReplacer(
		"set an action, copy method, storage class, access mode or verification",
		"set --action, --copy-method, --storage-class, --access-mode or --verify",
	).Replace(msg)
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
