package volumes

import (
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// writeListing prints the volumes table, then each volume condition once
// with the volumes it names, then the destination storage classes a copy can
// target. "No volumes" goes to errOut, as kubectl's "No resources found".
func writeListing(w, errOut io.Writer, l *engvol.Listing, wide bool) {
	if len(l.Volumes) == 0 {
		fmt.Fprintf(errOut, "No persistent volumes in MigPlan %s/%s: its namespaces have no PVC bound to a PV.\n", l.Namespace, l.Plan)
	} else {
		writeVolumes(w, l.Volumes, wide)
	}
	writeConditions(w, l)
	if len(l.Volumes) > 0 {
		writeClasses(w, l.DestinationStorageClasses)
	}
}

func writeVolumes(w io.Writer, vols []engvol.Volume, wide bool) {
	headers := []string{"PVC", "PV", "CAPACITY", "STORAGE CLASS", "SUPPORTS", "COPY METHODS",
		"ACTION", "COPY METHOD", "TARGET CLASS", "ACCESS MODE", "VERIFY", "PROPOSED", "CONDITIONS"}
	if wide {
		headers = append(headers, "VOLUME MODE", "PVC ACCESS MODES", "OWNER")
	}
	t := cmdkit.NewTable(w, headers...)
	for _, v := range vols {
		s := v.Selection
		row := []string{v.PVC.Mapping(), v.PV, dash(v.Capacity), dash(v.StorageClass),
			dash(strings.Join(v.Supported.Actions, ",")), dash(strings.Join(v.Supported.CopyMethods, ",")),
			dash(s.Action), dash(s.CopyMethod), dash(s.StorageClass), dash(string(s.AccessMode)),
			fmt.Sprint(s.Verify), proposed(v), dash(conditionTypes(v.Conditions))}
		if wide {
			row = append(row, string(v.PVC.VolumeMode), dash(shortModes(v.PVC.AccessModes)), dash(string(v.PVC.OwnerType)))
		}
		t.Row(row...)
	}
	_ = t.Flush()
}

// proposed shows MigAnalytic's proposed capacity, marked when the user has
// not confirmed it.
func proposed(v engvol.Volume) string {
	if v.ProposedCapacity == "" {
		return "-"
	}
	if !v.CapacityConfirmed && v.ProposedCapacity != v.Capacity {
		return v.ProposedCapacity + " (unconfirmed)"
	}
	return v.ProposedCapacity
}

func conditionTypes(cs []mtc.Condition) string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Type)
	}
	return strings.Join(out, ",")
}

// writeConditions prints every volume condition once, with the volumes it
// concerns, Errors first.
func writeConditions(w io.Writer, l *engvol.Listing) {
	type entry struct {
		c    mtc.Condition
		vols []string
	}
	var entries []*entry
	byType := map[string]*entry{}
	for _, v := range l.Volumes {
		for _, c := range v.Conditions {
			e := byType[c.Type]
			if e == nil {
				e = &entry{c: c}
				byType[c.Type] = e
				entries = append(entries, e)
			}
			e.vols = append(e.vols, v.PV)
		}
	}
	for _, c := range l.Conditions {
		entries = append(entries, &entry{c: c})
	}
	if len(entries) == 0 {
		return
	}
	fmt.Fprintln(w, "\nConditions:")
	t := cmdkit.NewTable(w)
	for _, cat := range []string{mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn} {
		for _, e := range entries {
			if e.c.Category != cat {
				continue
			}
			about := "plan"
			if len(e.vols) > 0 {
				about = strings.Join(e.vols, ",")
			}
			t.Row("  "+e.c.Category, e.c.Type, about, e.c.Message)
		}
	}
	_ = t.Flush()
}

// writeClasses lists what a copied volume can land on, with the access
// modes each class offers per volume mode.
func writeClasses(w io.Writer, classes []mtc.StorageClass) {
	fmt.Fprintln(w, "\nDestination storage classes:")
	if len(classes) == 0 {
		fmt.Fprintln(w, "  <none reported yet>")
		return
	}
	t := cmdkit.NewTable(w, "  NAME", "PROVISIONER", "DEFAULT", "FILESYSTEM", "BLOCK")
	for i := range classes {
		sc := &classes[i]
		t.Row("  "+sc.Name, dash(sc.Provisioner), fmt.Sprint(sc.Default),
			dash(shortModes(engvol.ModesFor(sc, corev1.PersistentVolumeFilesystem))),
			dash(shortModes(engvol.ModesFor(sc, corev1.PersistentVolumeBlock))))
	}
	_ = t.Flush()
}

var short = map[corev1.PersistentVolumeAccessMode]string{
	corev1.ReadWriteOnce: "RWO", corev1.ReadOnlyMany: "ROX", corev1.ReadWriteMany: "RWX", corev1.ReadWriteOncePod: "RWOP",
}

func shortModes(ms []corev1.PersistentVolumeAccessMode) string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if s, ok := short[m]; ok {
			out = append(out, s)
		} else {
			out = append(out, string(m))
		}
	}
	return strings.Join(out, ",")
}

// writeChanges prints what set changed (or would change), field by field.
func writeChanges(w io.Writer, res *engvol.Result) {
	if len(res.Changed) > 0 {
		t := cmdkit.NewTable(w, "PV", "PVC", "ACTION", "COPY METHOD", "TARGET CLASS", "ACCESS MODE", "VERIFY")
		for _, c := range res.Changed {
			b, a := c.Before, c.After
			t.Row(c.PV, c.PVC, arrow(b.Action, a.Action), arrow(b.CopyMethod, a.CopyMethod),
				arrow(b.StorageClass, a.StorageClass), arrow(string(b.AccessMode), string(a.AccessMode)),
				arrow(fmt.Sprint(b.Verify), fmt.Sprint(a.Verify)))
		}
		_ = t.Flush()
	}
	if len(res.Unchanged) > 0 {
		fmt.Fprintf(w, "Already as asked: %s\n", strings.Join(res.Unchanged, ", "))
	}
}

// describeSelection renders a choice: "move", or "copy (snapshot) onto
// gp3-csi, access mode ReadWriteMany, verified".
func describeSelection(s mtc.Selection) string {
	if s.Action != mtc.PVActionCopy {
		return dash(s.Action)
	}
	out := "copy (" + dash(s.CopyMethod) + ")"
	if s.StorageClass != "" {
		out += " onto " + s.StorageClass
	}
	if s.AccessMode != "" {
		out += ", access mode " + string(s.AccessMode)
	}
	if s.Verify {
		out += ", verified"
	}
	return out
}

func arrow(before, after string) string {
	if before == after {
		return dash(after)
	}
	return dash(before) + " -> " + dash(after)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
