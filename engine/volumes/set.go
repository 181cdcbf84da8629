package volumes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// DryRun is how far a change goes.
type DryRun int

// Dry-run modes, as kubectl's --dry-run.
const (
	// DryRunNone writes the change.
	DryRunNone DryRun = iota
	// DryRunClient reads the plan and validates, but sends no write.
	DryRunClient
	// DryRunServer also sends the guarded patch as a server-side dry run,
	// so admission and the CRD schema see it; nothing is persisted.
	DryRunServer
)

// Request is a change to the selection of some volumes of a plan.
type Request struct {
	Selector Selector
	Change   Change
	DryRun   DryRun
}

// VolumeChange is one volume's selection before and after.
type VolumeChange struct {
	PV     string        `json:"pv"`
	PVC    string        `json:"pvc"`
	Before mtc.Selection `json:"before"`
	After  mtc.Selection `json:"after"`
}

// Result is what a change did (or, with a dry run, would do).
type Result struct {
	// Plan is the MigPlan after the change: read back after a real write,
	// computed from the copy the patch was guarded on for a dry run.
	Plan    *mtc.MigPlan   `json:"-"`
	Changed []VolumeChange `json:"changed"`
	// Unchanged are the PVs that already had the selection asked for.
	Unchanged []string `json:"unchanged,omitempty"`
	// Skipped are the defaults a volume could not take (ApplyDefaults only;
	// Set refuses instead).
	Skipped []Refusal `json:"skipped,omitempty"`
	Notes   []Note    `json:"notes,omitempty"`
	// Attempts is how many times the change was computed: more than one
	// means the controller wrote the plan meanwhile and the patch was
	// recomputed from its new copy.
	Attempts int `json:"-"`
}

// RefusedError lists every volume choice that cannot be made; nothing was
// changed.
type RefusedError struct {
	Namespace, Plan string
	Refusals        []Refusal
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "MigPlan %s/%s: refused %d volume choice(s), nothing was changed:", e.Namespace, e.Plan, len(e.Refusals))
	for _, r := range e.Refusals {
		b.WriteString("\n  - " + r.String())
	}
	return b.String()
}

// Set validates req against the plan and the destination and changes the
// selection of the named volumes, and nothing else: each changed field is
// one JSON-patch operation under spec.persistentVolumes[i].selection,
// guarded by the plan's resourceVersion and recomputed from a fresh copy if
// the controller wrote the plan in between. Every problem is reported at
// once (a *RefusedError) and then nothing is written.
func Set(ctx context.Context, ri dynamic.ResourceInterface, plan string, req Request) (*Result, error) {
	if err := req.Selector.Validate(); err != nil {
		return nil, err
	}
	if err := req.Change.Validate(); err != nil {
		return nil, err
	}
	return write(ctx, ri, plan, req.DryRun, func(p *mtc.MigPlan) (*outcome, error) {
		idx, err := req.Selector.resolve(p)
		if err != nil {
			return nil, err
		}
		o := computeSet(p, idx, req.Change)
		if len(o.refusals) > 0 {
			return nil, &RefusedError{Namespace: p.Namespace, Plan: p.Name, Refusals: o.refusals}
		}
		return o, nil
	})
}

// outcome is a change computed on one copy of the plan.
type outcome struct {
	changes   []indexedChange
	unchanged []string
	refusals  []Refusal
	skipped   []Refusal
	notes     []Note
}

type indexedChange struct {
	index int
	VolumeChange
}

func computeSet(p *mtc.MigPlan, idx []int, ch Change) *outcome {
	o := &outcome{}
	dest := destination(p.Status.DestStorageClasses)
	for _, i := range idx {
		pv := &p.Spec.PersistentVolumes[i]
		next, refusals, notes := check(pv, ch, dest)
		o.refusals = append(o.refusals, refusals...)
		o.notes = append(o.notes, notes...)
		o.record(i, pv, next)
	}
	return o
}

func (o *outcome) record(i int, pv *mtc.PV, next mtc.Selection) {
	if next == pv.Selection {
		o.unchanged = append(o.unchanged, pv.Name)
		return
	}
	o.changes = append(o.changes, indexedChange{index: i, VolumeChange: VolumeChange{
		PV: pv.Name, PVC: claimOf(pv.PVC, nil).String(), Before: pv.Selection, After: next,
	}})
}

// writable refuses plans whose volume choices can no longer matter or
// cannot be made yet.
func writable(p *mtc.MigPlan) error {
	switch {
	case p.Spec.Closed:
		return fmt.Errorf("MigPlan %s/%s is closed: it runs no further migrations, so its volume choices no longer matter", p.Namespace, p.Name)
	case p.Status.Conditions.HasCondition(mtc.ConditionSuspended):
		return fmt.Errorf("MigPlan %s/%s is suspended (a migration of it is running, or its final migration succeeded): "+
			"the controller does not re-validate volume choices now; wait for the migration to end, or roll back first", p.Namespace, p.Name)
	case !discovered(p):
		return notDiscovered(p)
	}
	return nil
}

// write runs compute on a fresh copy of the plan and patches the
// selections it changes, guarded by resourceVersion.
func write(ctx context.Context, ri dynamic.ResourceInterface, plan string, dry DryRun,
	compute func(*mtc.MigPlan) (*outcome, error)) (*Result, error) {
	res := &Result{}
	var final *outcome
	var refused error // from our checks: already says what and why
	build := func(p *mtc.MigPlan, _ string) ([]kube.JSONPatchOp, error) {
		res.Attempts++
		if refused = writable(p); refused != nil {
			return nil, refused
		}
		o, err := compute(p)
		if refused = err; err != nil {
			return nil, err
		}
		final = o
		res.Plan = applied(p, o)
		return o.ops(p), nil
	}
	if dry == DryRunClient {
		p, err := kube.Get[mtc.MigPlan](ctx, ri, plan)
		if err != nil {
			return nil, fmt.Errorf("read MigPlan %s: %w", plan, err)
		}
		if _, err := build(p, p.ResourceVersion); err != nil {
			return nil, err
		}
		return res.fill(final), nil
	}
	if err := kube.GuardedPatch(ctx, ri, plan, dry == DryRunServer, build); err != nil {
		if refused != nil && errors.Is(err, refused) {
			return nil, err
		}
		return nil, fmt.Errorf("change volume selections of MigPlan %s: %w", plan, err)
	}
	if dry == DryRunNone && len(final.changes) > 0 {
		if p, err := kube.Get[mtc.MigPlan](ctx, ri, plan); err == nil {
			res.Plan = p // with the new resourceVersion; the computed copy is the fallback
		}
	}
	return res.fill(final), nil
}

func (r *Result) fill(o *outcome) *Result {
	r.Changed = make([]VolumeChange, 0, len(o.changes))
	for _, c := range o.changes {
		r.Changed = append(r.Changed, c.VolumeChange)
	}
	r.Unchanged, r.Skipped, r.Notes = o.unchanged, o.skipped, o.notes
	return r
}

// applied returns a copy of p with the outcome's selections.
func applied(p *mtc.MigPlan, o *outcome) *mtc.MigPlan {
	out := p.DeepCopy()
	for _, c := range o.changes {
		out.Spec.PersistentVolumes[c.index].Selection = c.After
	}
	return out
}

// ops is the JSON patch: per changed volume a test of its name at its index
// (the resourceVersion guard already pins the list; this documents intent
// and costs nothing), then one "add" per changed selection field ("add"
// replaces an existing member). A volume with an empty selection gets the
// whole object, since its members' parent may be absent.
func (o *outcome) ops(p *mtc.MigPlan) []kube.JSONPatchOp {
	var ops []kube.JSONPatchOp
	for _, c := range o.changes {
		base := fmt.Sprintf("/spec/persistentVolumes/%d", c.index)
		ops = append(ops, kube.JSONPatchOp{Op: "test", Path: base + "/name", Value: p.Spec.PersistentVolumes[c.index].Name})
		if c.Before == (mtc.Selection{}) {
			ops = append(ops, kube.JSONPatchOp{Op: "add", Path: base + "/selection", Value: c.After})
			continue
		}
		for _, f := range fieldDiff(c.Before, c.After) {
			ops = append(ops, kube.JSONPatchOp{Op: "add", Path: base + "/selection/" + f.name, Value: f.value})
		}
	}
	return ops
}

type fieldValue struct {
	name  string
	value any
}

func fieldDiff(before, after mtc.Selection) []fieldValue {
	var out []fieldValue
	if before.Action != after.Action {
		out = append(out, fieldValue{FieldAction, after.Action})
	}
	if before.CopyMethod != after.CopyMethod {
		out = append(out, fieldValue{FieldCopyMethod, after.CopyMethod})
	}
	if before.StorageClass != after.StorageClass {
		out = append(out, fieldValue{FieldStorageClass, after.StorageClass})
	}
	if before.AccessMode != after.AccessMode {
		out = append(out, fieldValue{FieldAccessMode, string(after.AccessMode)})
	}
	if before.Verify != after.Verify {
		out = append(out, fieldValue{FieldVerify, after.Verify})
	}
	return out
}
