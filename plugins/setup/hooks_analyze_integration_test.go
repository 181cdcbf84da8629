package setup_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
)

const flushPlaybook = `- hosts: localhost
  gather_facts: false
  tasks:
  - name: flush the cache
    shell: echo flushed
`

func testHooks(t *testing.T, h *harness) {
	ctx := context.Background()
	t.Run("playbook hook", func(t *testing.T) {
		r := h.run("hook", "create", "flush", "--playbook", h.file("flush.yml", flushPlaybook), "--target", "source", "--active-deadline", "10m")
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "mighook.migration.openshift.io/flush created")
		mustContain(t, "stderr", r.Err, "--hook PHASE=flush")
		u, err := h.Host.Get(ctx, kube.MigHooks, "flush")
		if err != nil {
			t.Fatal(err)
		}
		hook, _ := kube.FromUnstructured[mtc.MigHook](u)
		pb, _ := base64.StdEncoding.DecodeString(hook.Spec.Playbook)
		if string(pb) != flushPlaybook || hook.Spec.Custom || hook.Spec.Image != "quay.io/konveyor/hook-runner:latest" ||
			hook.Spec.TargetCluster != "source" || hook.Spec.ActiveDeadlineSeconds != 600 {
			t.Fatalf("hook spec = %+v", hook.Spec)
		}
	})
	t.Run("custom image hook", func(t *testing.T) {
		r := h.run("hook", "create", "warm", "--image", "quay.io/example/warm-cache:1.2", "--custom", "--target", "destination", "-o", "yaml")
		mustSucceed(t, r)
		mustContain(t, "yaml", r.Out, "kind: MigHook", "custom: true", "image: quay.io/example/warm-cache:1.2", "targetCluster: destination")
	})
	t.Run("invalid hooks are refused before any write", func(t *testing.T) {
		bad := []struct {
			args []string
			want string
		}{
			{[]string{"--playbook", h.file("flush2.yml", flushPlaybook), "--target", "both"}, `--target "both": must be source or destination`},
			{[]string{"--image", "Not An Image", "--custom", "--target", "source"}, "not a valid image reference"},
			{[]string{"--playbook", h.file("bad.yml", "hosts: localhost\n"), "--target", "source"}, "not a YAML list of plays"},
			{[]string{"--playbook", h.file("flush3.yml", flushPlaybook), "--image", "quay.io/x/y:1", "--custom", "--target", "source"}, "InvalidCustomHook"},
		}
		for _, b := range bad {
			r := h.run(append([]string{"hook", "create", "bad-hook"}, b.args...)...)
			if r.Code != 2 || !strings.Contains(r.Err, b.want) {
				t.Errorf("%v: exit %d, want 2 and %q:\n%s", b.args, r.Code, b.want, r.all())
			}
		}
		if h.exists(kube.MigHooks, "bad-hook") {
			t.Fatal("an invalid hook was created")
		}
	})
	t.Run("list shows where hooks are used", func(t *testing.T) {
		plan := map[string]any{"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": "shop-hooks", "namespace": migNS},
			"spec": map[string]any{"hooks": []any{map[string]any{
				"phase": "PreBackup", "executionNamespace": migNS, "serviceAccount": "migration-controller",
				"reference": map[string]any{"name": "flush", "namespace": migNS}}}}}
		if err := h.Host.Create(ctx, kube.MigPlans, plan); err != nil {
			t.Fatal(err)
		}
		if err := h.Host.Status(ctx, kube.MigHooks, "warm", map[string]any{"conditions": cmdtest.Conditions(
			cmdtest.Condition("InvalidImage", "Critical", "NotSet", "The image name specified in spec.Image is invalid."))}); err != nil {
			t.Fatal(err)
		}
		r := h.run("hook", "list")
		mustSucceed(t, r)
		mustContain(t, "list", r.Out, "NAME", "TYPE", "TARGET", "USED BY", "flush", "ansible", "source", "10m0s", "shop-hooks/PreBackup",
			"warm", "custom", "destination", "InvalidImage")
	})
}

// analyticStatus is what the controller writes when the analysis is done.
func analyticStatus(t *testing.T) map[string]any {
	t.Helper()
	ns := mtc.MigAnalyticNamespace{
		Namespace: "shop", K8SResourceTotal: 12, IncompatibleK8SResourceTotal: 2, PVCount: 1, ImageCount: 1,
		PVCapacity: resource.MustParse("10Gi"), ImageSizeTotal: resource.MustParse("200Mi"),
		K8SResources: []mtc.MigAnalyticNSResource{
			{Group: "apps", Version: "v1", Kind: "deployments", Count: 2},
			{Version: "v1", Kind: "configmaps", Count: 10},
		},
		IncompatibleK8SResources: []mtc.MigAnalyticNSResource{{Group: "extensions", Version: "v1beta1", Kind: "ingresses", Count: 2}},
		Images:                   []mtc.MigAnalyticNSImage{{Name: "shop-web", Reference: "image-registry/shop/web@sha256:abc", Size: resource.MustParse("200Mi")}},
		PersistentVolumes: []mtc.MigAnalyticPersistentVolumeClaim{{Name: "data", RequestedCapacity: resource.MustParse("10Gi"),
			ActualCapacity: resource.MustParse("10Gi"), UsagePercentage: 93, ProposedCapacity: resource.MustParse("12Gi"),
			Comment: "Volume usage is high"}},
	}
	st := mtc.MigAnalyticStatus{
		Conditions: mtc.Conditions{{Type: "Ready", Status: "True", Category: "Required", Message: "The analytic is ready."}},
		Analytics: mtc.MigAnalyticPlan{Plan: "shop", PercentComplete: 100, K8SResourceTotal: 12, IncompatibleK8SResourceTotal: 2,
			PVCapacity: resource.MustParse("10Gi"), PVCount: 1, ImageCount: 1, ImageSizeTotal: resource.MustParse("200Mi"),
			Namespaces: []mtc.MigAnalyticNamespace{ns}},
	}
	st.Conditions[0].LastTransitionTime.Time = time.Now().UTC().Truncate(time.Second)
	u, err := kube.ToUnstructured(&st)
	if err != nil {
		t.Fatal(err)
	}
	return u.Object
}

// analyze runs `plan analyze` while playing the controller: it waits for
// the MigAnalytic (and, for a refresh, spec.refresh), writes a progress
// step and then the finished status, clearing spec.refresh as the
// controller does.
func analyze(t *testing.T, h *harness, refresh bool, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- h.exec(call{ctx: ctx, args: append([]string{"plan", "analyze", "shop", "--timeout", "60s"}, args...)})
	}()
	cond := func(u *unstructured.Unstructured) bool {
		r, _, _ := unstructured.NestedBool(u.Object, "spec", "refresh")
		return !refresh || r
	}
	if _, err := h.Host.WaitFor(ctx, kube.MigAnalytics, "shop", cond); err != nil {
		t.Fatal(err)
	}
	if err := h.Host.Status(ctx, kube.MigAnalytics, "shop", map[string]any{"analytics": map[string]any{
		"plan": "shop", "percentComplete": 50, "k8sResourceTotal": 0, "excludedk8sResourceTotal": 0, "incompatiblek8sResourceTotal": 0,
		"pvCapacity": "0", "pvCount": 0, "imageCount": 0, "imageSizeTotal": "0"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.Host.Patch(ctx, kube.MigAnalytics, "shop", map[string]any{"spec": map[string]any{"refresh": false}, "status": analyticStatus(t)}); err != nil {
		t.Fatal(err)
	}
	return <-done
}

func testPlanAnalyze(t *testing.T, h *harness) {
	ctx := context.Background()
	plan := map[string]any{"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
		"metadata": map[string]any{"name": "shop", "namespace": migNS},
		"spec": map[string]any{"namespaces": []any{"shop"},
			"srcMigClusterRef":  map[string]any{"name": "source", "namespace": migNS},
			"destMigClusterRef": map[string]any{"name": "host", "namespace": migNS}}}
	if err := h.Host.Create(ctx, kube.MigPlans, plan); err != nil {
		t.Fatal(err)
	}
	t.Run("client dry run prints the MigAnalytic", func(t *testing.T) {
		r := h.run("plan", "analyze", "shop", "--dry-run=client")
		mustSucceed(t, r)
		mustContain(t, "yaml", r.Out, "kind: MigAnalytic", "analyzeK8SResources: true", "migplan: shop")
		if h.exists(kube.MigAnalytics, "shop") {
			t.Fatal("client dry run created a MigAnalytic")
		}
	})
	t.Run("first analysis", func(t *testing.T) {
		r := analyze(t, h, false)
		mustSucceed(t, r)
		mustContain(t, "stderr", r.Err, "miganalytic.migration.openshift.io/shop created", "analyzing plan shop: 100%")
		mustContain(t, "report", r.Out,
			"Plan shop: 12 resources, 1 images (200Mi), 1 persistent volumes (10Gi requested)",
			"2 resources are of kinds the destination does not serve",
			"NAMESPACE", "RESOURCES", "INCOMPATIBLE", "PV CAPACITY", "TOTAL",
			"Resources by kind:", "configmaps", "deployments", "apps/v1",
			"Incompatible resources", "ingresses", "extensions/v1beta1",
			"Images:", "shop-web", "Persistent volumes:", "data", "93%", "12Gi", "Volume usage is high")
		if strings.Index(r.Out, "configmaps") > strings.Index(r.Out, "deployments") {
			t.Error("kinds must be listed by count, largest first")
		}
		u, err := h.Host.Get(ctx, kube.MigAnalytics, "shop")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := kube.FromUnstructured[mtc.MigAnalytic](u)
		if a.Labels["migplan"] != "shop" || a.Spec.MigPlanRef.Name != "shop" || !a.Spec.AnalyzeK8SResources || !a.Spec.AnalyzeExtendedPVCapacity {
			t.Fatalf("MigAnalytic = %+v", a)
		}
	})
	t.Run("second analysis refreshes, as json", func(t *testing.T) {
		r := analyze(t, h, true, "--list-images", "-o", "json")
		mustSucceed(t, r)
		mustContain(t, "stderr", r.Err, "miganalytic.migration.openshift.io/shop refreshed")
		var rep struct {
			Plan      string
			Ready     bool
			Analytics mtc.MigAnalyticPlan
		}
		if err := json.Unmarshal([]byte(r.Out), &rep); err != nil {
			t.Fatalf("json: %v\n%s", err, r.Out)
		}
		if rep.Plan != "shop" || !rep.Ready || rep.Analytics.K8SResourceTotal != 12 || len(rep.Analytics.Namespaces) != 1 {
			t.Fatalf("report = %+v", rep)
		}
		u, _ := h.Host.Get(ctx, kube.MigAnalytics, "shop")
		a, _ := kube.FromUnstructured[mtc.MigAnalytic](u)
		if !a.Spec.ListImages || a.Spec.ListImagesLimit != 50 {
			t.Fatalf("--list-images not set on the analytic: %+v", a.Spec)
		}
	})
	t.Run("blocked analysis times out with the reason", func(t *testing.T) {
		if err := h.Host.Patch(ctx, kube.MigAnalytics, "shop", map[string]any{"status": map[string]any{"conditions": cmdtest.Conditions(
			cmdtest.Condition("Postponed", "Critical", "", "Postponed until the plan is ready."))}}); err != nil {
			t.Fatal(err)
		}
		r := h.run("plan", "analyze", "shop", "--timeout", "2s")
		if r.Code != 1 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "did not finish", "Postponed", "plan describe")
	})
	t.Run("unknown plan", func(t *testing.T) {
		r := h.run("plan", "analyze", "nope")
		if r.Code != 1 || !strings.Contains(r.Err, `"nope" does not exist`) {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
	})
}
