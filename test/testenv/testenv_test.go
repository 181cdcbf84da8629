package testenv_test

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// sourceConfigFromMigCluster builds a client config for the source cluster
// from nothing but the host's MigCluster "source" and the Secret it names,
// as MTC (and kubectl-mig) do.
func sourceConfigFromMigCluster(t *testing.T, ctx context.Context, host *testenv.Cluster) *rest.Config {
	t.Helper()
	mc, err := host.Dynamic().Resource(testenv.MigClusterGVR).Namespace(testenv.MigrationNamespace).Get(ctx, testenv.SourceName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get MigCluster source: %v", err)
	}
	url, _, _ := unstructured.NestedString(mc.Object, "spec", "url")
	caB64, _, _ := unstructured.NestedString(mc.Object, "spec", "caBundle")
	secretName, _, _ := unstructured.NestedString(mc.Object, "spec", "serviceAccountSecretRef", "name")
	secretNS, _, _ := unstructured.NestedString(mc.Object, "spec", "serviceAccountSecretRef", "namespace")
	ca, err := base64.StdEncoding.DecodeString(caB64)
	if err != nil {
		t.Fatalf("decode caBundle: %v", err)
	}
	secret, err := host.Client().CoreV1().Secrets(secretNS).Get(ctx, secretName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get token secret: %v", err)
	}
	return &rest.Config{
		Host:            url,
		BearerToken:     string(secret.Data[testenv.SATokenKey]),
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
	}
}

func TestTwoClusters(t *testing.T) {
	t.Parallel()
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := sourceConfigFromMigCluster(t, ctx, p.Host)
	if cfg.Host != p.Source.URL() {
		t.Fatalf("MigCluster url %s, want source %s", cfg.Host, p.Source.URL())
	}

	t.Run("source token lists namespaces", func(t *testing.T) {
		cs := kubernetes.NewForConfigOrDie(cfg)
		nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("list namespaces on source with the MigCluster credentials: %v", err)
		}
		if !hasNamespace(nss.Items, testenv.MigrationNamespace) {
			t.Errorf("namespace %s missing on source", testenv.MigrationNamespace)
		}
		review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := "system:serviceaccount:openshift-migration:migration-controller"
		if got := review.Status.UserInfo.Username; got != want {
			t.Errorf("token user %q, want %q (a real service-account token)", got, want)
		}
	})

	t.Run("wrong CA fails verification", func(t *testing.T) {
		bad := rest.CopyConfig(cfg)
		bad.CAData = p.Host.CA()
		_, err := kubernetes.NewForConfigOrDie(bad).CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err == nil || !strings.Contains(err.Error(), "x509") {
			t.Fatalf("err = %v, want an x509 verification error", err)
		}
	})

	t.Run("host has MigClusters and CRDs", func(t *testing.T) {
		list, err := p.Host.Dynamic().Resource(testenv.MigClusterGVR).Namespace(testenv.MigrationNamespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 2 {
			t.Fatalf("%d MigClusters, want 2", len(list.Items))
		}
		for _, mc := range list.Items {
			conds, _, _ := unstructured.NestedSlice(mc.Object, "status", "conditions")
			if len(conds) != 1 || conds[0].(map[string]any)["type"] != "Ready" {
				t.Errorf("MigCluster %s conditions %v, want Ready", mc.GetName(), conds)
			}
		}
		for _, c := range []*testenv.Cluster{p.Host, p.Source} {
			for _, gk := range []string{"Backup.velero.io", "Route.route.openshift.io", "MigPlan.migration.openshift.io"} {
				kind, group, _ := strings.Cut(gk, ".")
				if _, err := c.RESTMapper().RESTMapping(schemaGK(group, kind)); err != nil {
					t.Errorf("cluster %s: %s not served: %v", c.Name(), gk, err)
				}
			}
		}
	})

	t.Run("kubeconfig has a working context per cluster", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := testenv.WriteKubeconfig(path, p.Host, p.Source); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*testenv.Cluster{p.Host, p.Source} {
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
				&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
				&clientcmd.ConfigOverrides{CurrentContext: c.Name()}).ClientConfig()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Nodes().Get(ctx, c.NodeName(), metav1.GetOptions{}); err != nil {
				t.Errorf("context %s: %v", c.Name(), err)
			}
		}
		raw, err := clientcmd.LoadFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if raw.CurrentContext != testenv.HostName {
			t.Errorf("current context %q, want host", raw.CurrentContext)
		}
	})

	t.Run("nodes point at stand-in kubelets", func(t *testing.T) {
		for _, c := range []*testenv.Cluster{p.Host, p.Source} {
			n, err := c.Client().CoreV1().Nodes().Get(ctx, c.NodeName(), metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := int(n.Status.DaemonEndpoints.KubeletEndpoint.Port); got != c.Kubelet().Port() {
				t.Errorf("cluster %s: node kubelet port %d, want %d", c.Name(), got, c.Kubelet().Port())
			}
		}
	})
}

func TestKarmadaPair(t *testing.T) {
	t.Parallel()
	k := testenv.NewKarmadaPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := k.ControlPlane.Dynamic().Resource(testenv.KarmadaClusterGVR).Get(ctx, testenv.KarmadaMemberName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	endpoint, _, _ := unstructured.NestedString(cl.Object, "spec", "apiEndpoint")
	ref, _, _ := unstructured.NestedString(cl.Object, "spec", "secretRef", "name")
	secret, err := k.ControlPlane.Client().CoreV1().Secrets(testenv.KarmadaClusterNamespace).Get(ctx, ref, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &rest.Config{Host: endpoint, BearerToken: string(secret.Data["token"]), TLSClientConfig: rest.TLSClientConfig{CAData: secret.Data["caBundle"]}}
	if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("member not reachable with the Karmada Cluster credentials: %v", err)
	}
	conds, _, _ := unstructured.NestedSlice(cl.Object, "status", "conditions")
	if len(conds) == 0 {
		t.Errorf("Karmada Cluster %s has no status conditions", testenv.KarmadaMemberName)
	}
}

func hasNamespace(items []corev1.Namespace, name string) bool {
	for _, i := range items {
		if i.Name == name {
			return true
		}
	}
	return false
}

func schemaGK(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }
