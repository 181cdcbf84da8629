package clusters

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/readiness"
)

// TestResult is `cluster test` for one MigCluster.
type TestResult struct {
	CheckResult
	IsHost bool `json:"isHost"`
	// Token describes the stored token (never its value).
	Token *TokenInfo `json:"token,omitempty"`
	// Controller lists the problems the MTC controller itself reports on
	// the MigCluster, for comparison with what we saw from here.
	Controller []readiness.Explained `json:"controllerReports,omitempty"`
	// Note compares our result with the controller's.
	Note string `json:"note,omitempty"`
}

// OK reports whether the connection works from here.
func (r TestResult) OK() bool { return r.CheckResult.OK() }

// Test connects to the MigCluster named name exactly as the controller
// would: the host through the kubeconfig, a remote cluster through its URL,
// the saToken of its Secret and its caBundle (or insecure).
func Test(ctx context.Context, access *cluster.Access, name, prefix string) (TestResult, error) {
	ri := access.Host().Dynamic.Resource(kube.MigClusters).Namespace(access.Namespace())
	mc, err := kube.Get[mtc.MigCluster](ctx, ri, name)
	if err != nil {
		return TestResult{}, fmt.Errorf("read MigCluster %s/%s on the host cluster: %w", access.Namespace(), name, err)
	}
	return testOne(ctx, access, mc, prefix), nil
}

// TestAll tests every MigCluster, a few at a time, sorted by name.
func TestAll(ctx context.Context, access *cluster.Access, prefix string) ([]TestResult, error) {
	ri := access.Host().Dynamic.Resource(kube.MigClusters).Namespace(access.Namespace())
	list, err := kube.List[mtc.MigCluster](ctx, ri, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigClusters in %s on the host cluster: %w", access.Namespace(), err)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := make([]TestResult, len(list))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range list {
		g.Go(func() error {
			out[i] = testOne(gctx, access, &list[i], prefix)
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}

func testOne(ctx context.Context, access *cluster.Access, mc *mtc.MigCluster, prefix string) TestResult {
	r := TestResult{IsHost: mc.Spec.IsHostCluster}
	r.Controller = readiness.Problems(mc.Status.Conditions, prefix, mc.Name)
	var t *cluster.Target
	if mc.Spec.IsHostCluster {
		h := *access.Host()
		h.Name = mc.Name
		t = &h
	} else {
		var err error
		t, err = access.MigCluster(ctx, mc.Name)
		if err != nil {
			r.CheckResult = CheckResult{ProbeResult: problemOf(mc, err)}
			r.Note = compare(r)
			return r
		}
		info := InspectToken(t.Config.BearerToken)
		r.Token = &info
	}
	cfg := *t.Config
	cfg.Timeout = CheckTimeout
	if tt, err := cluster.NewTarget(t.Name, &cfg, t.IsHost); err == nil {
		t = tt
	}
	r.CheckResult = checkTarget(ctx, t, mc.Spec.CABundle)
	r.Cluster = mc.Name
	if mc.Spec.IsHostCluster {
		r.URL = t.Config.Host
	}
	r.Note = compare(r)
	return r
}

// problemOf turns an access error (missing Secret, empty token, bad URL)
// into a probe result.
func problemOf(mc *mtc.MigCluster, err error) cluster.ProbeResult {
	p := cluster.ProbeResult{Cluster: mc.Name, URL: mc.Spec.URL, Problem: err.Error()}
	var ce *cluster.Error
	if errors.As(err, &ce) {
		p.Problem, p.Fix = ce.Problem, ce.Fix
		if ce.Err != nil {
			p.Error = ce.Err.Error()
		}
	}
	return p
}

// compare says what it means when our view and the controller's differ.
func compare(r TestResult) string {
	connectFailed := false
	for _, c := range r.Controller {
		if c.Type == mtc.ConditionTestConnectFailed {
			connectFailed = true
		}
	}
	switch {
	case r.IsHost:
		return "the host cluster is reached with your kubeconfig; the controller uses its own in-cluster service account there"
	case r.OK() && connectFailed:
		return "the connection works from here but the controller reports TestConnectFailed: the host cluster's network path differs (proxy, firewall, DNS), or the controller has not re-validated yet (cluster add --overwrite sets refresh)"
	case !r.OK() && len(r.Controller) == 0:
		return "the controller reports no problem yet: it may not have re-validated since the cluster changed"
	}
	return ""
}
