package collect_test

import (
	"context"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// limitedRole can read most things but not Secrets nor pod logs, and cannot
// create DownloadRequests: a support engineer with a view-like role.
var limitedRole = &rbacv1.ClusterRole{
	ObjectMeta: metav1.ObjectMeta{Name: "gather-limited"},
	Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Verbs: []string{"get", "list"}, Resources: []string{"pods", "configmaps", "events", "services",
			"endpoints", "persistentvolumeclaims", "persistentvolumes", "nodes", "namespaces", "replicationcontrollers"}},
		{APIGroups: []string{"apps", "batch", "autoscaling", "policy", "networking.k8s.io", "discovery.k8s.io", "storage.k8s.io",
			"apiextensions.k8s.io", "migration.openshift.io", "velero.io", "route.openshift.io", "apps.openshift.io"},
			Verbs: []string{"get", "list"}, Resources: []string{"*"}},
	},
}

// TestPartialRBAC gathers as a user who may not read Secrets or logs: the
// bundle is written with everything else, every refusal is a "forbidden"
// fault, and the source cluster (whose token Secret the user cannot read)
// is recorded as not gathered.
func TestPartialRBAC(t *testing.T) {
	env := scenario.Start(t, "healthy-final")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := limitedConfig(t, ctx, env.Host)
	// Across namespaces the Secrets LIST is refused as a whole: the gather
	// falls back to namespace by namespace and records each refusal there,
	// as the per-namespace gather does.
	for _, scope := range []collect.ListScope{collect.ListScopeNamespace, collect.ListScopeCluster} {
		t.Run(map[collect.ListScope]string{collect.ListScopeNamespace: "per namespace", collect.ListScopeCluster: "across namespaces"}[scope], func(t *testing.T) {
			res, a := gatherWith(t, ctx, cfg, func(c *collect.Config) { c.ListScope = scope })
			m := res.Manifest
			if !m.Partial {
				t.Fatal("bundle not marked partial")
			}
			kinds := map[mustgather.FaultKind]int{}
			var sawSecrets, sawLogs, sawSource bool
			for _, f := range m.Faults {
				kinds[f.Kind]++
				sawSecrets = sawSecrets || (f.Kind == mustgather.FaultForbidden && strings.HasPrefix(f.Object, "secrets -n"))
				sawLogs = sawLogs || (f.Kind == mustgather.FaultForbidden && strings.HasPrefix(f.Object, "log "))
				sawSource = sawSource || (f.Cluster == testenv.SourceName && f.Step == "connect")
			}
			if !sawSecrets || !sawLogs || !sawSource {
				t.Errorf("faults: secrets %v logs %v source %v; all: %+v", sawSecrets, sawLogs, sawSource, m.Faults)
			}
			// What the user may read is all there.
			for _, p := range []string{
				mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("openshift-migration", "", "pods")),
				mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("shop", "apps", "deployments")),
				mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("openshift-migration", "migration.openshift.io", "migplans")),
				"migplans/openshift-migration/shop-plan.json", "errors.json", "summary.md",
			} {
				a.must(t, p)
			}
			if _, ok := a.files[mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("openshift-migration", "", "secrets"))]; ok {
				t.Error("a secrets list was written without the right to read Secrets")
			}
			if !strings.Contains(a.files["summary.md"], "**partial**") {
				t.Error("summary does not say partial")
			}
		})
	}

	// --timeout: the run stops early and still writes a valid bundle.
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	res, a := gatherWith(t, short, env.Host.Config(), nil)
	timedOut := false
	for _, f := range res.Manifest.Faults {
		timedOut = timedOut || (f.Step == "gather" && f.Kind == mustgather.FaultTimeout && strings.Contains(f.Message, "ran out of time"))
	}
	if !res.Manifest.Partial || !timedOut {
		t.Errorf("--timeout: partial %v, faults %+v", res.Manifest.Partial, res.Manifest.Faults)
	}
	checkManifest(t, a, res.Manifest)
}

// limitedConfig returns the host's config for a service account bound to
// limitedRole.
func limitedConfig(t *testing.T, ctx context.Context, host *testenv.Cluster) *rest.Config {
	t.Helper()
	if _, err := host.Client().RbacV1().ClusterRoles().Create(ctx, limitedRole, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := host.EnsureServiceAccount(ctx, "default", "limited", limitedRole.Name); err != nil {
		t.Fatal(err)
	}
	token, err := host.ServiceAccountToken(ctx, "default", "limited", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg := host.Config()
	cfg.BearerToken, cfg.BearerTokenFile = token, ""
	cfg.CertData, cfg.KeyData, cfg.CertFile, cfg.KeyFile = nil, nil, "", ""
	return cfg
}

// TestPartialAPIServerStops stops the source cluster's API server in the
// middle of a gather: the gather does not abort, the host is complete, the
// source's failures are "unreachable" faults (summarised once the cluster
// is known to be down), and the bundle is valid.
func TestPartialAPIServerStops(t *testing.T) {
	env := scenario.Start(t, "healthy-final")
	progress := &collect.Progress{}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if ph, _ := progress.Phase.Load().(string); ph == "secrets" || ph == "objects" || ph == "logs" {
				env.Source.Stop()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	res, a := gatherPair(t, env.Pair, func(c *collect.Config) {
		c.Progress = progress
		c.RequestTimeout = 5 * time.Second
	})
	<-stopped
	m := res.Manifest
	unreachable := 0
	for _, f := range m.Faults {
		if f.Cluster == testenv.SourceName && f.Kind == mustgather.FaultUnreachable {
			unreachable++
		}
	}
	if !m.Partial || unreachable == 0 {
		t.Fatalf("partial %v, %d unreachable faults on the source: %+v", m.Partial, unreachable, m.Faults)
	}
	for _, p := range []string{
		mustgather.InCluster(testenv.HostName, mustgather.NamespacedList("openshift-migration", "", "pods")),
		mustgather.InCluster(testenv.HostName, mustgather.PodLog("openshift-migration", "migration-controller-6c8d7f9b5-kx2vt", "mtc", mustgather.CurrentLog)),
		mustgather.InCluster(testenv.SourceName, mustgather.TimestampFile),
		"manifest.json", "errors.json",
	} {
		a.must(t, p)
	}
	checkManifest(t, a, m)
}
