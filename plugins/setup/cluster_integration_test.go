package setup_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// clusterEnv is a harness plus a real service-account token of the source
// cluster (bound to cluster-admin by testenv.SetupMTC) and its CA.
type clusterEnv struct {
	*harness
	token, tokenFile, caFile, url string
}

func newClusterEnv(t *testing.T) *clusterEnv {
	h := newHarness(t)
	ctx := context.Background()
	token, err := h.Pair.Source.ServiceAccountToken(ctx, migNS, testenv.MigrationServiceAccount, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &clusterEnv{harness: h, token: token, url: h.Pair.Source.URL(),
		tokenFile: h.file("token", token+"\n"), caFile: h.file("source-ca.crt", string(h.Pair.Source.CA()))}
}

func (e *clusterEnv) migCluster(t *testing.T, name string) *mtc.MigCluster {
	t.Helper()
	u, err := e.Host.Get(context.Background(), kube.MigClusters, name)
	if err != nil {
		t.Fatalf("MigCluster %s: %v", name, err)
	}
	mc, err := kube.FromUnstructured[mtc.MigCluster](u)
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

// TestClusterCommands runs every cluster command against one host+source
// pair (starting a pair is the slow part), in an order where each step
// leaves what the next expects.
func TestClusterCommands(t *testing.T) {
	e := newClusterEnv(t)
	t.Run("test", func(t *testing.T) { testClusterTest(t, e) })
	t.Run("add", func(t *testing.T) { testClusterAdd(t, e) })
	t.Run("add with the CA from the server", func(t *testing.T) { testClusterAddCAFromServer(t, e) })
	t.Run("add from a kubeconfig context", func(t *testing.T) { testClusterAddFromContext(t, e) })
	t.Run("add and wait for Ready", func(t *testing.T) { testClusterAddWaitReady(t, e) })
	t.Run("list describe remove", func(t *testing.T) { testClusterListDescribeRemove(t, e) })
}

// testClusterAdd registers the second API server with a real token and CA,
// and checks that each way the connection can fail is explained and leaves
// nothing behind.
func testClusterAdd(t *testing.T, e *clusterEnv) {
	ctx := context.Background()

	t.Run("token file and CA bundle", func(t *testing.T) {
		r := e.run("cluster", "add", "src2", "--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.caFile)
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "secret/src2-token created", "migcluster.migration.openshift.io/src2 created")
		mustContain(t, "stderr", r.Err, "connected to "+e.url, "as system:serviceaccount:openshift-migration:migration-controller", "cluster-admin")
		neverShows(t, r.all(), e.token)
		s, err := e.Pair.Host.Client().CoreV1().Secrets(testenv.ConfigNamespace).Get(ctx, "src2-token", metav1.GetOptions{})
		if err != nil || string(s.Data["saToken"]) != e.token || s.Labels["app.kubernetes.io/managed-by"] != "kubectl-mig" {
			t.Fatalf("token Secret: %v %v", err, s)
		}
		mc := e.migCluster(t, "src2")
		ref := mc.Spec.ServiceAccountSecretRef
		if mc.Spec.IsHostCluster || mc.Spec.URL != e.url || string(mc.Spec.CABundle) != string(e.Pair.Source.CA()) ||
			mc.Spec.Insecure || ref.Name != "src2-token" || ref.Namespace != testenv.ConfigNamespace {
			t.Fatalf("MigCluster spec = %+v", mc.Spec)
		}
	})

	t.Run("existing cluster needs --overwrite", func(t *testing.T) {
		r := e.run("cluster", "add", "src2", "--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.caFile)
		if r.Code != 1 {
			t.Fatalf("exit %d: %s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "already exists", "--overwrite")
		r = e.run("cluster", "add", "src2", "--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.caFile, "--overwrite")
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "secret/src2-token unchanged", "migcluster.migration.openshift.io/src2 configured")
		if !e.migCluster(t, "src2").Spec.Refresh {
			t.Fatal("--overwrite must ask the controller to re-validate (spec.refresh)")
		}
	})

	t.Run("server dry run prints the token masked", func(t *testing.T) {
		r := e.run("cluster", "add", "src-dry", "--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.caFile, "--dry-run=server", "-o", "yaml")
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "kind: List", "saToken: <redacted>", "kind: MigCluster")
		neverShows(t, r.all(), e.token)
		if e.exists(kube.MigClusters, "src-dry") || e.secretExists(testenv.ConfigNamespace, "src-dry-token") {
			t.Fatal("a server dry run must not persist anything")
		}
	})

	t.Run("token on stdin", func(t *testing.T) {
		r := e.exec(call{args: []string{"cluster", "add", "src-stdin", "--url", e.url, "--token-file", "-", "--ca-bundle", e.caFile, "-o", "json"},
			stdin: e.token + "\n"})
		mustSucceed(t, r)
		neverShows(t, r.all(), e.token)
		var list unstructured.UnstructuredList
		if err := json.Unmarshal([]byte(r.Out), &list.Object); err != nil {
			t.Fatalf("-o json is not JSON: %v\n%s", err, r.Out)
		}
	})

	failures := []struct {
		name  string
		args  func() []string
		wants []string
	}{
		{"wrong CA", func() []string {
			return []string{"--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.file("host-ca.crt", string(e.Pair.Host.CA()))}
		}, []string{"not signed by a CA we trust", "detail: the server presents", `issued by "CN=source-ca`, `the CA bundle holds "CN=host-ca`, "fix:", "openssl s_client"}},
		{"bad token", func() []string {
			return []string{"--url", e.url, "--token-file", e.file("bad-token", "not-a-valid-token\n"), "--ca-bundle", e.caFile}
		}, []string{"token was rejected (401 Unauthorized)", "fix:"}},
		{"unreachable URL", func() []string {
			return []string{"--url", "https://127.0.0.1:1", "--token-file", e.tokenFile, "--ca-bundle", e.caFile}
		}, []string{"nothing listens at 127.0.0.1:1 (connection refused)", "fix:"}},
		{"token without rights", func() []string {
			if err := e.Pair.Source.EnsureServiceAccount(ctx, migNS, "viewer", ""); err != nil {
				t.Fatal(err)
			}
			tok, err := e.Pair.Source.ServiceAccountToken(ctx, migNS, "viewer", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return []string{"--url", e.url, "--token-file", e.file("viewer-token", tok), "--ca-bundle", e.caFile}
		}, []string{"lacks cluster-wide rights", "cluster-admin"}},
		{"system CAs do not know the cluster", func() []string {
			return []string{"--url", e.url, "--token-file", e.tokenFile}
		}, []string{"not signed by a CA we trust", "no caBundle is set"}},
	}
	for i, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			name := "broken" + string(rune('a'+i))
			r := e.run(append([]string{"cluster", "add", name}, f.args()...)...)
			if r.Code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", r.Code, r.all())
			}
			mustContain(t, "stderr", r.Err, append([]string{"cannot add cluster " + name, "nothing was written"}, f.wants...)...)
			neverShows(t, r.all(), e.token)
			if e.exists(kube.MigClusters, name) || e.secretExists(testenv.ConfigNamespace, name+"-token") {
				t.Fatal("a failed add must leave nothing behind")
			}
		})
	}

	t.Run("skip-check writes without connecting", func(t *testing.T) {
		r := e.run("cluster", "add", "offline", "--url", "https://127.0.0.1:1", "--token-file", e.tokenFile, "--insecure", "--skip-check")
		mustSucceed(t, r)
		mustContain(t, "stderr", r.Err, "--skip-check", "TLS verification is off")
		if !e.migCluster(t, "offline").Spec.Insecure {
			t.Fatal("insecure not stored")
		}
	})

	t.Run("invalid input is refused before any call", func(t *testing.T) {
		r := e.run("cluster", "add", "Bad_Name", "--url", "ftp://x", "--token-file", e.tokenFile, "--ca-bundle", e.caFile, "--insecure")
		if r.Code != 2 {
			t.Fatalf("exit %d: %s", r.Code, r.all())
		}
		r = e.run("cluster", "add", "Bad_Name", "--url", "ftp://x", "--token-file", e.tokenFile)
		if r.Code != 2 {
			t.Fatalf("exit %d: %s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, `cluster name "Bad_Name"`, "InvalidURL")
	})
}

// testClusterAddCAFromServer fetches the chain the server presents, shows
// its fingerprint and asks before trusting it.
func testClusterAddCAFromServer(t *testing.T, e *clusterEnv) {
	chain, err := certs.FetchChain(context.Background(), e.url, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fp := certs.Fingerprint(chain[0])

	t.Run("declined", func(t *testing.T) {
		r := e.exec(call{args: []string{"cluster", "add", "fetched", "--url", e.url, "--token-file", e.tokenFile, "--ca-from-server"}, stdin: "n\n"})
		if r.Code != 1 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "SHA-256: "+fp, "Trust this certificate chain for cluster fetched? [y/N]", "not trusted: nothing was written")
		if e.exists(kube.MigClusters, "fetched") {
			t.Fatal("declining must write nothing")
		}
	})
	t.Run("confirmed", func(t *testing.T) {
		r := e.exec(call{args: []string{"cluster", "add", "fetched", "--url", e.url, "--token-file", e.tokenFile, "--ca-from-server"}, stdin: "y\n"})
		mustSucceed(t, r)
		mustContain(t, "stderr", r.Err, "SHA-256: "+fp, "pins the server's own certificate", "connected to")
		stored, err := certs.Parse(e.migCluster(t, "fetched").Spec.CABundle)
		if err != nil || certs.Fingerprint(stored[0]) != fp {
			t.Fatalf("stored caBundle does not hold the fetched certificate: %v", err)
		}
	})
	t.Run("stdin token needs --yes", func(t *testing.T) {
		r := e.exec(call{args: []string{"cluster", "add", "fetched2", "--url", e.url, "--token-file", "-", "--ca-from-server"}, stdin: e.token})
		if r.Code != 2 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		r = e.exec(call{args: []string{"cluster", "add", "fetched2", "--url", e.url, "--token-file", "-", "--ca-from-server", "--yes"}, stdin: e.token})
		mustSucceed(t, r)
		neverShows(t, r.all(), e.token)
	})
}

// testClusterAddFromContext takes token, URL and CA from a kubeconfig
// context.
func testClusterAddFromContext(t *testing.T, e *clusterEnv) {
	cfg, err := clientcmd.LoadFromFile(e.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AuthInfos["source-sa"] = &clientcmdapi.AuthInfo{Token: e.token}
	cfg.Contexts["source-sa"] = &clientcmdapi.Context{Cluster: testenv.SourceName, AuthInfo: "source-sa"}
	cfg.AuthInfos["source-cert"] = &clientcmdapi.AuthInfo{ClientCertificateData: []byte("x"), ClientKeyData: []byte("y")}
	cfg.Contexts["source-cert"] = &clientcmdapi.Context{Cluster: testenv.SourceName, AuthInfo: "source-cert"}
	kc := filepath.Join(e.dir, "kubeconfig-with-sa")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}
	r := e.exec(call{args: []string{"cluster", "add", "from-ctx", "--token-from-context", "source-sa"}, kubeconfig: kc})
	mustSucceed(t, r)
	mustContain(t, "stderr", r.Err, `using the CA of kubeconfig context "source-sa"`, "connected to "+e.url)
	neverShows(t, r.all(), e.token)
	mc := e.migCluster(t, "from-ctx")
	if mc.Spec.URL != e.url || string(mc.Spec.CABundle) != string(e.Pair.Source.CA()) {
		t.Fatalf("URL/CA not taken from the context: %+v", mc.Spec)
	}
	r = e.exec(call{args: []string{"cluster", "add", "from-cert", "--token-from-context", "source-cert"}, kubeconfig: kc})
	if r.Code != 2 {
		t.Fatalf("exit %d:\n%s", r.Code, r.all())
	}
	mustContain(t, "stderr", r.Err, "client certificate, not a bearer token", "create token migration-controller")
}

// testClusterTest checks `cluster test` against the working source and a
// broken one.
func testClusterTest(t *testing.T, e *clusterEnv) {
	ctx := context.Background()

	t.Run("test a working cluster", func(t *testing.T) {
		r := e.run("cluster", "test", "source")
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "Result:", "OK", "TLS verified:", "as system:serviceaccount:openshift-migration:migration-controller",
			"Cluster-admin:", "service-account")
	})
	t.Run("test all as json", func(t *testing.T) {
		r := e.run("cluster", "test", "-o", "json")
		mustSucceed(t, r)
		var got []map[string]any
		if err := json.Unmarshal([]byte(r.Out), &got); err != nil || len(got) != 2 {
			t.Fatalf("json: %v\n%s", err, r.Out)
		}
		if got[0]["cluster"] != "host" || got[0]["isHost"] != true || got[1]["privileged"] != true {
			t.Fatalf("results = %v", got)
		}
	})
	t.Run("test a cluster with the wrong CA, as the controller sees it", func(t *testing.T) {
		orig := e.migCluster(t, "source")
		patch := map[string]any{"spec": map[string]any{"caBundle": e.Pair.Host.CABase64()}}
		if err := e.Host.Patch(ctx, kube.MigClusters, "source", patch); err != nil {
			t.Fatal(err)
		}
		// What the controller would write: TestConnectFailed, Ready gone.
		if err := e.Host.Status(ctx, kube.MigClusters, "source", map[string]any{"conditions": []any{map[string]any{
			"type": "TestConnectFailed", "status": "True", "category": "Critical", "reason": "ConnectFailed",
			"message": "Test connect failed. ", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = e.Host.Patch(ctx, kube.MigClusters, "source", map[string]any{"spec": map[string]any{"caBundle": orig.Spec.CABundle}})
		})
		r := e.run("cluster", "test", "source")
		if r.Code != 1 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stdout", r.Out, "FAILED: the server's certificate is not signed by a CA we trust",
			`issued by "CN=source-ca`, `the CA bundle holds "CN=host-ca`, "MTC controller reports:", "TestConnectFailed", "cluster test source")
		r = e.run("cluster", "list")
		mustSucceed(t, r)
		mustContain(t, "list", r.Out, "TestConnectFailed")
	})
}

// testClusterListDescribeRemove lists, describes and removes clusters.
func testClusterListDescribeRemove(t *testing.T, e *clusterEnv) {
	ctx := context.Background()
	mustSucceed(t, e.run("cluster", "add", "src3", "--url", e.url, "--token-file", e.tokenFile, "--ca-bundle", e.caFile))
	t.Run("list", func(t *testing.T) {
		r := e.run("cluster", "list", "-o", "wide")
		mustSucceed(t, r)
		mustContain(t, "list", r.Out, "NAME", "READY", "URL", "HOST", "VERSION", "CONDITIONS", "src3", e.url, "caBundle", "openshift-config/src3-token")
		r = e.run("cluster", "list", "-o", "name")
		mustSucceed(t, r)
		mustContain(t, "names", r.Out, "migcluster.migration.openshift.io/src3")
	})
	t.Run("describe", func(t *testing.T) {
		r := e.run("cluster", "describe", "src3")
		mustSucceed(t, r)
		mustContain(t, "describe", r.Out, "URL:", e.url, "verified with the caBundle (1 certificate(s))", "CN=source-ca",
			"system:serviceaccount:openshift-migration:migration-controller", "expires", "Token Secret:", "openshift-config/src3-token")
		neverShows(t, r.all(), e.token)
		r = e.run("cluster", "describe", "src3", "-o", "json")
		mustSucceed(t, r)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.Out), &d); err != nil || d["tokenSecret"] != "openshift-config/src3-token" {
			t.Fatalf("describe json: %v %v", err, d)
		}
		neverShows(t, r.all(), e.token)
	})
	t.Run("remove refuses while a plan uses the cluster", func(t *testing.T) {
		plan := map[string]any{"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": "uses-src3", "namespace": migNS},
			"spec":     map[string]any{"srcMigClusterRef": map[string]any{"name": "src3", "namespace": migNS}}}
		if err := e.Host.Create(ctx, kube.MigPlans, plan); err != nil {
			t.Fatal(err)
		}
		r := e.run("cluster", "remove", "src3")
		if r.Code != 1 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "used by plan(s) uses-src3", "--force")
		if err := e.Pair.Host.Dynamic().Resource(kube.MigPlans).Namespace(migNS).Delete(ctx, "uses-src3", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("remove deletes the cluster and its own token Secret", func(t *testing.T) {
		r := e.run("cluster", "remove", "src3", "--dry-run=server")
		mustSucceed(t, r)
		if !e.exists(kube.MigClusters, "src3") {
			t.Fatal("dry run removed the cluster")
		}
		r = e.run("cluster", "remove", "src3")
		mustSucceed(t, r)
		mustContain(t, "stdout", r.Out, "migcluster.migration.openshift.io/src3 deleted", "secret/src3-token deleted")
		if e.exists(kube.MigClusters, "src3") || e.secretExists(testenv.ConfigNamespace, "src3-token") {
			t.Fatal("cluster or Secret left behind")
		}
	})
	t.Run("remove keeps a Secret it did not create", func(t *testing.T) {
		r := e.run("cluster", "remove", "source")
		mustSucceed(t, r)
		mustContain(t, "stderr", r.Err, "Secret openshift-config/source-token kept: it was not created by kubectl mig")
		if !e.secretExists(testenv.ConfigNamespace, "source-token") {
			t.Fatal("a foreign Secret was deleted")
		}
	})
	t.Run("remove refuses the host", func(t *testing.T) {
		r := e.run("cluster", "remove", "host")
		if r.Code != 1 || !strings.Contains(r.Err, "is the host cluster") {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
	})
}

// testClusterAddWaitReady plays the controller: Ready ends the wait;
// TestConnectFailed ends it with an explanation.
func testClusterAddWaitReady(t *testing.T, e *clusterEnv) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cases := []struct {
		name   string
		status map[string]any
		code   int
		wants  []string
	}{
		{"ready", cmdtest.ReadyStatus("The cluster is ready."), 0, []string{"MigCluster w-ready is Ready"}},
		{"connect failed", map[string]any{"conditions": cmdtest.Conditions(
			cmdtest.Condition("TestConnectFailed", "Critical", "ConnectFailed", "Test connect failed. "))}, 1,
			[]string{"will not become Ready", "TestConnectFailed (Critical)", "cluster test w-connect-failed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "w-" + strings.ReplaceAll(c.name, " ", "-")
			done := make(chan result, 1)
			go func() {
				done <- e.exec(call{ctx: ctx, args: []string{"cluster", "add", name, "--url", e.url, "--token-file", e.tokenFile,
					"--ca-bundle", e.caFile, "--wait-ready", "--timeout", "60s"}})
			}()
			if _, err := e.Host.WaitFor(ctx, kube.MigClusters, name, nil); err != nil {
				t.Fatal(err)
			}
			if err := e.Host.Status(ctx, kube.MigClusters, name, c.status); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.Code != c.code {
				t.Fatalf("exit %d, want %d:\n%s", r.Code, c.code, r.all())
			}
			mustContain(t, "output", r.all(), c.wants...)
		})
	}
}
