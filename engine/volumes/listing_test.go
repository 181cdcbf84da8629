package volumes

import (
	"errors"
	"strings"
	"testing"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestItems(t *testing.T) {
	tests := []struct {
		msg  string
		want string
	}{
		{"PV in `persistentVolumes` [pv-a,pv-b] has an unsupported `action`.", "pv-a|pv-b"},
		{"Migrating data of following volumes may result in a failure ...:  [db, data]", "db|data"},
		{"PV in `persistentVolumes` [] has an unsupported `action`.", ""},
		{"The migration plan is ready.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			if got := strings.Join(Items(tt.msg), "|"); got != tt.want {
				t.Fatalf("Items = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	p := fixturePlan("p")
	p.Spec.PersistentVolumes[0].ProposedCapacity = p.Spec.PersistentVolumes[0].Capacity
	p.Status.Conditions = append(p.Status.Conditions,
		cond(mtc.ConditionPvInvalidStorageClass, mtc.CategoryError, "PV in `persistentVolumes` [pv-db,pv-raw] has an unsupported `storageClass`."),
		cond(mtc.ConditionPvWarnCopyMethodSnapshot, mtc.CategoryWarn, "CopyMethod for PV in `persistentVolumes` [pv-nfs] is set to `snapshot`."),
		mtc.Condition{Type: mtc.ConditionPvCapacityAdjustmentRequired, Status: mtc.ConditionFalse, Category: mtc.CategoryWarn,
			Message: "Capacity of the following volumes will be automatically adjusted ...:  [db]"},
		cond(mtc.ConditionNfsNotAccessible, mtc.CategoryWarn, "NFS servers [10.0.0.5] not accessible on the destination cluster."),
		cond(mtc.ConditionPlanConflict, mtc.CategoryError, "The migration plan is in conflict with [db]."), // a plan named like a PVC
		cond(mtc.ConditionSourcePodsNotHealthy, mtc.CategoryWarn, "Source namespace(s) contain unhealthy pods."),
	)
	l := Inspect(p)
	if !l.Discovered || l.NotDiscovered != nil || len(l.Volumes) != 4 {
		t.Fatalf("listing = %+v", l)
	}
	types := func(v Volume) string {
		var out []string
		for _, c := range v.Conditions {
			out = append(out, c.Type)
		}
		return strings.Join(out, ",")
	}
	want := map[string]string{
		pvDB:   "PvInvalidStorageClass,PvCapacityAdjustmentRequired",
		pvHost: "",
		pvNFS:  "PvWarnCopyMethodSnapshot",
		pvRaw:  "PvInvalidStorageClass",
	}
	for _, v := range l.Volumes {
		if got := types(v); got != want[v.PV] {
			t.Errorf("%s conditions = %q, want %q", v.PV, got, want[v.PV])
		}
	}
	if len(l.Conditions) != 1 || l.Conditions[0].Type != mtc.ConditionNfsNotAccessible {
		t.Errorf("plan-wide volume conditions = %+v, want only NfsNotAccessible", l.Conditions)
	}
	nfs := l.Volumes[2]
	if nfs.PVC.Mapping() != "shop/data -> shop-new/data-new" || nfs.PVC.String() != "shop/data" {
		t.Errorf("claim = %q / %q", nfs.PVC.Mapping(), nfs.PVC.String())
	}
	if l.Volumes[0].ProposedCapacity != "10Gi" || l.Volumes[1].ProposedCapacity != "" || l.Volumes[0].Capacity != "10Gi" {
		t.Errorf("capacities = %+v", l.Volumes[0])
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*mtc.MigPlan)
		reason string
		conds  string
	}{
		{name: "never reconciled", edit: func(p *mtc.MigPlan) { p.Status.Conditions = nil },
			reason: "has not reconciled the plan yet: check that the migration-controller pod runs in openshift-migration"},
		{name: "source not ready", edit: func(p *mtc.MigPlan) {
			p.Status.Conditions = mtc.Conditions{
				cond(mtc.ConditionSourceClusterNotReady, mtc.CategoryCritical, "The referenced `srcMigClusterRef` does not have a `Ready` condition, subject: openshift-migration/source"),
				cond(mtc.ConditionSourcePodsNotHealthy, mtc.CategoryWarn, "unhealthy"),
			}
		}, reason: "fix them first", conds: mtc.ConditionSourceClusterNotReady},
		{name: "namespace missing", edit: func(p *mtc.MigPlan) {
			p.Status.Conditions = mtc.Conditions{cond(mtc.ConditionNamespaceNotFoundOnSourceCluster, mtc.CategoryCritical, "Namespaces [shop] not found on the source cluster.")}
		}, reason: "fix them first", conds: mtc.ConditionNamespaceNotFoundOnSourceCluster},
		{name: "closed", edit: func(p *mtc.MigPlan) {
			p.Spec.Closed = true
			p.Status.Conditions = mtc.Conditions{cond(mtc.ConditionClosed, mtc.CategoryAdvisory, "The migration plan is closed.")}
		}, reason: "the plan is closed"},
		{name: "suspended", edit: func(p *mtc.MigPlan) {
			p.Status.Conditions = mtc.Conditions{cond(mtc.ConditionSuspended, mtc.CategoryAdvisory, "suspended")}
		}, reason: "suspended"},
		{name: "in progress", edit: func(p *mtc.MigPlan) {
			p.Status.Conditions = mtc.Conditions{cond(mtc.ConditionStorageEnsured, mtc.CategoryRequired, "The storage resources have been created.")}
		}, reason: "has not finished yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan("p")
			tt.edit(p)
			l := Inspect(p)
			if l.Discovered || l.NotDiscovered == nil {
				t.Fatalf("listing says discovered: %+v", l)
			}
			u := l.NotDiscovered
			if !strings.Contains(u.Reason, tt.reason) {
				t.Fatalf("reason = %q, want %q", u.Reason, tt.reason)
			}
			var got []string
			for _, c := range u.Conditions {
				got = append(got, c.Type)
			}
			if strings.Join(got, ",") != tt.conds {
				t.Fatalf("conditions = %v, want %q", got, tt.conds)
			}
			err := notDiscovered(p)
			if !errors.Is(err, ErrNotDiscovered) || !strings.Contains(err.Error(), "no PvsDiscovered condition") {
				t.Fatalf("error = %v", err)
			}
		})
	}
}

func TestComputeDefaults(t *testing.T) {
	tests := []struct {
		name     string
		defaults Defaults
		// want maps PV to "action/copyMethod/storageClass" after defaults.
		want    map[string]string
		skipped []string // "pv:field"
		err     string
	}{
		{name: "move where possible", defaults: Defaults{Action: "move"},
			want:    map[string]string{pvDB: "copy/filesystem/gp3-csi", pvHost: "skip//", pvNFS: "move/filesystem/cephfs", pvRaw: "copy/block/gp3-csi"},
			skipped: []string{pvDB + ":action", pvHost + ":action", pvRaw + ":action"}},
		{name: "snapshot copies", defaults: Defaults{CopyMethod: "snapshot"},
			want: map[string]string{pvDB: "copy/snapshot/gp3-csi", pvHost: "skip//", pvNFS: "copy/snapshot/cephfs", pvRaw: "copy/snapshot/gp3-csi"}},
		{name: "storage class that fits some", defaults: Defaults{StorageClass: "cephfs"},
			want:    map[string]string{pvDB: "copy/filesystem/cephfs", pvHost: "skip//", pvNFS: "copy/filesystem/cephfs", pvRaw: "copy/block/gp3-csi"},
			skipped: []string{pvRaw + ":storageClass"}},
		{name: "move and a class: the class goes to the copied ones", defaults: Defaults{Action: "move", StorageClass: "cephfs"},
			want:    map[string]string{pvDB: "copy/filesystem/cephfs", pvHost: "skip//", pvNFS: "move/filesystem/cephfs", pvRaw: "copy/block/gp3-csi"},
			skipped: []string{pvDB + ":action", pvHost + ":action", pvRaw + ":action", pvRaw + ":storageClass"}},
		{name: "unknown class changes nothing", defaults: Defaults{Action: "copy", StorageClass: "gold"},
			err: `default storage class: storage class "gold" does not exist on the destination cluster`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fixturePlan("p")
			o, err := computeDefaults(p, tt.defaults)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			after := applied(p, o)
			for _, pv := range after.Spec.PersistentVolumes {
				s := pv.Selection
				if got := s.Action + "/" + s.CopyMethod + "/" + s.StorageClass; got != tt.want[pv.Name] {
					t.Errorf("%s = %s, want %s", pv.Name, got, tt.want[pv.Name])
				}
			}
			var skipped []string
			for _, s := range o.skipped {
				skipped = append(skipped, s.PV+":"+s.Field)
			}
			if strings.Join(skipped, ",") != strings.Join(tt.skipped, ",") {
				t.Errorf("skipped = %v, want %v (%v)", skipped, tt.skipped, o.skipped)
			}
		})
	}
}
