package karmada_test

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-mig/kubectl-mig/engine/api/internal/apitest"
	clusterv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/cluster/v1alpha1"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
)

// TestSamplesRoundTrip decodes every Karmada sample strictly into its typed
// struct and checks that encoding it again loses nothing.
func TestSamplesRoundTrip(t *testing.T) {
	newObj := map[string]func() runtime.Object{
		policyv1alpha1.KindPropagationPolicy:        func() runtime.Object { return &policyv1alpha1.PropagationPolicy{} },
		policyv1alpha1.KindClusterPropagationPolicy: func() runtime.Object { return &policyv1alpha1.ClusterPropagationPolicy{} },
		workv1alpha2.KindResourceBinding:            func() runtime.Object { return &workv1alpha2.ResourceBinding{} },
		workv1alpha2.KindClusterResourceBinding:     func() runtime.Object { return &workv1alpha2.ClusterResourceBinding{} },
		workv1alpha1.KindWork:                       func() runtime.Object { return &workv1alpha1.Work{} },
		clusterv1alpha1.KindCluster:                 func() runtime.Object { return &clusterv1alpha1.Cluster{} },
	}
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			js := apitest.ReadJSON(t, f)
			kind := apitest.Kind(t, js)
			mk, ok := newObj[kind]
			if !ok {
				t.Fatalf("no typed struct for kind %q", kind)
			}
			seen[kind] = true
			apitest.RoundTrip(t, js, mk())
		})
	}
	for kind := range newObj {
		if !seen[kind] {
			t.Errorf("no sample manifest for %s in testdata", kind)
		}
	}
}

func TestHelpers(t *testing.T) {
	t.Run("propagation policy", func(t *testing.T) {
		var pp policyv1alpha1.PropagationPolicy
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/propagationpolicy.yaml"), &pp)
		if !pp.Spec.PreservesResourcesOnDeletion() || pp.Spec.EffectiveConflictResolution() != policyv1alpha1.ConflictOverwrite {
			t.Errorf("spec = %+v", pp.Spec)
		}
		if got := pp.Spec.TargetClusterNames(); len(got) != 1 || got[0] != "member1" {
			t.Errorf("TargetClusterNames() = %v", got)
		}
		var empty policyv1alpha1.PropagationSpec
		if empty.PreservesResourcesOnDeletion() || empty.EffectiveConflictResolution() != policyv1alpha1.ConflictAbort || empty.TargetClusterNames() != nil {
			t.Error("zero spec must mean Abort, no preserve, no named clusters")
		}
	})
	t.Run("resource binding", func(t *testing.T) {
		var rb workv1alpha2.ResourceBinding
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/resourcebinding.yaml"), &rb)
		if !rb.Status.IsScheduled() || rb.Status.IsFullyApplied() {
			t.Errorf("conditions = %+v", rb.Status.Conditions)
		}
		m1 := rb.Status.ClusterStatus("member1")
		if m1 == nil || m1.Applied || m1.Health != workv1alpha2.ResourceUnknown {
			t.Errorf("member1 status = %+v", m1)
		}
		if m3 := rb.Status.ClusterStatus("member3"); m3 == nil || m3.Status == nil || len(m3.Status.Raw) == 0 {
			t.Errorf("member3 raw status missing: %+v", m3)
		}
		if rb.Status.ClusterStatus("nope") != nil {
			t.Error("unknown cluster must yield nil")
		}
		if got := rb.Spec.TargetClusterNames(); len(got) != 1 || got[0] != "member1" || !rb.Spec.PreservesResourcesOnDeletion() {
			t.Errorf("spec = %+v", rb.Spec)
		}
		if got := workv1alpha2.BindingName("Deployment", "Nginx"); got != "nginx-deployment" {
			t.Errorf("BindingName = %s", got)
		}
	})
	t.Run("work", func(t *testing.T) {
		var w workv1alpha1.Work
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/work.yaml"), &w)
		if !w.Status.IsApplied() || !w.Spec.PreservesResourcesOnDeletion() || len(w.Spec.Workload.Manifests) != 1 {
			t.Errorf("work = %+v", w)
		}
		if workv1alpha1.ExecutionNamespace("member1") != w.Namespace {
			t.Errorf("ExecutionNamespace = %s", workv1alpha1.ExecutionNamespace("member1"))
		}
	})
	t.Run("cluster", func(t *testing.T) {
		var c clusterv1alpha1.Cluster
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/cluster.yaml"), &c)
		if !c.IsReady() || !c.ServesKind("apps/v1", "StatefulSet") || c.ServesKind("batch/v1", "Job") {
			t.Errorf("cluster = %+v", c.Status)
		}
	})
}
