package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

var (
	planGVR    = schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migplans"}
	migGVR     = schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migmigrations"}
	backupGVR  = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "backups"}
	restoreGVR = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "restores"}
)

func obj(apiVersion, kind, name string, labels map[string]any, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": casetest.NS, "labels": labels},
		"spec":     spec,
	}}
}

// addUnrelated creates plans other-<i> (namespace other-<i>) each with one
// failed migration, for i in [from, to).
func addUnrelated(ctx context.Context, p *testenv.Pair, from, to int) error {
	dyn := p.Host.Dynamic()
	for i := from; i < to; i++ {
		name := fmt.Sprintf("other-%03d", i)
		plan := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": name, "namespace": casetest.NS},
			"spec": map[string]any{
				"srcMigClusterRef":  map[string]any{"name": "source", "namespace": casetest.NS},
				"destMigClusterRef": map[string]any{"name": "host", "namespace": casetest.NS},
				"migStorageRef":     map[string]any{"name": "storage", "namespace": casetest.NS},
				"namespaces":        []any{name},
			},
		}}
		if _, err := dyn.Resource(planGVR).Namespace(casetest.NS).Create(ctx, plan, metav1.CreateOptions{}); err != nil {
			return err
		}
		mig := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigMigration",
			"metadata": map[string]any{"name": name, "namespace": casetest.NS, "labels": map[string]any{"migration.openshift.io/migplan-name": name}},
			"spec":     map[string]any{"migPlanRef": map[string]any{"name": name, "namespace": casetest.NS}, "stage": false},
			"status": map[string]any{"phase": "Completed", "conditions": []any{map[string]any{
				"type": "Failed", "status": "True", "category": "Advisory", "reason": "InitialBackupFailed",
				"message": "The migration has failed.  See: Errors.", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}},
		}}
		created, err := dyn.Resource(migGVR).Namespace(casetest.NS).Create(ctx, mig, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		// What MTC creates per migration: a Backup on the source, a Restore
		// on the destination, with the correlation label.
		labels := map[string]any{"migmigration": string(created.GetUID()), "app.kubernetes.io/part-of": "openshift-migration"}
		if _, err := p.Source.Dynamic().Resource(backupGVR).Namespace(casetest.NS).Create(ctx, obj("velero.io/v1", "Backup", name+"-initial", labels, map[string]any{}), metav1.CreateOptions{}); err != nil {
			return err
		}
		if _, err := dyn.Resource(restoreGVR).Namespace(casetest.NS).Create(ctx, obj("velero.io/v1", "Restore", name+"-final", labels, map[string]any{"backupName": name + "-initial"}), metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// TestRequestsDoNotGrowWithUnrelatedMigrations: diagnosing one migration
// costs the same number of API requests with 10 or 200 other migrations.
func TestRequestsDoNotGrowWithUnrelatedMigrations(t *testing.T) {
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := casetest.Healthy()
	c.Migration = casetest.Mig
	dir := t.TempDir()
	if err := c.WriteScenario(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Load(ctx, dir, p.Clusters()); err != nil {
		t.Fatalf("load: %v", err)
	}
	// A small page size makes any list that grows with other migrations
	// cost more pages, so the test would see it.
	cost := func() (int64, int) {
		live, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{
			Host: p.Host.Config(), Migration: casetest.Mig, PageSize: 20,
			Remote: func(context.Context, string) (*rest.Config, error) { return p.Source.Config(), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		rep := runRules(t, ctx, live, c)
		return live.Requests(), len(rep.Findings)
	}
	if err := addUnrelated(ctx, p, 0, 10); err != nil {
		t.Fatal(err)
	}
	n10, f10 := cost()
	if err := addUnrelated(ctx, p, 10, 200); err != nil {
		t.Fatal(err)
	}
	n200, f200 := cost()
	t.Logf("API requests for one migration: %d with 10 other migrations, %d with 200", n10, n200)
	if n10 != n200 {
		t.Fatalf("requests grew with unrelated migrations: %d -> %d", n10, n200)
	}
	if f10 != 0 || f200 != 0 {
		t.Fatalf("unrelated failed migrations leaked into the diagnosis: %d, %d findings", f10, f200)
	}
	if n10 > 80 {
		t.Fatalf("diagnosing one migration took %d requests; expected a few dozen", n10)
	}
}
