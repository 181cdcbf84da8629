package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

var (
	migClusters = schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migclusters"}
	migPlans    = schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migplans"}
	podsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

// sandbox is the benchmark cluster: one API server with the MTC CRDs, the
// host MigCluster, N namespaces of P running pods each with a log of B
// bytes, and MigPlans (10 namespaces each, MTC's default limit) covering
// them, so that a gather takes exactly those namespaces.
type sandbox struct {
	cluster    *testenv.Cluster
	namespaces []string
}

func startSandbox(ctx context.Context, dir string, nNS, nPods int, logBytes int64) (*sandbox, error) {
	bins, err := testenv.FindBinaries()
	if err != nil {
		return nil, err
	}
	// Profiling lets `--serve` users take the API server's CPU profile
	// (kubectl get --raw '/debug/pprof/profile?seconds=30').
	c, err := testenv.StartCluster(ctx, "host", testenv.WithBinaries(bins), testenv.WithDir(dir),
		testenv.WithAPIServerArgs("--profiling=true"))
	if err != nil {
		return nil, err
	}
	s := &sandbox{cluster: c}
	if err := s.populate(ctx, nNS, nPods, logBytes); err != nil {
		c.Stop()
		return nil, err
	}
	return s, nil
}

func (s *sandbox) populate(ctx context.Context, nNS, nPods int, logBytes int64) error {
	c := s.cluster
	mtcCRDs, err := crds.MTC()
	if err != nil {
		return err
	}
	if err := c.InstallCRDs(ctx, mtcCRDs...); err != nil {
		return err
	}
	if err := c.EnsureNamespace(ctx, "openshift-migration"); err != nil {
		return err
	}
	host := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigCluster",
		"metadata": map[string]any{"name": "host", "namespace": "openshift-migration"},
		"spec":     map[string]any{"isHostCluster": true},
	}}
	if _, err := c.Dynamic().Resource(migClusters).Namespace("openshift-migration").Create(ctx, host, metav1.CreateOptions{}); err != nil {
		return err
	}
	for i := 0; i < nNS; i++ {
		s.namespaces = append(s.namespaces, fmt.Sprintf("bench-%03d", i))
	}
	logText := logContent(logBytes)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, ns := range s.namespaces {
		if err := c.EnsureNamespace(ctx, ns); err != nil {
			return err
		}
		for p := 0; p < nPods; p++ {
			g.Go(func() error { return s.pod(gctx, ns, fmt.Sprintf("app-%02d", p), logText) })
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i := 0; i*10 < len(s.namespaces); i++ {
		var nss []any
		for _, ns := range s.namespaces[i*10 : min(len(s.namespaces), (i+1)*10)] {
			nss = append(nss, ns)
		}
		plan := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": fmt.Sprintf("bench-plan-%02d", i), "namespace": "openshift-migration"},
			"spec": map[string]any{"namespaces": nss,
				"srcMigClusterRef":  map[string]any{"name": "host", "namespace": "openshift-migration"},
				"destMigClusterRef": map[string]any{"name": "host", "namespace": "openshift-migration"}},
		}}
		if _, err := c.Dynamic().Resource(migPlans).Namespace("openshift-migration").Create(ctx, plan, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// pod creates a running pod on the stand-in node, with its log.
func (s *sandbox) pod(ctx context.Context, ns, name, logText string) error {
	c := s.cluster
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "bench"}},
		Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{{Name: "app", Image: "registry.example.com/app:1",
			Env: []corev1.EnvVar{{Name: "DB_PASSWORD", Value: "not-a-real-password"}}}}},
	}
	if _, err := c.Client().CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return err
	}
	status := corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1",
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true, Image: pod.Spec.Containers[0].Image,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}}}
	if err := c.PatchStatus(ctx, podsGVR, ns, name, status); err != nil {
		return err
	}
	return c.Kubelet().SetLog(ns, name, "app", strings.NewReader(logText))
}

// logContent is logBytes of timestamped lines from the last half hour,
// looking like a controller's log.
func logContent(logBytes int64) string {
	var b strings.Builder
	start := time.Now().Add(-30 * time.Minute)
	for i := 0; int64(b.Len()) < logBytes; i++ {
		ts := start.Add(time.Duration(i) * time.Millisecond).UTC().Format(time.RFC3339Nano)
		fmt.Fprintf(&b, "%s I0501 controller.go:%d] Reconciling MigMigration openshift-migration/bench-%d phase=Started itinerary=Final request=%08x\n",
			ts, i%900, i%37, i)
	}
	return b.String()
}
