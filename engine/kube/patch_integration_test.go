package kube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestGuardedPatchSurvivesRacingWrite plays the MTC controller writing the
// whole MigPlan between our read and our patch: the resourceVersion guard
// makes the API server refuse the stale patch, GuardedPatch starts again
// from a fresh copy, and both writes survive.
func TestGuardedPatchSurvivesRacingWrite(t *testing.T) {
	c := testenv.NewCluster(t, "kube")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mtcCRDs, err := crds.MTC()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InstallCRDs(ctx, mtcCRDs...); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureNamespace(ctx, "openshift-migration"); err != nil {
		t.Fatal(err)
	}
	plans := c.Dynamic().Resource(kube.MigPlans).Namespace("openshift-migration")
	plan := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
		"metadata": map[string]any{"name": "p"},
		"spec":     map[string]any{"namespaces": []any{"a"}},
	}}
	if _, err := plans.Create(ctx, plan, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	calls := 0
	err = kube.GuardedPatch(ctx, plans, "p", false, func(p *mtc.MigPlan, _ string) ([]kube.JSONPatchOp, error) {
		calls++
		if calls == 1 { // the controller writes after our read
			racing := map[string]any{"spec": map[string]any{"indirectImageMigration": true}}
			if err := kube.MergePatch(ctx, plans, "p", racing, false); err != nil {
				return nil, err
			}
		}
		return []kube.JSONPatchOp{{Op: "replace", Path: "/spec/namespaces", Value: append(p.Spec.Namespaces, "b")}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("build called %d times, want 2 (the stale patch must be refused once)", calls)
	}
	got, err := kube.Get[mtc.MigPlan](ctx, plans, "p")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Spec.IndirectImageMigration || len(got.Spec.Namespaces) != 2 {
		t.Fatalf("lost a write: %+v", got.Spec)
	}

	t.Run("a bad patch is not retried", func(t *testing.T) {
		calls := 0
		err := kube.GuardedPatch(ctx, plans, "p", false, func(*mtc.MigPlan, string) ([]kube.JSONPatchOp, error) {
			calls++
			return []kube.JSONPatchOp{{Op: "replace", Path: "/spec/no/such/path", Value: 1}}, nil
		})
		if err == nil || calls != 1 {
			t.Fatalf("err = %v after %d calls; want an error after one call", err, calls)
		}
	})

	t.Run("dry run changes nothing", func(t *testing.T) {
		if err := kube.MergePatch(ctx, plans, "p", map[string]any{"spec": map[string]any{"closed": true}}, true); err != nil {
			t.Fatal(err)
		}
		again, err := kube.Get[mtc.MigPlan](ctx, plans, "p")
		if err != nil {
			t.Fatal(err)
		}
		if again.Spec.Closed {
			t.Fatal("a dry-run patch was persisted")
		}
	})

	t.Run("list paginates", func(t *testing.T) {
		for _, n := range []string{"q1", "q2", "q3"} {
			obj := plan.DeepCopy()
			obj.SetName(n)
			if _, err := plans.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		pages := 0
		err := kube.EachPage(ctx, plans, metav1.ListOptions{Limit: 2}, func([]unstructured.Unstructured) error { pages++; return nil })
		if err != nil || pages != 2 {
			t.Fatalf("pages = %d, err %v; want 2 pages of 2", pages, err)
		}
		all, err := kube.List[mtc.MigPlan](ctx, plans, metav1.ListOptions{Limit: 1})
		if err != nil || len(all) != 4 {
			t.Fatalf("List = %d plans, err %v", len(all), err)
		}
		names, err := kube.Names(ctx, plans, metav1.ListOptions{Limit: 1})
		if err != nil || strings.Join(names, ",") != "p,q1,q2,q3" {
			t.Fatalf("Names = %v, err %v; want every page, sorted", names, err)
		}
	})
}
