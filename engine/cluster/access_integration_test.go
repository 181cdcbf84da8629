package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestMigClusterAccess proves the source cluster is reached only through its
// MigCluster (URL, saToken Secret, caBundle) and that each way it can be
// misconfigured is explained.
func TestMigClusterAccess(t *testing.T) {
	pair := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// A namespace that exists only on the source proves which server answered.
	marker := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "only-on-source"}}
	if _, err := pair.Source.Client().CoreV1().Namespaces().Create(ctx, marker, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	access, err := cluster.New(cluster.Options{Host: pair.Host.Config(), Namespace: "openshift-migration"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("source through its MigCluster", func(t *testing.T) {
		src, err := access.MigCluster(ctx, "source")
		if err != nil {
			t.Fatal(err)
		}
		if src.Config.BearerToken == pair.Source.AdminToken() || src.Config.Insecure {
			t.Fatal("the source must be reached with the MigCluster's own token and verified TLS")
		}
		if _, err := src.Kube.CoreV1().Namespaces().Get(ctx, "only-on-source", metav1.GetOptions{}); err != nil {
			t.Fatalf("the MigCluster target did not reach the source API server: %v", err)
		}
		if r := cluster.Probe(ctx, src); !r.OK() || !r.Privileged || !r.TLSVerified {
			t.Fatalf("probe = %+v", r)
		}
	})

	t.Run("host and all", func(t *testing.T) {
		targets, errs := access.All(ctx)
		if len(errs) != 0 || len(targets) != 2 {
			t.Fatalf("All = %d targets, errs %v", len(targets), errs)
		}
		if !targets[0].IsHost || targets[0].Name != "host" || targets[1].Name != "source" {
			t.Fatalf("targets = %s, %s", targets[0].Name, targets[1].Name)
		}
	})

	t.Run("plan resolves both sides", func(t *testing.T) {
		plan := &mtc.MigPlan{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: mtc.MigPlanSpec{
			SrcMigClusterRef:  &corev1.ObjectReference{Name: "source", Namespace: "openshift-migration"},
			DestMigClusterRef: &corev1.ObjectReference{Name: "host", Namespace: "openshift-migration"},
		}}
		src, dst, err := access.Plan(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if src.Name != "source" || !dst.IsHost {
			t.Fatalf("plan sides = %s, %s", src.Name, dst.Name)
		}
	})

	mcs := pair.Host.Dynamic().Resource(kube.MigClusters).Namespace("openshift-migration")
	breakSource := func(t *testing.T, patch string) {
		t.Helper()
		orig, err := mcs.Get(ctx, "source", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		spec := orig.Object["spec"]
		if _, err := mcs.Patch(ctx, "source", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			restore := map[string]any{"spec": spec}
			if err := kube.MergePatch(ctx, mcs, "source", restore, false); err != nil {
				t.Errorf("restore MigCluster: %v", err)
			}
		})
	}
	failures := []struct {
		name, patch, problem string
	}{
		{"wrong CA", `{"spec":{"caBundle":"` + pair.Host.CABase64() + `"}}`, "unknown authority"},
		{"bad token", `{"spec":{"serviceAccountSecretRef":{"name":"bad-token","namespace":"openshift-config"}}}`, "401"},
		{"unreachable", `{"spec":{"url":"https://127.0.0.1:1"}}`, "connection refused"},
	}
	badToken := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bad-token", Namespace: "openshift-config"},
		Data: map[string][]byte{"saToken": []byte("not-a-token")}}
	if _, err := pair.Host.Client().CoreV1().Secrets("openshift-config").Create(ctx, badToken, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			breakSource(t, f.patch)
			src, err := access.MigCluster(ctx, "source")
			if err != nil {
				t.Fatal(err)
			}
			r := cluster.Probe(ctx, src)
			if r.OK() || !strings.Contains(r.Problem, f.problem) || r.Fix == "" {
				t.Fatalf("probe = %+v, want a problem mentioning %q and a fix", r, f.problem)
			}
		})
	}

	t.Run("missing secret names cluster and fix", func(t *testing.T) {
		breakSource(t, `{"spec":{"serviceAccountSecretRef":{"name":"gone","namespace":"openshift-config"}}}`)
		_, err := access.MigCluster(ctx, "source")
		if err == nil || !strings.Contains(err.Error(), `cluster "source"`) || !strings.Contains(err.Error(), "fix:") {
			t.Fatalf("err = %v", err)
		}
	})
}
