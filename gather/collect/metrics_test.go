package collect_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/gather/metrics"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestPrometheus gathers metrics from a real Prometheus (Debian's binary)
// scraping a stand-in MTC exporter, found the OpenShift way: the
// thanos-querier Route, the user's bearer token, the ingress CA.
func TestPrometheus(t *testing.T) {
	gathertest.PrometheusBinary(t)
	p := testenv.TwoClusters(t)
	mon := gathertest.StartMonitoring(t, p.Host, p.Host.AdminToken())

	t.Run("discovered through the route", func(t *testing.T) {
		_, a := gatherPair(t, p, nil)
		var idx struct {
			Source  string            `json:"source"`
			Via     string            `json:"via"`
			Step    string            `json:"step"`
			Queries []metrics.Result  `json:"queries"`
			Files   map[string]string `json:"files"`
		}
		if err := json.Unmarshal([]byte(a.must(t, mustgather.PrometheusIndex())), &idx); err != nil {
			t.Fatal(err)
		}
		if idx.Via != "route openshift-monitoring/thanos-querier" || !strings.HasPrefix(idx.Source, mon.URL) || idx.Step != "26s" {
			t.Errorf("index: source %q via %q step %q", idx.Source, idx.Via, idx.Step)
		}
		if len(idx.Files) != len(metrics.Queries) {
			t.Errorf("%d query files, want %d: %+v", len(idx.Files), len(metrics.Queries), idx.Queries)
		}
		for _, q := range idx.Queries {
			if q.Error != "" {
				t.Errorf("%s: %s", q.Query.ID, q.Error)
			}
		}
		var doc struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(a.must(t, mustgather.PrometheusQuery("mtc_client_request_count"))), &doc); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, s := range doc.Result {
			kinds[s.Metric["kind"]] = len(s.Values) > 0
		}
		if doc.ResultType != "matrix" || !kinds["Secret"] || !kinds["MigPlan"] || !kinds["Pod"] {
			t.Errorf("mtc_client_request_count: %s %v", doc.ResultType, kinds)
		}
		if strings.Contains(string(uncompressed(t, a.raw)), p.Host.AdminToken()) {
			t.Error("the bearer token reached the bundle")
		}
		if !strings.Contains(a.files["summary.md"], "Prometheus: "+mon.URL) {
			t.Errorf("summary does not name Prometheus:\n%s", a.files["summary.md"])
		}
	})
	t.Run("wrong token is a fault per query", func(t *testing.T) {
		res, _ := gatherPair(t, p, func(c *collect.Config) {
			c.Metrics.PrometheusURL, c.Metrics.PrometheusToken, c.Metrics.PrometheusCA = mon.URL, "not-the-token", mon.CA
		})
		n := 0
		for _, f := range res.Manifest.Faults {
			if f.Step == "metrics" && strings.Contains(f.Message, "401") {
				n++
			}
		}
		if n != len(metrics.Queries) {
			t.Errorf("%d metrics faults, want %d: %+v", n, len(metrics.Queries), res.Manifest.Faults)
		}
	})
}
