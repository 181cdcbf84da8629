package rollback

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestApplyOnOneCluster runs the engine against a real API server with
// neither the MTC nor the OpenShift CRDs: DeploymentConfigs are not served,
// a concurrent write forces a conflict retry, and a recreated pod is not
// deleted in place of the planned one.
func TestApplyOnOneCluster(t *testing.T) {
	c := testenv.NewCluster(t, "rollback")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.EnsureNamespace(ctx, "app"))
	must(c.EnsureNamespace(ctx, "app-copy"))
	deploy := func(name string, ann map[string]string) {
		obj := map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": name, "namespace": "app", "annotations": toAny(ann)},
			"spec": map[string]any{"replicas": int64(0), "selector": map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
					"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}},
		}
		_, err := c.Dynamic().Resource(workloadKinds[2].gvrs[0]).Namespace("app").Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{})
		must(err)
	}
	deploy("web", map[string]string{mtc.PreQuiesceReplicasAnnotation: "4"})
	deploy("idle", nil)
	pod := func(name string) types.UID {
		obj := map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": name, "namespace": "app", "labels": map[string]any{mtc.StagePodLabel: "true"}},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "sleep", "image": "busybox"}}}}
		u, err := c.Dynamic().Resource(podsGVR).Namespace("app").Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{})
		must(err)
		return u.GetUID()
	}
	pod("stage-web-1")

	src, err := cluster.NewTarget("one", c.Config(), true)
	must(err)
	dst, err := cluster.NewTarget("one", c.Config(), true)
	must(err)
	cl := Clusters{Source: src, Destination: dst}
	p := &mtc.MigPlan{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "plan-1"}, Spec: mtc.MigPlanSpec{Namespaces: []string{"app:app-copy"}}}

	pl, err := PlanManual(ctx, cl, p, Options{})
	must(err)
	if len(pl.Actions) != 2 || pl.Actions[0].Verb != VerbDeleteStagePod || pl.Actions[1].Name != "web" {
		t.Fatalf("actions = %+v", pl.Actions)
	}
	if !strings.Contains(strings.Join(pl.Notes, "\n"), "does not serve DeploymentConfig") {
		t.Errorf("notes = %v", pl.Notes)
	}

	t.Run("conflict is retried on a fresh copy", func(t *testing.T) {
		ri := c.Dynamic().Resource(workloadKinds[2].gvrs[0]).Namespace("app")
		calls := 0
		detail, changed, err := guardedPatch(ctx, ri, "web", false, func(u *unstructured.Unstructured) (string, []kube.JSONPatchOp, error) {
			calls++
			if calls == 1 { // someone else writes between our read and our patch
				patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{"touched": "yes"}}})
				if _, err := ri.Patch(ctx, "web", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
					return "", nil, err
				}
			}
			return UnquiesceChange(KindDeployment, u, "plan-1")
		})
		if err != nil || !changed || calls != 2 || !strings.HasPrefix(detail, "replicas 0 -> 4") {
			t.Fatalf("calls %d changed %v detail %q err %v", calls, changed, detail, err)
		}
		u, err := ri.Get(ctx, "web", metav1.GetOptions{})
		must(err)
		if r, _ := nestedInt(u.Object, "spec", "replicas"); r != 4 || u.GetLabels()["touched"] != "yes" {
			t.Fatalf("replicas %d labels %v", r, u.GetLabels())
		}
	})

	t.Run("a recreated pod is not deleted for the planned one", func(t *testing.T) {
		zero := int64(0)
		must(c.Dynamic().Resource(podsGVR).Namespace("app").Delete(ctx, "stage-web-1", metav1.DeleteOptions{GracePeriodSeconds: &zero}))
		pod("stage-web-1")
		must(Apply(ctx, cl, pl, ApplyOptions{}))
		if a := pl.Actions[0]; a.State != StateAlreadyDone || a.Detail != "already gone" {
			t.Fatalf("pod action = %+v", a)
		}
		if a := pl.Actions[1]; a.State != StateAlreadyDone {
			t.Fatalf("deployment action = %+v (restored by the conflict test already)", a)
		}
		if _, err := c.Dynamic().Resource(podsGVR).Namespace("app").Get(ctx, "stage-web-1", metav1.GetOptions{}); err != nil {
			t.Fatalf("the new pod was deleted: %v", err)
		}
	})

	t.Run("idle deployment untouched, rerun reports the earlier run", func(t *testing.T) {
		pl, err := PlanManual(ctx, cl, p, Options{})
		must(err)
		var web *Action
		for i := range pl.Actions {
			if pl.Actions[i].Name == "idle" {
				t.Fatalf("idle deployment planned: %+v", pl.Actions[i])
			}
			if pl.Actions[i].Name == "web" {
				web = &pl.Actions[i]
			}
		}
		if web == nil || web.State != StateAlreadyDone || web.Detail != "restored by an earlier run" {
			t.Fatalf("web = %+v", web)
		}
	})
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
