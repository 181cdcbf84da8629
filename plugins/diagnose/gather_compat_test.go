package diagnose

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	gbundle "github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
	"k8s.io/client-go/rest"
)

// TestDiagnoseReadsGatherBundles: `kubectl mig gather` output diagnosed with
// --from gives the findings of the live diagnosis of the same clusters.
func TestDiagnoseReadsGatherBundles(t *testing.T) {
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir, err := scenario.Dir("failed-dvm-rsync-pending")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Load(ctx, dir, p.Clusters()); err != nil {
		t.Fatalf("load: %v", err)
	}
	b, err := gbundle.Create(gbundle.Options{Dir: t.TempDir(), Name: "bundle", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in Velero answers the gather's DownloadRequests (no logs).
	gathertest.StartVelero(t, p.Clusters(), map[string]string{}, nil)
	res, err := collect.Run(ctx, collect.Config{Clusters: []collect.Cluster{
		{Name: testenv.HostName, MigCluster: testenv.HostName, Host: true, Config: p.Host.Config()},
		{Name: testenv.SourceName, MigCluster: testenv.SourceName, Config: p.Source.Config()},
	}, Since: 72 * time.Hour, Concurrency: 8, RequestTimeout: 10 * time.Second}, b)
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	fromBundle := diagnoseIDs(t, ctx, func() (snapshot.Snapshot, error) {
		return snapshot.OpenBundle(ctx, snapshot.BundleConfig{Path: res.Path})
	})
	live := diagnoseIDs(t, ctx, func() (snapshot.Snapshot, error) {
		return snapshot.OpenLive(ctx, snapshot.LiveConfig{Host: p.Host.Config(), Remote: func(context.Context, string) (*rest.Config, error) {
			return p.Source.Config(), nil
		}})
	})
	if diff := casetest.Compare(live, fromBundle); diff != "" {
		t.Fatalf("gather bundle vs live (want=live): %s", diff)
	}
}

func diagnoseIDs(t *testing.T, ctx context.Context, open func() (snapshot.Snapshot, error)) []casetest.Expect {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Run(ctx, s, rules.Config{Now: s.Taken()}, rules.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	var out []casetest.Expect
	for _, f := range rep.Findings {
		out = append(out, casetest.Expect{ID: f.ID, Kind: f.Object.Kind, Name: f.Object.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
