package volumes

import (
	"fmt"
	"strings"
	"testing"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		pv     string
		edit   func(*mtc.PV) // adjusts the fixture volume
		dest   []mtc.StorageClass
		change Change
		// want is the selection after the change when nothing is refused.
		want mtc.Selection
		// refused is the field refused and a fragment of the reason.
		refused, reason string
		// note is a fragment of an expected note.
		note string
	}{
		{name: "move an NFS volume", pv: pvNFS, change: Change{Action: "move"},
			want: mtc.Selection{Action: "move", StorageClass: "cephfs", CopyMethod: "filesystem"}},
		{name: "move a volume that cannot be moved", pv: pvDB, change: Change{Action: "move"},
			refused: FieldAction, reason: "MTC offers move only for volumes both clusters can reach"},
		{name: "copy a hostPath volume", pv: pvHost, change: Change{Action: "copy"},
			refused: FieldAction, reason: "cannot copy: MTC supports only skip"},
		{name: "no supported action", pv: pvDB, edit: func(pv *mtc.PV) { pv.Supported.Actions = nil },
			change: Change{Action: "skip"}, refused: FieldAction, reason: "PvNoSupportedAction"},
		{name: "skip is accepted with a note", pv: pvDB, change: Change{Action: "skip"},
			want: mtc.Selection{Action: "skip", StorageClass: "gp3-csi", CopyMethod: "filesystem"}, note: "neither its data nor its PVC"},
		{name: "snapshot where unsupported", pv: pvDB, edit: func(pv *mtc.PV) { pv.Supported.CopyMethods = []string{"filesystem", "block"} },
			change: Change{CopyMethod: "snapshot"}, refused: FieldCopyMethod, reason: "copy method snapshot is not supported for this volume (supported: filesystem, block); snapshot copies need"},
		{name: "snapshot where supported warns", pv: pvDB, change: Change{CopyMethod: "snapshot"},
			want: mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "snapshot"}, note: "PvWarnCopyMethodSnapshot"},
		{name: "block copy of a Filesystem volume warns", pv: pvDB, change: Change{CopyMethod: "block"},
			want: mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "block"}, note: "meant for Block-mode volumes"},
		{name: "copy method on a moved volume", pv: pvNFS, change: Change{Action: "move", CopyMethod: "snapshot"},
			refused: FieldCopyMethod, reason: "applies only to copied volumes, and this volume's action is move"},
		{name: "storage class on a skipped volume", pv: pvHost, change: Change{StorageClass: "gp3-csi"},
			refused: FieldStorageClass, reason: "applies only to copied volumes"},
		{name: "unknown storage class", pv: pvDB, change: Change{StorageClass: "fast"},
			refused: FieldStorageClass, reason: `storage class "fast" does not exist on the destination cluster (it has: gp3-csi (default), cephfs, legacy)`},
		{name: "no destination classes reported", pv: pvDB, dest: []mtc.StorageClass{}, change: Change{StorageClass: "gp3-csi"},
			refused: FieldStorageClass, reason: "reports no destination storage classes"},
		{name: "access mode the class does not offer", pv: pvDB, change: Change{AccessMode: rwx},
			refused: FieldAccessMode, reason: "storage class gp3-csi does not offer access mode ReadWriteMany for Filesystem volumes (it offers: ReadWriteOnce)"},
		{name: "access mode the class offers for Block", pv: pvRaw, change: Change{AccessMode: rwx},
			want: mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "block", AccessMode: rwx}},
		{name: "class offering none of the PVC's modes", pv: pvRaw, change: Change{StorageClass: "cephfs"},
			refused: FieldStorageClass, reason: "storage class cephfs offers none of the PVC's access modes (ReadWriteOnce) for Block volumes (it offers: none)"},
		{name: "class without access modes is accepted with a note", pv: pvDB, change: Change{StorageClass: "legacy"},
			want: mtc.Selection{Action: "copy", StorageClass: "legacy", CopyMethod: "filesystem"}, note: "reports no access modes"},
		{name: "access mode auto is not checked", pv: pvDB, change: Change{StorageClass: "cephfs", AccessMode: AccessModeAuto},
			want: mtc.Selection{Action: "copy", StorageClass: "cephfs", CopyMethod: "filesystem", AccessMode: AccessModeAuto}},
		{name: "verify a snapshot copy", pv: pvDB, change: Change{CopyMethod: "snapshot", Verify: ptr(true)},
			refused: FieldVerify, reason: "snapshot copies are not verified"},
		{name: "snapshot on a verified volume blames the copy method", pv: pvDB,
			edit:   func(pv *mtc.PV) { pv.Selection.Verify = true },
			change: Change{CopyMethod: "snapshot"}, refused: FieldCopyMethod, reason: "snapshot copies are not verified"},
		{name: "verification off on a moved volume is let through", pv: pvNFS,
			edit:   func(pv *mtc.PV) { pv.Selection.Action = "move" },
			change: Change{Verify: ptr(false)}, want: mtc.Selection{Action: "move", StorageClass: "cephfs", CopyMethod: "filesystem"}},
		{name: "a refused action hides what would follow from it", pv: pvDB, change: Change{Action: "move", CopyMethod: "snapshot"},
			refused: FieldAction, reason: "cannot move"},
		{name: "verify a filesystem copy", pv: pvDB, change: Change{Verify: ptr(true)},
			want: mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "filesystem", Verify: true}},
		{name: "start copying a moved volume checks its target", pv: pvNFS,
			edit: func(pv *mtc.PV) {
				pv.Selection = mtc.Selection{Action: "move", StorageClass: "gp3-csi", CopyMethod: "filesystem"}
			},
			change: Change{Action: "copy"}, refused: FieldAction, reason: "storage class gp3-csi offers none of the PVC's access modes (ReadWriteMany)"},
		{name: "copy without a copy method", pv: pvNFS,
			edit:   func(pv *mtc.PV) { pv.Selection = mtc.Selection{Action: "move"} },
			change: Change{Action: "copy", StorageClass: "cephfs"}, refused: FieldAction, reason: "PvNoCopyMethodSelection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan("p")
			pv := pvByName(p, tt.pv)
			if tt.edit != nil {
				tt.edit(pv)
			}
			dest := destination(p.Status.DestStorageClasses)
			if tt.dest != nil {
				dest = tt.dest
			}
			got, refusals, notes := check(pv, tt.change, dest)
			if tt.refused != "" {
				if len(refusals) != 1 || !hasRefusal(refusals, tt.refused, tt.reason) {
					t.Fatalf("refusals = %v; want one, of field %s with %q", refusals, tt.refused, tt.reason)
				}
				return
			}
			if len(refusals) > 0 {
				t.Fatalf("unexpected refusals: %v", refusals)
			}
			if got != tt.want {
				t.Fatalf("selection = %+v, want %+v", got, tt.want)
			}
			if tt.note != "" && !hasNote(notes, tt.note) {
				t.Fatalf("notes = %v; want one containing %q", notes, tt.note)
			}
		})
	}
}

func hasRefusal(rs []Refusal, field, reason string) bool {
	for _, r := range rs {
		if r.Field == field && strings.Contains(r.Reason, reason) {
			return true
		}
	}
	return false
}

func hasNote(ns []Note, frag string) bool {
	for _, n := range ns {
		if strings.Contains(n.Message, frag) {
			return true
		}
	}
	return false
}

func TestParseAccessMode(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "RWO", want: "ReadWriteOnce"},
		{in: "rwx", want: "ReadWriteMany"},
		{in: "ReadOnlyMany", want: "ReadOnlyMany"},
		{in: "Auto", want: "auto"},
		{in: "RWOP", err: "not accepted by MTC"},
		{in: "ReadWriteOncePod", err: "not accepted by MTC"},
		{in: "sometimes", err: `unknown access mode "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAccessMode(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParseAccessMode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestChangeAndSelectorValidate(t *testing.T) {
	tests := []struct {
		name string
		sel  Selector
		ch   Change
		err  string
	}{
		{name: "ok", sel: Selector{PVs: []string{"a"}, PVCs: []string{"ns/b"}}, ch: Change{Action: "copy"}},
		{name: "no volumes named", ch: Change{Action: "copy"}, err: "name the volumes to change"},
		{name: "all and pv", sel: Selector{All: true, PVs: []string{"a"}}, ch: Change{Action: "copy"}, err: "name volumes one way"},
		{name: "all and storage class", sel: Selector{All: true, StorageClassFrom: "nfs"}, ch: Change{Action: "copy"}, err: "one way"},
		{name: "bad pvc", sel: Selector{PVCs: []string{"b"}}, ch: Change{Action: "copy"}, err: `invalid PVC "b"`},
		{name: "nothing to change", sel: Selector{All: true}, err: "nothing to change"},
		{name: "bad action", sel: Selector{All: true}, ch: Change{Action: "teleport"}, err: `unknown action "teleport"`},
		{name: "bad copy method", sel: Selector{All: true}, ch: Change{CopyMethod: "rsync"}, err: `unknown copy method "rsync"`},
		{name: "bad access mode", sel: Selector{All: true}, ch: Change{AccessMode: "RWOP"}, err: "not accepted by MTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sel.Validate()
			if err == nil {
				err = tt.ch.Validate()
			}
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		sel  Selector
		want []string
		err  string
	}{
		{name: "pv and pvc, no duplicates", sel: Selector{PVs: []string{pvRaw, pvDB}, PVCs: []string{"shop/db", "shop/data"}},
			want: []string{pvDB, pvNFS, pvRaw}},
		{name: "pvc by source name of a renamed claim", sel: Selector{PVCs: []string{"shop/data"}}, want: []string{pvNFS}},
		{name: "all", sel: Selector{All: true}, want: []string{pvDB, pvHost, pvNFS, pvRaw}},
		{name: "storage class from", sel: Selector{StorageClassFrom: "gp2-csi"}, want: []string{pvDB, pvRaw}},
		{name: "unknown names", sel: Selector{PVs: []string{"nope"}, PVCs: []string{"shop/gone"}},
			err: "has no PV nope, PVC shop/gone among its discovered volumes (PVs: pv-db, pv-host, pv-nfs, pv-raw; PVCs: shop/db, shop/scratch, shop/data, shop/raw)"},
		{name: "unused storage class", sel: Selector{StorageClassFrom: "gold"},
			err: `no volume of MigPlan openshift-migration/p is on storage class "gold" (source storage classes in use: gp2-csi, nfs)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan("p")
			idx, err := tt.sel.resolve(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, i := range idx {
				got = append(got, p.Spec.PersistentVolumes[i].Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("resolved %v, want %v", got, tt.want)
			}
		})
	}
}

func TestComputeSetAndOps(t *testing.T) {
	p := fixturePlan("p")
	p.Spec.PersistentVolumes[1].Selection = mtc.Selection{} // pv-host: empty selection gets a whole object
	o := computeSet(p, []int{0, 2}, Change{Verify: ptr(true)})
	if len(o.refusals) > 0 {
		t.Fatalf("refusals: %v", o.refusals)
	}
	ops := o.ops(p)
	want := []string{
		"test /spec/persistentVolumes/0/name pv-db",
		"add /spec/persistentVolumes/0/selection/verify true",
		"test /spec/persistentVolumes/2/name pv-nfs",
		"add /spec/persistentVolumes/2/selection/verify true",
	}
	if got := renderOps(ops); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	o = computeSet(p, []int{1}, Change{Action: "skip"})
	wantWhole := "add /spec/persistentVolumes/1/selection " + fmt.Sprint(mtc.Selection{Action: "skip"})
	if got := renderOps(o.ops(p)); len(got) != 2 || got[1] != wantWhole {
		t.Fatalf("ops for an empty selection = %v", got)
	}

	o = computeSet(p, []int{0}, Change{Action: "copy", CopyMethod: "filesystem"})
	if len(o.changes) != 0 || len(o.unchanged) != 1 || len(o.ops(p)) != 0 {
		t.Fatalf("a change to the current selection must be a no-op: %+v", o)
	}
}

func renderOps(ops []kube.JSONPatchOp) []string {
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		out = append(out, strings.TrimSpace(op.Op+" "+op.Path+" "+fmt.Sprint(op.Value)))
	}
	return out
}
