package volumes

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// Selection fields, as named in refusals (and in the MigPlan's
// spec.persistentVolumes[].selection).
const (
	FieldAction       = "action"
	FieldCopyMethod   = "copyMethod"
	FieldStorageClass = "storageClass"
	FieldAccessMode   = "accessMode"
	FieldVerify       = "verify"
)

// Refusal is a choice a volume cannot take, and why.
type Refusal struct {
	PV     string `json:"pv"`
	PVC    string `json:"pvc"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (r Refusal) String() string { return fmt.Sprintf("PV %s (PVC %s): %s", r.PV, r.PVC, r.Reason) }

// Note is advice about a choice that was accepted.
type Note struct {
	PV      string `json:"pv"`
	PVC     string `json:"pvc"`
	Message string `json:"message"`
}

func (n Note) String() string { return fmt.Sprintf("PV %s (PVC %s): %s", n.PV, n.PVC, n.Message) }

// destination is the destination cluster's storage classes as the
// controller reported them in status.destStorageClasses.
type destination []mtc.StorageClass

func (d destination) find(name string) *mtc.StorageClass {
	for i := range d {
		if d[i].Name == name {
			return &d[i]
		}
	}
	return nil
}

// names renders "gp3 (default), nfs-csi".
func (d destination) names() string {
	out := make([]string, 0, len(d))
	for _, sc := range d {
		if sc.Default {
			out = append(out, sc.Name+" (default)")
		} else {
			out = append(out, sc.Name)
		}
	}
	return listOrNone(out)
}

// unknownClass explains why a storage class cannot be used.
func (d destination) unknownClass(name string) string {
	if len(d) == 0 {
		return fmt.Sprintf("the plan reports no destination storage classes (status.destStorageClasses), so %q cannot be checked: "+
			"wait until the controller has discovered them", name)
	}
	return fmt.Sprintf("storage class %q does not exist on the destination cluster (it has: %s)", name, d.names())
}

// ModesFor returns the access modes sc offers for volumes of mode vm.
func ModesFor(sc *mtc.StorageClass, vm corev1.PersistentVolumeMode) []corev1.PersistentVolumeAccessMode {
	for _, m := range sc.VolumeAccessModes {
		if m.VolumeMode == vm {
			return m.AccessModes
		}
	}
	return nil
}

// checker validates one change on one volume.
type checker struct {
	pv    *mtc.PV
	claim Claim
	ch    Change
	next  mtc.Selection
	dest  destination

	refusals []Refusal
	notes    []Note
}

// check returns the selection pv would have after ch, the reasons it
// cannot have it, and advice. It mirrors the controller's own validation
// (MTC migplan validation.go validatePvSelections), but refuses up front
// what the controller would only flag after the write, and explains why.
func check(pv *mtc.PV, ch Change, dest destination) (mtc.Selection, []Refusal, []Note) {
	c := &checker{pv: pv, claim: claimOf(pv.PVC, nil), ch: ch, next: apply(pv.Selection, ch), dest: dest}
	c.action()
	if len(c.refusals) > 0 { // the action is the problem; what follows from it would mislead
		return c.next, c.refusals, c.notes
	}
	if c.next.Action == mtc.PVActionCopy {
		c.copyMethod()
		c.target()
		c.verify()
	} else {
		c.copyOnlyFields()
	}
	return c.next, c.refusals, c.notes
}

// apply returns sel with the fields ch sets.
func apply(sel mtc.Selection, ch Change) mtc.Selection {
	if ch.Action != "" {
		sel.Action = ch.Action
	}
	if ch.CopyMethod != "" {
		sel.CopyMethod = ch.CopyMethod
	}
	if ch.StorageClass != "" {
		sel.StorageClass = ch.StorageClass
	}
	if ch.AccessMode != "" {
		sel.AccessMode = ch.AccessMode
	}
	if ch.Verify != nil {
		sel.Verify = *ch.Verify
	}
	return sel
}

func (c *checker) refuse(field, format string, args ...any) {
	c.refusals = append(c.refusals, Refusal{PV: c.pv.Name, PVC: c.claim.String(), Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) note(format string, args ...any) {
	c.notes = append(c.notes, Note{PV: c.pv.Name, PVC: c.claim.String(), Message: fmt.Sprintf(format, args...)})
}

func (c *checker) action() {
	a := c.ch.Action
	if a == "" {
		return
	}
	supported := c.pv.Supported.Actions
	if contains(supported, a) {
		if a == mtc.PVActionSkip && c.pv.Selection.Action != mtc.PVActionSkip {
			c.note("skipped: neither its data nor its PVC is migrated")
		}
		return
	}
	offered := listOrNone(supported)
	switch {
	case len(supported) == 0:
		c.refuse(FieldAction, "cannot %s: the controller offers no action for this volume (PvNoSupportedAction)", a)
	case a == mtc.PVActionMove:
		c.refuse(FieldAction, "cannot move: MTC offers move only for volumes both clusters can reach where they are "+
			"(NFS, AWS EBS, or a storage class listed in the controller's PV_MOVE_STORAGECLASSES); this volume "+
			"(storage class %s) supports %s: copy it instead", orNone(c.pv.StorageClass), offered)
	case a == mtc.PVActionCopy:
		c.refuse(FieldAction, "cannot copy: MTC supports only %s for this volume (hostPath volumes cannot be migrated)", offered)
	default:
		c.refuse(FieldAction, "cannot %s: this volume supports %s", a, offered)
	}
}

// copyOnlyFields refuses copy settings on a volume that is not copied: the
// controller ignores them, so accepting them would mislead. Turning
// verification off does nothing either way and is let through, so that
// "--all --verify=false" works on a plan that also moves volumes.
func (c *checker) copyOnlyFields() {
	why := fmt.Sprintf("applies only to copied volumes, and this volume's action is %s (set action copy to copy it)", orNone(c.next.Action))
	if c.ch.CopyMethod != "" {
		c.refuse(FieldCopyMethod, "copy method %s %s", c.ch.CopyMethod, why)
	}
	if c.ch.StorageClass != "" {
		c.refuse(FieldStorageClass, "target storage class %s %s", c.ch.StorageClass, why)
	}
	if c.ch.AccessMode != "" {
		c.refuse(FieldAccessMode, "access mode %s %s", c.ch.AccessMode, why)
	}
	if c.ch.Verify != nil && *c.ch.Verify {
		c.refuse(FieldVerify, "verification %s", why)
	}
}

func (c *checker) copyMethod() {
	m := c.ch.CopyMethod
	switch {
	case m != "" && !contains(c.pv.Supported.CopyMethods, m):
		msg := fmt.Sprintf("copy method %s is not supported for this volume (supported: %s)", m, listOrNone(c.pv.Supported.CopyMethods))
		if m == mtc.PVCopyMethodSnapshot {
			msg += "; snapshot copies need a volume snapshot provider on the MigStorage and a snapshot-capable source storage class"
		}
		c.refuse(FieldCopyMethod, "%s", msg)
		return
	case c.next.CopyMethod == "":
		field := FieldCopyMethod
		if c.ch.Action != "" {
			field = FieldAction
		}
		c.refuse(field, "a copied volume needs a copy method (MTC reports PvNoCopyMethodSelection): choose %s", strings.Join(CopyMethods, ", "))
		return
	case m == "":
		return
	}
	switch {
	case m == mtc.PVCopyMethodSnapshot:
		c.note("snapshot copies go through Velero volume snapshots: the MigStorage needs a volume snapshot provider, and the " +
			"target storage class must be compatible with the source volume's storage type (PvWarnCopyMethodSnapshot)")
	case m == mtc.PVCopyMethodBlock && c.claim.VolumeMode != corev1.PersistentVolumeBlock:
		c.note("copy method block is meant for Block-mode volumes; this PVC is %s, for which filesystem is the usual choice", c.claim.VolumeMode)
	case m == mtc.PVCopyMethodFilesystem && c.claim.VolumeMode == corev1.PersistentVolumeBlock:
		c.note("this PVC is a Block-mode volume, for which block is the usual copy method")
	}
}

// target checks the target storage class and access mode when the change
// touches them (or starts copying the volume).
func (c *checker) target() {
	startsCopying := c.ch.Action == mtc.PVActionCopy && c.pv.Selection.Action != mtc.PVActionCopy
	if c.ch.StorageClass == "" && c.ch.AccessMode == "" && !startsCopying {
		return
	}
	sc := c.next.StorageClass
	if sc == "" {
		c.note("no target storage class: MTC copies it only onto a static PV that already exists on the destination (PvNoStorageClassSelection)")
		return
	}
	class := c.dest.find(sc)
	if class == nil {
		field := FieldStorageClass
		if c.ch.StorageClass == "" {
			field = c.targetField()
		}
		c.refuse(field, "%s", c.dest.unknownClass(sc))
		return
	}
	if c.next.AccessMode == AccessModeAuto {
		return
	}
	if len(class.VolumeAccessModes) == 0 {
		c.note("storage class %s reports no access modes, so they could not be checked", sc)
		return
	}
	offered := ModesFor(class, c.claim.VolumeMode)
	if c.next.AccessMode != "" {
		if !containsMode(offered, c.next.AccessMode) {
			c.refuse(c.targetField(), "storage class %s does not offer access mode %s for %s volumes (it offers: %s)",
				sc, c.next.AccessMode, c.claim.VolumeMode, modes(offered))
		}
		return
	}
	for _, m := range c.claim.AccessModes {
		if containsMode(offered, m) {
			return
		}
	}
	c.refuse(c.targetField(), "storage class %s offers none of the PVC's access modes (%s) for %s volumes (it offers: %s): "+
		"choose an access mode it offers, or another storage class", sc, modes(c.claim.AccessModes), c.claim.VolumeMode, modes(offered))
}

// targetField is the field to blame when the target does not fit: the one
// the change set, the access mode first.
func (c *checker) targetField() string {
	switch {
	case c.ch.AccessMode != "":
		return FieldAccessMode
	case c.ch.StorageClass != "":
		return FieldStorageClass
	}
	return FieldAction
}

func (c *checker) verify() {
	if !c.next.Verify || c.next.CopyMethod != mtc.PVCopyMethodSnapshot || (c.ch.Verify == nil && c.ch.CopyMethod == "") {
		return
	}
	field := FieldVerify
	if c.ch.Verify == nil {
		field = FieldCopyMethod
	}
	c.refuse(field, "verification applies to filesystem and block copies; snapshot copies are not verified (set verify to false, or another copy method)")
}

func containsMode(list []corev1.PersistentVolumeAccessMode, m corev1.PersistentVolumeAccessMode) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

func modes(list []corev1.PersistentVolumeAccessMode) string {
	out := make([]string, 0, len(list))
	for _, m := range list {
		out = append(out, string(m))
	}
	return listOrNone(out)
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
