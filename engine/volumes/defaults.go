package volumes

import (
	"context"
	"fmt"

	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// ApplyDefaults sets d on every discovered volume of the plan that can take
// it, as `plan create --default-action/--default-copy-method/
// --default-storage-class` asks once the controller has discovered the
// volumes (call WaitDiscovered, or wait for Ready, first).
//
// Unlike Set, a default that does not fit one volume does not stop the
// others: a default action the volume does not support, a copy method it
// does not support, a storage class that offers none of its PVC's access
// modes is left out for that volume and reported in Result.Skipped, and the
// controller's own choice stays. Copy settings apply only to volumes whose
// action (after the default action) is copy. A storage class the
// destination does not have is an error, and then nothing is changed. The
// write is the same resourceVersion-guarded selection patch as Set's.
func ApplyDefaults(ctx context.Context, ri dynamic.ResourceInterface, plan string, d Defaults) (*Result, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if d.Empty() {
		return &Result{Changed: []VolumeChange{}}, nil
	}
	return write(ctx, ri, plan, DryRunNone, func(p *mtc.MigPlan) (*outcome, error) {
		return computeDefaults(p, d)
	})
}

func computeDefaults(p *mtc.MigPlan, d Defaults) (*outcome, error) {
	dest := destination(p.Status.DestStorageClasses)
	if d.StorageClass != "" && dest.find(d.StorageClass) == nil {
		return nil, fmt.Errorf("MigPlan %s/%s: default storage class: %s; no defaults were applied", p.Namespace, p.Name, dest.unknownClass(d.StorageClass))
	}
	o := &outcome{}
	for i := range p.Spec.PersistentVolumes {
		pv := &p.Spec.PersistentVolumes[i]
		next, skipped, notes := fitDefaults(pv, d, dest)
		o.skipped = append(o.skipped, skipped...)
		o.notes = append(o.notes, notes...)
		o.record(i, pv, next)
	}
	return o, nil
}

// fitDefaults drops, one field at a time, the defaults pv refuses, until
// what remains is accepted. Each refusal names the field to drop.
func fitDefaults(pv *mtc.PV, d Defaults, dest destination) (mtc.Selection, []Refusal, []Note) {
	ch := d.change()
	var skipped []Refusal
	if ch.Action != "" && !contains(pv.Supported.Actions, ch.Action) {
		_, refusals, _ := check(pv, Change{Action: ch.Action}, dest)
		skipped = append(skipped, refusals...)
		ch.Action = ""
	}
	if apply(pv.Selection, ch).Action != mtc.PVActionCopy { // copy settings do not concern it
		ch.CopyMethod, ch.StorageClass = "", ""
	}
	for range 4 { // at most one round per remaining field, plus the final check
		next, refusals, notes := check(pv, ch, dest)
		if len(refusals) == 0 {
			return next, skipped, notes
		}
		for _, r := range refusals {
			skipped = append(skipped, r)
			ch = without(ch, r.Field)
		}
	}
	return pv.Selection, skipped, nil
}

// without returns ch without the field named.
func without(ch Change, field string) Change {
	switch field {
	case FieldAction:
		ch.Action = ""
	case FieldCopyMethod:
		ch.CopyMethod = ""
	case FieldStorageClass:
		ch.StorageClass = ""
	case FieldAccessMode:
		ch.AccessMode = ""
	case FieldVerify:
		ch.Verify = nil
	}
	return ch
}
