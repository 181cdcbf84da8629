package scenario_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const mtcNS = "openshift-migration"

func gvr(group, version, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
}

var (
	migMigrations = gvr("migration.openshift.io", "v1alpha1", "migmigrations")
	dvms          = gvr("migration.openshift.io", "v1alpha1", "directvolumemigrations")
	dvmps         = gvr("migration.openshift.io", "v1alpha1", "directvolumemigrationprogresses")
	backups       = gvr("velero.io", "v1", "backups")
	restores      = gvr("velero.io", "v1", "restores")
)

func get(t *testing.T, ctx context.Context, c *testenv.Cluster, r schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	t.Helper()
	obj, err := c.Dynamic().Resource(r).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("cluster %s: get %s %s/%s: %v", c.Name(), r.Resource, ns, name, err)
	}
	return obj
}

func str(obj *unstructured.Unstructured, path ...string) string {
	s, _, _ := unstructured.NestedString(obj.Object, path...)
	return s
}

// condition returns the condition of the given type, or nil.
func condition(obj *unstructured.Unstructured, typ string) map[string]any {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == typ {
			return m
		}
	}
	return nil
}

func TestHealthyFinal(t *testing.T) {
	t.Parallel()
	env := scenario.Start(t, "healthy-final")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	host, source := env.Host, env.Source
	planUID, _ := env.Scenario.UID("host", "MigPlan", mtcNS, "shop-plan")
	migUID, _ := env.Scenario.UID("host", "MigMigration", mtcNS, "shop-final")

	t.Run("migration succeeded", func(t *testing.T) {
		mig := get(t, ctx, host, migMigrations, mtcNS, "shop-final")
		if str(mig, "status", "phase") != "Completed" || str(mig, "status", "itinerary") != "Final" {
			t.Errorf("phase %q itinerary %q", str(mig, "status", "phase"), str(mig, "status", "itinerary"))
		}
		if c := condition(mig, "Succeeded"); c == nil || c["reason"] != "Completed" {
			t.Errorf("Succeeded condition %v", c)
		}
		steps, _, _ := unstructured.NestedSlice(mig.Object, "status", "pipeline")
		for _, s := range steps {
			if m := s.(map[string]any); m["message"] != "Completed" || m["failed"] == true {
				t.Errorf("step %v not completed", m["name"])
			}
		}
		if mig.GetLabels()["migration.openshift.io/migration-uid"] != string(mig.GetUID()) {
			t.Errorf("migration-uid label %q, own UID %s", mig.GetLabels()["migration.openshift.io/migration-uid"], mig.GetUID())
		}
	})
	t.Run("velero objects completed on the right clusters", func(t *testing.T) {
		b := get(t, ctx, source, backups, mtcNS, "shop-final-initial-5qz8k")
		r := get(t, ctx, host, restores, mtcNS, "shop-final-final-m2x7d")
		if str(b, "status", "phase") != "Completed" || str(r, "status", "phase") != "Completed" {
			t.Errorf("backup %q restore %q", str(b, "status", "phase"), str(r, "status", "phase"))
		}
		if b.GetLabels()["migration.openshift.io/migrated-by-migmigration"] != string(migUID) {
			t.Errorf("backup labels %v", b.GetLabels())
		}
	})
	t.Run("destination objects carry the plan label", func(t *testing.T) {
		d, err := host.Client().AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Labels["migration.openshift.io/migrated-by-migplan"] != string(planUID) || d.Status.ReadyReplicas != 2 {
			t.Errorf("deployment labels %v ready %d", d.Labels, d.Status.ReadyReplicas)
		}
		src, err := source.Client().AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if *src.Spec.Replicas != 0 || src.Annotations["migration.openshift.io/preQuiesceReplicas"] != "2" {
			t.Errorf("source deployment replicas %d annotations %v", *src.Spec.Replicas, src.Annotations)
		}
	})
	t.Run("dvm progress named by md5", func(t *testing.T) {
		list, err := host.Dynamic().Resource(dvmps).Namespace(mtcNS).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum([]byte("shop-final-8pl2w" + "data" + "shop"))
		if len(list.Items) != 1 || list.Items[0].GetName() != hex.EncodeToString(sum[:]) {
			t.Errorf("DVMPs %v", list.Items)
		}
	})
	t.Run("logs through the apiserver", func(t *testing.T) {
		got := podLog(t, ctx, host, mtcNS, "migration-controller-6c8d7f9b5-kx2vt", &corev1.PodLogOptions{Container: "mtc", TailLines: ptr[int64](1)})
		if !strings.Contains(got, `"msg":"[COMPLETED]"`) || !strings.HasPrefix(got, `{"level":"info"`) {
			t.Errorf("controller log tail %q", got)
		}
		got = podLog(t, ctx, source, mtcNS, "velero-5d8c7b6f9-r4n8j", &corev1.PodLogOptions{Container: "velero", Timestamps: true})
		if !strings.Contains(got, `level=info msg="Backup completed" backup=openshift-migration/shop-final-initial-5qz8k`) {
			t.Errorf("velero log %q", got)
		}
	})
}

func TestFailedDVMRsyncPending(t *testing.T) {
	t.Parallel()
	env := scenario.Start(t, "failed-dvm-rsync-pending")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	host, source := env.Host, env.Source
	planUID, _ := env.Scenario.UID("host", "MigPlan", mtcNS, "inventory-plan")
	dvmUID, _ := env.Scenario.UID("host", "DirectVolumeMigration", mtcNS, "inventory-final-6wmzq")

	t.Run("migration failed at DirectVolume", func(t *testing.T) {
		mig := get(t, ctx, host, migMigrations, mtcNS, "inventory-final")
		if c := condition(mig, "Failed"); c == nil || c["reason"] != "WaitForDirectVolumeMigrationToComplete" {
			t.Errorf("Failed condition %v", c)
		}
		errs, _, _ := unstructured.NestedStringSlice(mig.Object, "status", "errors")
		if len(errs) != 1 || !strings.HasPrefix(errs[0], "DVM failed: ") {
			t.Errorf("errors %v", errs)
		}
		steps, _, _ := unstructured.NestedSlice(mig.Object, "status", "pipeline")
		var failed []string
		for _, s := range steps {
			if m := s.(map[string]any); m["failed"] == true {
				failed = append(failed, m["name"].(string))
			}
		}
		if !slices.Equal(failed, []string{"DirectVolume"}) {
			t.Errorf("failed steps %v", failed)
		}
		spec, _, _ := unstructured.NestedBool(mig.Object, "spec", "quiescePods")
		if !spec {
			t.Error("quiescePods not set")
		}
	})
	t.Run("dvm pending warnings", func(t *testing.T) {
		dvm := get(t, ctx, host, dvms, mtcNS, "inventory-final-6wmzq")
		for _, typ := range []string{"RsyncTransferPodsPending", "RsyncClientPodsPending"} {
			if c := condition(dvm, typ); c == nil || c["category"] != "Warn" {
				t.Errorf("%s condition %v", typ, c)
			}
		}
		if c := condition(dvm, "Failed"); c == nil || c["category"] != "Critical" {
			t.Errorf("Failed condition %v", c)
		}
		pending, _, _ := unstructured.NestedSlice(dvm.Object, "status", "pendingSinceTimeLimitPods")
		if len(pending) != 1 || pending[0].(map[string]any)["name"] != "rsync-4kzt8" {
			t.Errorf("pendingSinceTimeLimitPods %v", pending)
		}
		list, err := host.Dynamic().Resource(dvmps).Namespace(mtcNS).List(ctx, metav1.ListOptions{LabelSelector: "directvolumemigration=" + string(dvmUID)})
		if err != nil || len(list.Items) != 2 {
			t.Errorf("DVMPs for the DVM: %d, %v", len(list.Items), err)
		}
	})
	t.Run("rsync-server pending on destination", func(t *testing.T) {
		pod, err := host.Client().CoreV1().Pods("inventory").Get(ctx, "rsync-server", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pod.Spec.NodeName != "" || pod.Status.Phase != corev1.PodPending {
			t.Errorf("rsync-server node %q phase %q", pod.Spec.NodeName, pod.Status.Phase)
		}
		evs, err := host.Client().CoreV1().Events("inventory").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=rsync-server"})
		if err != nil || len(evs.Items) != 1 {
			t.Fatalf("events %v %v", evs, err)
		}
		if ev := evs.Items[0]; ev.Reason != "FailedScheduling" || ev.InvolvedObject.UID != pod.UID || !strings.Contains(ev.Message, "didn't match node selector") {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("namespace annotation missing on destination", func(t *testing.T) {
		src, err := source.Client().CoreV1().Namespaces().Get(ctx, "inventory", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dst, err := host.Client().CoreV1().Namespaces().Get(ctx, "inventory", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if src.Annotations["openshift.io/node-selector"] != "region=east" {
			t.Errorf("source annotations %v", src.Annotations)
		}
		if _, ok := dst.Annotations["openshift.io/node-selector"]; ok {
			t.Errorf("destination namespace has the annotation: %v", dst.Annotations)
		}
	})
	t.Run("quiesced source workloads", func(t *testing.T) {
		apps := source.Client().AppsV1()
		api, err := apps.Deployments("inventory").Get(ctx, "inventory-api", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		worker, err := apps.Deployments("inventory").Get(ctx, "inventory-worker", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := apps.DaemonSets("inventory").Get(ctx, "log-forwarder", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cj, err := source.Client().BatchV1().CronJobs("inventory").Get(ctx, "nightly-report", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		job, err := source.Client().BatchV1().Jobs("inventory").Get(ctx, "reindex", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case *api.Spec.Replicas != 0 || api.Annotations["migration.openshift.io/preQuiesceReplicas"] != "2":
			t.Errorf("inventory-api %d %v", *api.Spec.Replicas, api.Annotations)
		case len(worker.Annotations) != 0:
			t.Errorf("untouched inventory-worker has annotations %v", worker.Annotations)
		case ds.Spec.Template.Spec.NodeSelector["migration.openshift.io/quiesceDaemonSet"] != "true":
			t.Errorf("daemonset node selector %v", ds.Spec.Template.Spec.NodeSelector)
		case !*cj.Spec.Suspend || cj.Annotations["migration.openshift.io/preQuiesceSuspend"] != "true":
			t.Errorf("cronjob %v %v", *cj.Spec.Suspend, cj.Annotations)
		case *job.Spec.Parallelism != 0:
			t.Errorf("job parallelism %d", *job.Spec.Parallelism)
		}
	})
	t.Run("rsync client pods and leftovers on source", func(t *testing.T) {
		pods, err := source.Client().CoreV1().Pods("inventory").List(ctx, metav1.ListOptions{
			LabelSelector: "app=directvolumemigration-rsync-transfer,directvolumemigration=" + string(dvmUID),
		})
		if err != nil || len(pods.Items) != 2 {
			t.Fatalf("rsync client pods: %d, %v", len(pods.Items), err)
		}
		for _, p := range pods.Items {
			if p.Labels["migration.openshift.io/migrated-by-migplan"] != string(planUID) || !hasEnv(p, "RSYNC_PASSWORD") {
				t.Errorf("pod %s labels %v", p.Name, p.Labels)
			}
		}
		stage, err := source.Client().CoreV1().Pods("inventory").List(ctx, metav1.ListOptions{LabelSelector: "migration.openshift.io/is-stage-pod=true"})
		if err != nil || len(stage.Items) != 1 {
			t.Errorf("stage pods %d %v", len(stage.Items), err)
		}
		pv, err := source.Client().CoreV1().PersistentVolumes().Get(ctx, "nfs-archive", metav1.GetOptions{})
		if err != nil || pv.Annotations["migration.openshift.io/orig-reclaim-policy"] != "Delete" || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain {
			t.Errorf("nfs-archive PV %v %v", pv, err)
		}
		if _, err := source.Client().CoreV1().ConfigMaps("inventory").Get(ctx, "fs-crane2-stunnel-client-config", metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
		if _, err := source.Client().CoreV1().Secrets("inventory").Get(ctx, "crane2-rsync-client-secret", metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
	})
	t.Run("logs", func(t *testing.T) {
		got := podLog(t, ctx, host, mtcNS, "migration-controller-6c8d7f9b5-p9d4h", &corev1.PodLogOptions{Container: "mtc"})
		if !strings.Contains(got, `"msg":"Phase execution failed."`) || !strings.Contains(got, "DVM failed: ") {
			t.Errorf("controller log lacks the failure:\n%s", got)
		}
		got = podLog(t, ctx, source, "inventory", "rsync-7n4xd", &corev1.PodLogOptions{Container: "rsync"})
		if !strings.Contains(got, "error in socket IO (code 10)") {
			t.Errorf("rsync log %q", got)
		}
		_, err := source.Client().CoreV1().Pods("inventory").GetLogs("rsync-4kzt8", &corev1.PodLogOptions{Container: "rsync"}).Stream(ctx)
		if err == nil || !strings.Contains(err.Error(), "is waiting to start: ContainerCreating") {
			t.Errorf("pending pod log err = %v", err)
		}
	})
}

func hasEnv(p corev1.Pod, name string) bool {
	for _, c := range p.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == name && e.Value != "" {
				return true
			}
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
