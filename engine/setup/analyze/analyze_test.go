package analyze

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestBuild(t *testing.T) {
	a := Build(Options{Plan: "shop", Namespace: "openshift-migration", ListImages: true, PVUsage: true})
	s := a.Spec
	if a.Name != "shop" || a.Labels[PlanLabel] != "shop" || a.Annotations[PlanLabel] != "shop" || s.MigPlanRef.Name != "shop" {
		t.Fatalf("meta = %+v", a.ObjectMeta)
	}
	if !s.AnalyzeImageCount || !s.AnalyzeK8SResources || !s.AnalyzePVCapacity || !s.ListImages ||
		s.ListImagesLimit != DefaultImageLimit || !s.AnalyzeExtendedPVCapacity {
		t.Fatalf("spec = %+v", s)
	}
}

func TestDoneAndReport(t *testing.T) {
	a := Build(Options{Plan: "shop", Namespace: "ns"})
	if Done(a) {
		t.Fatal("a fresh analytic is not done")
	}
	a.Status.Conditions = mtc.Conditions{{Type: mtc.ConditionReady, Status: "True", Category: mtc.CategoryRequired}}
	a.Spec.Refresh = true
	if Done(a) {
		t.Fatal("a refresh pending is not done")
	}
	a.Spec.Refresh = false
	a.Status.Analytics = mtc.MigAnalyticPlan{PercentComplete: 100, PVCapacity: resource.MustParse("3Gi"), Namespaces: []mtc.MigAnalyticNamespace{
		{Namespace: "z"},
		{Namespace: "a", K8SResources: []mtc.MigAnalyticNSResource{
			{Group: "", Version: "v1", Kind: "configmaps", Count: 2},
			{Group: "apps", Version: "v1", Kind: "deployments", Count: 5},
			{Group: "", Version: "v1", Kind: "secrets", Count: 2},
		}},
	}}
	r := NewReport(a, "kubectl mig")
	if !r.Ready || r.PercentComplete != 100 || r.Analytics.Plan != "shop" {
		t.Fatalf("report = %+v", r)
	}
	if r.Analytics.Namespaces[0].Namespace != "a" {
		t.Fatal("namespaces must be sorted")
	}
	ks := r.Analytics.Namespaces[0].K8SResources
	if ks[0].Kind != "deployments" || ks[1].Kind != "configmaps" || ks[2].Kind != "secrets" {
		t.Fatalf("resources must be sorted by count, then group and kind: %+v", ks)
	}
	if a.Status.Analytics.Namespaces[0].Namespace != "z" {
		t.Fatal("NewReport must not reorder the analytic itself")
	}
}
