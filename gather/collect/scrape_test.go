package collect_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/gather/metrics"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestControllerScrape reads the controller's /metrics through the API
// server's service proxy: the exporter runs on a test host in a network
// namespace, behind the mig-controller-metrics Service of
// openshift-migration on the host cluster. The source has no such Service
// and yields neither a file nor a fault.
func TestControllerScrape(t *testing.T) {
	exp := gathertest.StartNetnsExporter(t)
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exp.Expose(ctx, p.Host, "openshift-migration"); err != nil {
		t.Fatal(err)
	}
	res, a := gatherPair(t, p, nil)
	text := a.must(t, mustgather.InCluster(testenv.HostName, mustgather.ControllerMetrics("openshift-migration")))
	fams, err := metrics.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(metrics.MTCFamilies(fams)) != 3 {
		t.Errorf("MTC families in the scrape: %v", fams)
	}
	if _, ok := a.files[mustgather.InCluster(testenv.SourceName, mustgather.ControllerMetrics("openshift-migration"))]; ok {
		t.Error("a scrape was written for the source, which has no metrics Service")
	}
	for _, f := range res.Manifest.Faults {
		if f.Step == "metrics" && !strings.Contains(f.Message, "Prometheus") {
			t.Errorf("unexpected metrics fault %+v", f)
		}
	}
}
