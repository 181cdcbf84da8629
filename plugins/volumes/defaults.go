package volumes

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// DefaultFlags are `plan create`'s --default-action, --default-copy-method
// and --default-storage-class: a choice applied to every discovered volume
// that can take it, once the controller has discovered the volumes. The
// plan command embeds it: AddFlags in NewCmdCreate, Validate in Validate
// (before anything is created), Apply in Run after the plan is created.
type DefaultFlags struct {
	engvol.Defaults
}

// AddFlags registers the three flags on cmd.
func (d *DefaultFlags) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&d.Action, "default-action", "", "once volumes are discovered, set this action (copy, move or skip) on every volume that supports it")
	f.StringVar(&d.CopyMethod, "default-copy-method", "", "once volumes are discovered, set this copy method (filesystem, snapshot or block) on every copied volume that supports it")
	f.StringVar(&d.StorageClass, "default-storage-class", "", "once volumes are discovered, copy every copied volume onto this destination storage class where it fits")
	fixed := func(vals ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = cmd.RegisterFlagCompletionFunc("default-action", fixed(engvol.Actions...))
	_ = cmd.RegisterFlagCompletionFunc("default-copy-method", fixed(engvol.CopyMethods...))
}

// Validate refuses unknown values before anything is created. dryRun is
// whether the create is a dry run: defaults need the controller to have
// discovered the volumes of a real plan, so they cannot be combined.
func (d *DefaultFlags) Validate(dryRun bool) error {
	if d.Empty() {
		return nil
	}
	if dryRun {
		return cli.Usagef("--default-action, --default-copy-method and --default-storage-class apply once the controller has discovered the volumes of the created plan, so they cannot be combined with --dry-run")
	}
	if err := d.Defaults.Validate(); err != nil {
		return cli.Usagef("%s", err)
	}
	return nil
}

// Apply waits up to timeout for the controller to discover the plan's
// volumes, applies the defaults and reports, on w, what changed and which
// volumes kept the controller's choice and why. ri is the MigPlans of the
// MTC namespace on the host. Nothing happens when no default is set.
func (d *DefaultFlags) Apply(ctx context.Context, ri dynamic.ResourceInterface, plan string, timeout time.Duration, w io.Writer) error {
	if d.Empty() {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fmt.Fprintf(w, "waiting up to %s for the controller to discover the volumes of plan %s...\n", timeout, plan)
	if _, err := engvol.WaitDiscovered(wctx, ri, plan, time.Second); err != nil {
		return fmt.Errorf("default volume choices were not applied: %w", err)
	}
	res, err := engvol.ApplyDefaults(ctx, ri, plan, d.Defaults)
	if err != nil {
		return fmt.Errorf("default volume choices were not applied: %w", err)
	}
	ReportDefaults(w, plan, res)
	return nil
}

// ReportDefaults prints what ApplyDefaults did.
func ReportDefaults(w io.Writer, plan string, res *engvol.Result) {
	fmt.Fprintf(w, "default volume choices: %d volume(s) of plan %s changed", len(res.Changed), plan)
	if len(res.Unchanged) > 0 {
		fmt.Fprintf(w, ", %d already as asked", len(res.Unchanged))
	}
	fmt.Fprintln(w)
	for _, c := range res.Changed {
		fmt.Fprintf(w, "  %s (PVC %s): %s\n", c.PV, c.PVC, describeSelection(c.After))
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "Warning: PV %s (PVC %s): default %s not applied, the controller's choice stays: %s\n",
			s.PV, s.PVC, fieldLabels[s.Field], s.Reason)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "Warning: %s\n", n)
	}
}

var fieldLabels = map[string]string{
	engvol.FieldAction: "action", engvol.FieldCopyMethod: "copy method", engvol.FieldStorageClass: "storage class",
	engvol.FieldAccessMode: "access mode", engvol.FieldVerify: "verification",
}
