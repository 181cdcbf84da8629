package volumes

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// Actions and CopyMethods are the values MTC accepts, in the order users
// usually consider them.
var (
	Actions     = []string{mtc.PVActionCopy, mtc.PVActionMove, mtc.PVActionSkip}
	CopyMethods = []string{mtc.PVCopyMethodFilesystem, mtc.PVCopyMethodSnapshot, mtc.PVCopyMethodBlock}
)

// AccessModeAuto asks the destination's storage profile (CDI) to choose the
// access mode; MTC accepts it besides the Kubernetes modes.
const AccessModeAuto corev1.PersistentVolumeAccessMode = "auto"

// AccessModes are the access modes MTC accepts in a selection.
var AccessModes = []corev1.PersistentVolumeAccessMode{
	corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, AccessModeAuto,
}

// shortAccessModes are kubectl's abbreviations.
var shortAccessModes = map[string]corev1.PersistentVolumeAccessMode{
	"RWO": corev1.ReadWriteOnce, "ROX": corev1.ReadOnlyMany, "RWX": corev1.ReadWriteMany, "RWOP": corev1.ReadWriteOncePod,
}

// ParseAccessMode accepts a Kubernetes access mode, its abbreviation (RWO,
// ROX, RWX) or "auto". ReadWriteOncePod is refused: MTC's plan validation
// rejects it (PvInvalidAccessMode).
func ParseAccessMode(s string) (corev1.PersistentVolumeAccessMode, error) {
	m := corev1.PersistentVolumeAccessMode(s)
	if short, ok := shortAccessModes[strings.ToUpper(s)]; ok {
		m = short
	}
	if strings.EqualFold(s, string(AccessModeAuto)) {
		m = AccessModeAuto
	}
	for _, ok := range AccessModes {
		if m == ok {
			return m, nil
		}
	}
	if m == corev1.ReadWriteOncePod {
		return "", fmt.Errorf("access mode %s is not accepted by MTC (it reports PvInvalidAccessMode); use ReadWriteOnce", m)
	}
	return "", fmt.Errorf("unknown access mode %q: want ReadWriteOnce (RWO), ReadOnlyMany (ROX), ReadWriteMany (RWX) or auto", s)
}

// Selector names the volumes a change applies to: PV names and PVCs
// ("namespace/name", source side) together, or every volume, or those on a
// source storage class.
type Selector struct {
	PVs              []string
	PVCs             []string
	All              bool
	StorageClassFrom string
}

// Validate checks that exactly one way of naming volumes is used (--pv and
// --pvc combine) and that PVC references are "namespace/name".
func (s Selector) Validate() error {
	ways := 0
	if len(s.PVs)+len(s.PVCs) > 0 {
		ways++
	}
	if s.All {
		ways++
	}
	if s.StorageClassFrom != "" {
		ways++
	}
	switch {
	case ways == 0:
		return errors.New("name the volumes to change: PV names, PVCs (namespace/name), all volumes, or a source storage class")
	case ways > 1:
		return errors.New("name volumes one way: PV names and PVCs together, or all volumes, or a source storage class")
	}
	for _, ref := range s.PVCs {
		if _, _, err := splitPVC(ref); err != nil {
			return err
		}
	}
	return nil
}

func splitPVC(ref string) (ns, name string, err error) {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("invalid PVC %q: want namespace/name (the source namespace and PVC name)", ref)
	}
	return ns, name, nil
}

// Change is what to set on each selected volume; empty fields (nil Verify)
// are left as they are.
type Change struct {
	Action       string                            `json:"action,omitempty"`
	CopyMethod   string                            `json:"copyMethod,omitempty"`
	StorageClass string                            `json:"storageClass,omitempty"`
	AccessMode   corev1.PersistentVolumeAccessMode `json:"accessMode,omitempty"`
	Verify       *bool                             `json:"verify,omitempty"`
}

// Empty reports whether the change sets nothing.
func (c Change) Empty() bool {
	return c == Change{}
}

// Validate checks the values' syntax; whether they suit each volume is
// checked against the plan.
func (c Change) Validate() error {
	var errs []error
	if c.Empty() {
		errs = append(errs, errors.New("nothing to change: set an action, copy method, storage class, access mode or verification"))
	}
	if c.Action != "" && !contains(Actions, c.Action) {
		errs = append(errs, fmt.Errorf("unknown action %q: want %s", c.Action, strings.Join(Actions, ", ")))
	}
	if c.CopyMethod != "" && !contains(CopyMethods, c.CopyMethod) {
		errs = append(errs, fmt.Errorf("unknown copy method %q: want %s", c.CopyMethod, strings.Join(CopyMethods, ", ")))
	}
	if c.AccessMode != "" {
		if _, err := ParseAccessMode(string(c.AccessMode)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Defaults are the selection plan create applies to every discovered volume
// that supports it (--default-action, --default-copy-method,
// --default-storage-class).
type Defaults struct {
	Action       string `json:"action,omitempty"`
	CopyMethod   string `json:"copyMethod,omitempty"`
	StorageClass string `json:"storageClass,omitempty"`
}

// Empty reports whether no default is set.
func (d Defaults) Empty() bool { return d == Defaults{} }

// Validate checks the values' syntax, so plan create can refuse a typo
// before it creates anything.
func (d Defaults) Validate() error {
	if d.Empty() {
		return nil
	}
	return d.change().Validate()
}

func (d Defaults) change() Change {
	return Change{Action: d.Action, CopyMethod: d.CopyMethod, StorageClass: d.StorageClass}
}

// resolve returns the indexes in p.Spec.PersistentVolumes of the volumes s
// names, or an error naming what matched nothing (and what exists).
func (s Selector) resolve(p *mtc.MigPlan) ([]int, error) {
	pvs := p.Spec.PersistentVolumes
	var idx []int
	switch {
	case s.All:
		for i := range pvs {
			idx = append(idx, i)
		}
		if len(idx) == 0 {
			return nil, fmt.Errorf("MigPlan %s/%s has no persistent volumes", p.Namespace, p.Name)
		}
	case s.StorageClassFrom != "":
		for i := range pvs {
			if pvs[i].StorageClass == s.StorageClassFrom {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return nil, fmt.Errorf("no volume of MigPlan %s/%s is on storage class %q (source storage classes in use: %s)",
				p.Namespace, p.Name, s.StorageClassFrom, listOrNone(sourceClasses(pvs)))
		}
	default:
		return s.resolveNames(p)
	}
	return idx, nil
}

func (s Selector) resolveNames(p *mtc.MigPlan) ([]int, error) {
	pvs := p.Spec.PersistentVolumes
	seen := map[int]bool{}
	var idx []int
	var missing []string
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	for _, name := range s.PVs {
		i := findPV(pvs, func(pv *mtc.PV) bool { return pv.Name == name })
		if i < 0 {
			missing = append(missing, "PV "+name)
			continue
		}
		add(i)
	}
	for _, ref := range s.PVCs {
		ns, name, _ := splitPVC(ref)
		i := findPV(pvs, func(pv *mtc.PV) bool { return pv.PVC.Namespace == ns && claimOf(pv.PVC, nil).Name == name })
		if i < 0 {
			missing = append(missing, "PVC "+ref)
			continue
		}
		add(i)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("MigPlan %s/%s has no %s among its discovered volumes (PVs: %s; PVCs: %s)",
			p.Namespace, p.Name, strings.Join(missing, ", "), listOrNone(pvNames(pvs)), listOrNone(pvcNames(pvs)))
	}
	sort.Ints(idx)
	return idx, nil
}

func findPV(pvs []mtc.PV, match func(*mtc.PV) bool) int {
	for i := range pvs {
		if match(&pvs[i]) {
			return i
		}
	}
	return -1
}

func pvNames(pvs []mtc.PV) []string {
	out := make([]string, 0, len(pvs))
	for i := range pvs {
		out = append(out, pvs[i].Name)
	}
	return out
}

func pvcNames(pvs []mtc.PV) []string {
	out := make([]string, 0, len(pvs))
	for i := range pvs {
		out = append(out, claimOf(pvs[i].PVC, nil).String())
	}
	return out
}

func sourceClasses(pvs []mtc.PV) []string {
	var out []string
	for i := range pvs {
		if sc := pvs[i].StorageClass; sc != "" && !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
