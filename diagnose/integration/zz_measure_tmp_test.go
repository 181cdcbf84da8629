package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Temporary: measures the request count of the benchmark sandbox's shape.
func TestZZMeasureSandboxShape(t *testing.T) {
	if os.Getenv("MEASURE") == "" {
		t.Skip("MEASURE unset")
	}
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := p.Host
	var nss []string
	for i := 0; i < 100; i++ {
		nss = append(nss, fmt.Sprintf("bench-%03d", i))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, ns := range nss {
		if err := c.EnsureNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			g.Go(func() error {
				pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%02d", i), Namespace: ns},
					Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{{Name: "app", Image: "x"}}}}
				_, err := c.Client().CoreV1().Pods(ns).Create(gctx, pod, metav1.CreateOptions{})
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		var l []any
		for _, ns := range nss[i*10 : (i+1)*10] {
			l = append(l, ns)
		}
		plan := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": fmt.Sprintf("bench-plan-%02d", i), "namespace": "openshift-migration"},
			"spec": map[string]any{"namespaces": l,
				"srcMigClusterRef":  map[string]any{"name": "host", "namespace": "openshift-migration"},
				"destMigClusterRef": map[string]any{"name": "host", "namespace": "openshift-migration"}},
		}}
		if _, err := c.Dynamic().Resource(planGVR).Namespace("openshift-migration").Create(ctx, plan, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range measureModes {
		cfg := snapshot.LiveConfig{Host: c.Config(), Concurrency: 4,
			Remote: func(context.Context, string) (*rest.Config, error) { return p.Source.Config(), nil }}
		mode.set(&cfg)
		live, err := snapshot.OpenLive(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		pods, _ := live.Objects("host", snapshot.Pod)
		t.Logf("MEASURE %s: %d requests, %d pods in snapshot", mode.name, live.Requests(), len(pods))
	}
}
