package rollback_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const (
	ns      = cmdtest.Namespace
	appNS   = "inventory"
	planArg = "inventory-plan"
)

var (
	deployments  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulsets = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	replicasets  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	daemonsets   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	cronjobs     = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	jobs         = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	pods         = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	pvs          = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}
	configmaps   = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, c *testenv.Cluster, gvr schema.GroupVersionResource, obj map[string]any) {
	t.Helper()
	u := &unstructured.Unstructured{Object: obj}
	_, err := c.Dynamic().Resource(gvr).Namespace(u.GetNamespace()).Create(context.Background(), u, metav1.CreateOptions{})
	must(t, err)
}

func get(t *testing.T, c *testenv.Cluster, gvr schema.GroupVersionResource, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := c.Dynamic().Resource(gvr).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	must(t, err)
	return u
}

func podTemplate(app string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"app": app}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "quay.io/example/" + app + ":1"}}},
	}
}

// extras adds what the scenario lacks to cover every kind: a quiesced
// DeploymentConfig and standalone ReplicaSet, an untouched Deployment, an
// application pod MTC borrowed as a stage pod, and on the destination a
// stage pod and a migrated copy left quiesced.
func extras(t *testing.T, h *cmdtest.Harness, planUID string) {
	t.Helper()
	src, dst := h.Pair.Source, h.Pair.Host
	create(t, src, kube.DeploymentConfigs, map[string]any{
		"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
		"metadata": map[string]any{"name": "legacy-dc", "namespace": appNS, "annotations": map[string]any{
			"migration.openshift.io/preQuiesceReplicas": "3", "migration.openshift.io/preQuiescePaused": "true"}},
		"spec": map[string]any{"replicas": 0, "paused": false, "selector": map[string]any{"app": "legacy"}, "template": podTemplate("legacy")},
	})
	create(t, src, replicasets, map[string]any{
		"apiVersion": "apps/v1", "kind": "ReplicaSet",
		"metadata": map[string]any{"name": "standalone-rs", "namespace": appNS, "annotations": map[string]any{
			"migration.openshift.io/preQuiesceReplicas": "2"}},
		"spec": map[string]any{"replicas": 0, "selector": map[string]any{"matchLabels": map[string]any{"app": "rs"}}, "template": podTemplate("rs")},
	})
	create(t, src, deployments, map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "untouched", "namespace": appNS},
		"spec":     map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"app": "untouched"}}, "template": podTemplate("untouched")},
	})
	create(t, src, pods, map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "inventory-api-7d9f-abcde", "namespace": appNS,
			"labels": map[string]any{"app": "inventory-api", "migration.openshift.io/is-stage-pod": "true",
				"migration.openshift.io/is-application-pod": "true", "migplan": planUID, "migmigration": "m-uid",
				"migration-included-stage-backup": "m-uid"},
			"annotations": map[string]any{"migration.openshift.io/exclude-pvcs": "archive"}},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "api", "image": "quay.io/example/inventory-api:3.2.0"}}},
	})
	create(t, dst, pods, map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "stage-data-mysql-0-q8z5t", "namespace": appNS,
			"labels": map[string]any{"migration.openshift.io/is-stage-pod": "true", "migplan": planUID}},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "sleep", "image": "registry.example/stage:1"}}},
	})
	create(t, dst, deployments, map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "inventory-api", "namespace": appNS, "annotations": map[string]any{
			"migration.openshift.io/preQuiesceReplicas": "2"}},
		"spec": map[string]any{"replicas": 0, "selector": map[string]any{"matchLabels": map[string]any{"app": "inventory-api"}}, "template": podTemplate("inventory-api")},
	})
}

// snapshot records the resourceVersion of every object of interest.
func snapshot(t *testing.T, h *cmdtest.Harness) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(cluster string, c dynamic.Interface, gvr schema.GroupVersionResource, namespace string) {
		l, err := c.Resource(gvr).Namespace(namespace).List(context.Background(), metav1.ListOptions{})
		must(t, err)
		for _, u := range l.Items {
			out[fmt.Sprintf("%s/%s/%s/%s", cluster, gvr.Resource, u.GetNamespace(), u.GetName())] = u.GetResourceVersion()
		}
	}
	for _, gvr := range []schema.GroupVersionResource{deployments, statefulsets, replicasets, daemonsets, cronjobs, jobs, pods, configmaps, kube.DeploymentConfigs} {
		add("source", h.Pair.Source.Dynamic(), gvr, appNS)
		add("host", h.Pair.Host.Dynamic(), gvr, appNS)
	}
	add("source", h.Pair.Source.Dynamic(), pvs, "")
	add("host", h.Pair.Host.Dynamic(), pvs, "")
	return out
}

func nested(u *unstructured.Unstructured, fields ...string) any {
	v, _, _ := unstructured.NestedFieldNoCopy(u.Object, fields...)
	return v
}

// cancelAfter cancels ctx once n actions have been reported done on stderr.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n -= strings.Count(string(p), "(done)")
	if c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestManualRollback(t *testing.T) {
	h := cmdtest.New(t)
	l := h.LoadScenario("failed-dvm-rsync-pending")
	planUID, ok := l.UID("host", "MigPlan", ns, planArg)
	if !ok {
		t.Fatal("no plan UID")
	}
	extras(t, h, string(planUID))
	src, dst := h.Pair.Source, h.Pair.Host
	before := snapshot(t, h)

	for _, dry := range []string{"--dry-run", "--dry-run=client", "--dry-run=server"} {
		t.Run("dry run "+dry+" changes nothing", func(t *testing.T) {
			r := h.Run("rollback", planArg, "--manual", dry, "--restore-reclaim-policy")
			if r.Code != 0 {
				t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
			}
			for _, want := range []string{"nothing was changed", "would do (dry run)", "stage-uploads-h7x2k", "delete stage pod",
				"stage-data-mysql-0-q8z5t", "release application pod", "legacy-dc", "replicas 0 -> 3; paused false -> true",
				"standalone-rs", "nodeSelector -> {kubernetes.io/os=linux}", "parallelism 0 -> 1", "suspend true -> false",
				"reclaimPolicy Retain -> Delete", "Source cluster source:", "Destination cluster host:"} {
				if !strings.Contains(r.Out, want) {
					t.Errorf("output lacks %q", want)
				}
			}
			for _, unwanted := range []string{"untouched", "inventory-worker"} {
				if strings.Contains(r.Out, unwanted) {
					t.Errorf("output mentions %s, which MTC did not quiesce", unwanted)
				}
			}
			if t.Failed() {
				t.Logf("stdout:\n%s", r.Out)
			}
			after := snapshot(t, h)
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s changed (%s -> %s)", k, v, after[k])
				}
			}
		})
	}

	t.Run("interrupted half-way", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := h.RunCtx(ctx, &cancelAfter{n: 3, cancel: cancel}, "rollback", planArg, "--manual", "--restore-reclaim-policy")
		if r.Code == 0 || !strings.Contains(r.Err, "run it again") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		if !strings.Contains(r.Out, "pending") && !strings.Contains(r.Out, "not done") {
			t.Fatalf("the table should show what is left:\n%s", r.Out)
		}
	})

	t.Run("rerun finishes and reports what was already done", func(t *testing.T) {
		r := h.Run("rollback", planArg, "--manual", "--restore-reclaim-policy")
		if r.Code != 0 {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		m := regexp.MustCompile(`Summary: (\d+) done, (\d+) already done, 0 would do, 0 skipped, 0 failed, 0 not done`).FindStringSubmatch(r.Out)
		if m == nil || m[1] == "0" || m[2] == "0" {
			t.Fatalf("summary should show work done now and before:\n%s", r.Out)
		}
		if !strings.Contains(r.Out, "restored by an earlier run") {
			t.Errorf("no action reported as done by the interrupted run:\n%s", r.Out)
		}
	})

	t.Run("everything MTC quiesced is restored", func(t *testing.T) {
		checks := []struct {
			what string
			got  any
			want any
		}{
			{"inventory-api replicas", nested(get(t, src, deployments, appNS, "inventory-api"), "spec", "replicas"), int64(2)},
			{"inventory-api paused", nested(get(t, src, deployments, appNS, "inventory-api"), "spec", "paused"), nil},
			{"mysql replicas", nested(get(t, src, statefulsets, appNS, "mysql"), "spec", "replicas"), int64(1)},
			{"nightly-report suspend", nested(get(t, src, cronjobs, appNS, "nightly-report"), "spec", "suspend"), false},
			{"log-forwarder nodeSelector", nested(get(t, src, daemonsets, appNS, "log-forwarder"), "spec", "template", "spec", "nodeSelector"),
				map[string]any{"kubernetes.io/os": "linux"}},
			{"reindex parallelism", nested(get(t, src, jobs, appNS, "reindex"), "spec", "parallelism"), int64(1)},
			{"legacy-dc replicas", nested(get(t, src, kube.DeploymentConfigs, appNS, "legacy-dc"), "spec", "replicas"), int64(3)},
			{"legacy-dc paused", nested(get(t, src, kube.DeploymentConfigs, appNS, "legacy-dc"), "spec", "paused"), true},
			{"standalone-rs replicas", nested(get(t, src, replicasets, appNS, "standalone-rs"), "spec", "replicas"), int64(2)},
			{"inventory-worker replicas", nested(get(t, src, deployments, appNS, "inventory-worker"), "spec", "replicas"), int64(0)},
			{"nfs-archive reclaim policy", nested(get(t, src, pvs, "", "nfs-archive"), "spec", "persistentVolumeReclaimPolicy"), "Delete"},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
			}
		}
		for _, o := range []struct {
			gvr  schema.GroupVersionResource
			name string
		}{{deployments, "inventory-api"}, {statefulsets, "mysql"}, {cronjobs, "nightly-report"}, {daemonsets, "log-forwarder"},
			{jobs, "reindex"}, {kube.DeploymentConfigs, "legacy-dc"}, {replicasets, "standalone-rs"}} {
			for k := range get(t, src, o.gvr, appNS, o.name).GetAnnotations() {
				if strings.HasPrefix(k, "migration.openshift.io/preQuiesce") {
					t.Errorf("%s still has %s", o.name, k)
				}
			}
		}
		if _, ok := get(t, src, pvs, "", "nfs-archive").GetAnnotations()["migration.openshift.io/orig-reclaim-policy"]; ok {
			t.Error("orig-reclaim-policy left on nfs-archive")
		}
		for _, p := range []struct {
			c    *testenv.Cluster
			name string
		}{{src, "stage-uploads-h7x2k"}, {dst, "stage-data-mysql-0-q8z5t"}} {
			u, err := p.c.Dynamic().Resource(pods).Namespace(appNS).Get(context.Background(), p.name, metav1.GetOptions{})
			if err == nil && u.GetDeletionTimestamp() == nil {
				t.Errorf("stage pod %s still there", p.name)
			} else if err != nil && !apierrors.IsNotFound(err) {
				t.Error(err)
			}
		}
		app := get(t, src, pods, appNS, "inventory-api-7d9f-abcde")
		if l := app.GetLabels(); len(l) != 1 || l["app"] != "inventory-api" || len(app.GetAnnotations()) != 0 {
			t.Errorf("borrowed application pod: labels %v annotations %v", l, app.GetAnnotations())
		}
		after := snapshot(t, h)
		for _, k := range []string{
			"source/deployments/inventory/untouched", "source/deployments/inventory/inventory-worker",
			"host/deployments/inventory/inventory-api", "host/pvs//nfs-archive", "host/persistentvolumes//nfs-archive",
			"source/configmaps/inventory/fs-crane2-stunnel-client-config", "source/pods/inventory/rsync-7n4xd", "host/pods/inventory/rsync-server",
		} {
			if v, ok := before[k]; ok && after[k] != v {
				t.Errorf("%s was touched", k)
			}
		}
		if _, ok := get(t, dst, deployments, appNS, "inventory-api").GetAnnotations()["migration.openshift.io/preQuiesceReplicas"]; !ok {
			t.Error("the migrated copy on the destination was unquiesced")
		}
	})

	t.Run("third run has nothing left to do", func(t *testing.T) {
		r := h.Run("rollback", planArg, "--manual", "--restore-reclaim-policy", "-o", "yaml")
		if r.Code != 0 || strings.Contains(r.Out, "state: done") || !strings.Contains(r.Out, "state: already done") {
			t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
		}
		for _, want := range []string{"migrated copy left stopped on the destination", "rsync-server", "crane2-rsync-client-secret"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("leftovers lack %q", want)
			}
		}
	})
}

func TestControllerRollback(t *testing.T) {
	h := cmdtest.New(t)
	l := h.LoadScenario("failed-dvm-rsync-pending")
	planUID, _ := l.UID("host", "MigPlan", ns, planArg)
	src, dst := h.Pair.Source, h.Pair.Host
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"rollback", planArg, "--manual", "--wait"},
			{"rollback", planArg, "--restore-reclaim-policy"},
			{"rollback", planArg, "--timeout", "1m"},
		} {
			if r := h.Run(args...); r.Code != 2 {
				t.Errorf("%v: exit %d %s", args, r.Code, r.Err)
			}
		}
	})

	t.Run("dry run", func(t *testing.T) {
		r := h.Run("rollback", planArg, "--name", "undo0", "--dry-run=server")
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migmigration.migration.openshift.io/undo0 created (server dry run)" {
			t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
		}
		if _, err := h.Host.Get(ctx, kube.MigMigrations, "undo0"); !apierrors.IsNotFound(err) {
			t.Fatalf("dry run created the migration: %v", err)
		}
	})

	// The simulated controller runs the Rollback itinerary: it deletes what
	// carries migrated-by-migplan on the destination, unquiesces the source
	// and reports success; the command then verifies.
	rollbackController := func(name string, deleteMigrated bool) chan error {
		done := make(chan error, 1)
		go func() {
			err := h.Host.Drive(ctx, name, 200*time.Millisecond,
				cmdtest.Running("Rollback", "DeleteMigrated", 10, 14, cmdtest.Pipeline(cmdtest.Step("CleanupMigrated", "", true, false))))
			if err == nil && deleteMigrated {
				sel := metav1.ListOptions{LabelSelector: "migration.openshift.io/migrated-by-migplan=" + string(planUID)}
				for _, gvr := range []schema.GroupVersionResource{{Version: "v1", Resource: "persistentvolumeclaims"}, configmaps,
					{Version: "v1", Resource: "secrets"}, kube.Routes} {
					err = errorsJoin(err, dst.Dynamic().Resource(gvr).Namespace(appNS).DeleteCollection(ctx, metav1.DeleteOptions{}, sel))
				}
				for _, name := range []string{"rsync-server"} {
					zero := int64(0)
					err = errorsJoin(err, dst.Dynamic().Resource(pods).Namespace(appNS).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero}))
				}
				err = errorsJoin(err, dst.Dynamic().Resource(pvs).DeleteCollection(ctx, metav1.DeleteOptions{}, sel))
			}
			if err == nil {
				err = unquiesceLikeMTC(ctx, src.Dynamic())
			}
			if err == nil {
				err = h.Host.Status(ctx, kube.MigMigrations, name, cmdtest.Completed("Rollback", nil, nil,
					cmdtest.Condition("Succeeded", "Advisory", "Completed", "The migration has completed successfully.")))
			}
			done <- err
		}()
		return done
	}

	t.Run("leftovers on the destination fail the verification", func(t *testing.T) {
		done := rollbackController("undo1", false)
		r := h.Run("rollback", planArg, "--name", "undo1", "--wait", "--verify-timeout", "5s")
		must(t, <-done)
		if r.Code != 1 || !strings.Contains(r.Out, "undo1 Succeeded") || !strings.Contains(r.Out, "[FAIL] migrated resources gone from destination host") ||
			!strings.Contains(r.Out, "inventory/PersistentVolumeClaim/archive") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
	})

	t.Run("verified rollback", func(t *testing.T) {
		done := rollbackController("undo2", true)
		// The simulated source has no controllers: mark the restored
		// workloads ready as their controllers would.
		go func() {
			<-time.After(time.Second)
			_ = markReady(ctx, src)
		}()
		r := h.Run("rollback", planArg, "--name", "undo2", "--wait", "--verify-timeout", "30s")
		must(t, <-done)
		if r.Code != 0 {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		for _, want := range []string{"undo2 created", "undo2 Succeeded", "[ok  ] migrated resources gone from destination host (0 left)",
			"[ok  ] no workload left quiesced on source source", "[ok  ] source workloads running again on source"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.Out)
			}
		}
		m, err := h.Host.Get(ctx, kube.MigMigrations, "undo2")
		must(t, err)
		if rb, _, _ := unstructured.NestedBool(m.Object, "spec", "rollback"); !rb {
			t.Error("spec.rollback not set")
		}
	})
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	if apierrors.IsNotFound(b) {
		return nil
	}
	return b
}

// unquiesceLikeMTC plays MTC's UnQuiesceSrcApplications for the scenario.
func unquiesceLikeMTC(ctx context.Context, c dynamic.Interface) error {
	patches := []struct {
		gvr   schema.GroupVersionResource
		name  string
		patch string
	}{
		{deployments, "inventory-api", `{"metadata":{"annotations":{"migration.openshift.io/preQuiesceReplicas":null,"migration.openshift.io/preQuiescePaused":null}},"spec":{"replicas":2}}`},
		{statefulsets, "mysql", `{"metadata":{"annotations":{"migration.openshift.io/preQuiesceReplicas":null}},"spec":{"replicas":1}}`},
		{cronjobs, "nightly-report", `{"metadata":{"annotations":{"migration.openshift.io/preQuiesceSuspend":null}},"spec":{"suspend":false}}`},
		{daemonsets, "log-forwarder", `{"metadata":{"annotations":{"migration.openshift.io/preQuiesceNodeSelector":null}},"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux","migration.openshift.io/quiesceDaemonSet":null}}}}}`},
		{jobs, "reindex", `{"metadata":{"annotations":{"migration.openshift.io/preQuiesceReplicas":null}},"spec":{"parallelism":1}}`},
	}
	for _, p := range patches {
		if _, err := c.Resource(p.gvr).Namespace(appNS).Patch(ctx, p.name, "application/merge-patch+json", []byte(p.patch), metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("unquiesce %s: %w", p.name, err)
		}
	}
	return nil
}

// markReady writes the ready counts the workload controllers would.
func markReady(ctx context.Context, c *testenv.Cluster) error {
	for _, s := range []struct {
		gvr    schema.GroupVersionResource
		name   string
		status map[string]any
	}{
		{deployments, "inventory-api", map[string]any{"replicas": 2, "readyReplicas": 2}},
		{statefulsets, "mysql", map[string]any{"replicas": 1, "readyReplicas": 1}},
	} {
		if err := c.PatchStatus(ctx, s.gvr, appNS, s.name, s.status); err != nil {
			return err
		}
	}
	return nil
}
