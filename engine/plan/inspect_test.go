package plan

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestDetail(t *testing.T) {
	cond := func(typ, cat, reason string) mtc.Condition {
		return mtc.Condition{Type: typ, Status: "True", Category: cat, Reason: reason}
	}
	p := &mtc.MigPlan{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "openshift-migration"},
		Spec: mtc.MigPlanSpec{
			Namespaces: []string{"shop"}, SrcMigClusterRef: &corev1.ObjectReference{Name: "src"},
			PersistentVolumes: []mtc.PV{{Name: "pv1", Capacity: resource.MustParse("1Gi"),
				PVC: mtc.PVC{Namespace: "shop", Name: "data"}, Selection: mtc.Selection{Action: "copy", CopyMethod: "filesystem"}}},
		},
		Status: mtc.MigPlanStatus{Conditions: mtc.Conditions{
			cond("Ready", "Required", ""), cond("SourcePodsNotHealthy", "Warn", ""),
			cond("MigrationTypeIdentified", "Advisory", "NamespaceMigrationPlan"), cond("Odd", "Custom", ""),
			{Type: "Gone", Status: "False", Category: "Critical"},
		}},
	}
	old, young := metav1.NewTime(time.Now().Add(-time.Hour)), metav1.NewTime(time.Now())
	migs := []mtc.MigMigration{
		{ObjectMeta: metav1.ObjectMeta{Name: "old", CreationTimestamp: old}, Spec: mtc.MigMigrationSpec{Stage: true}},
		{ObjectMeta: metav1.ObjectMeta{Name: "new", CreationTimestamp: young},
			Status: mtc.MigMigrationStatus{Phase: "Started", Conditions: mtc.Conditions{{Type: "Running", Status: "True", Category: "Advisory", Message: "Step: 3/40"}}}},
	}
	SortNewestFirst(migs)
	d := Detail(p, migs)
	if !d.Ready || d.Source != "src" || d.Type != "NamespaceMigrationPlan" || d.Migrations != 2 || d.LastMigration != "new" || d.LastResult != "Final Running" {
		t.Fatalf("summary = %+v", d.Summary)
	}
	var cats []string
	for _, g := range d.Conditions {
		cats = append(cats, g.Category)
	}
	if got := cats; len(got) != 4 || got[0] != "Warn" || got[1] != "Required" || got[2] != "Advisory" || got[3] != "Custom" {
		t.Fatalf("categories = %v", got)
	}
	if len(d.PVs) != 1 || d.PVs[0].PVC != "shop/data" || d.PVs[0].Capacity != "1Gi" || d.PVs[0].Action != "copy" {
		t.Fatalf("pvs = %+v", d.PVs)
	}
	if d.MigrationList[0].Step != "3/40" || d.MigrationList[1].Kind != "Stage" {
		t.Fatalf("migrations = %+v", d.MigrationList)
	}
}
