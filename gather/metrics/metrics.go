// Package metrics reads the MTC controller's metrics: from Prometheus (the
// OpenShift thanos-querier or prometheus-k8s Route, called with the user's
// own bearer token, or any URL) through the Prometheus HTTP API, and
// straight from the controller's /metrics endpoint through the API server's
// service proxy, so that current values are at hand even where no
// Prometheus answers.
package metrics

import (
	"context"
	"math"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Query is a named PromQL expression.
type Query struct {
	ID   string `json:"id"`
	Expr string `json:"expr"`
	Help string `json:"help"`
}

// Queries are the three MTC metric families and the "useful queries" of the
// MTC documentation (troubleshooting, "Metrics").
var Queries = []Query{
	{"cam_app_workload_migrations", "cam_app_workload_migrations", "MigMigrations by type (stage, final) and status (idle, running, completed, failed)"},
	{"mtc_client_request_count", "mtc_client_request_count", "Kubernetes API requests issued by the controller, by cluster, component, function, kind and method"},
	{"mtc_client_request_elapsed", "mtc_client_request_elapsed", "Cumulative latency of those requests in milliseconds, by request type"},
	{"total_requests", "sum(mtc_client_request_count)", "Total API requests issued"},
	{"total_latency_ms", "sum(mtc_client_request_elapsed)", "Total API request latency (ms)"},
	{"average_latency_ms", "sum(mtc_client_request_elapsed) / sum(mtc_client_request_count)", "Average API request latency (ms)"},
	{"average_latency_ms_by_type", "mtc_client_request_elapsed / mtc_client_request_count", "Average API request latency (ms), by request type"},
	{"running_migrations_x100", `cam_app_workload_migrations{status="running"} * 100`, "Running migrations, times 100 to read next to request counts"},
}

// Result is the answer to one range query.
type Result struct {
	Query    Query       `json:"query"`
	Value    model.Value `json:"-"`
	Series   int         `json:"series"`
	Warnings []string    `json:"warnings,omitempty"`
	Error    string      `json:"error,omitempty"`
}

// maxPoints stays under Prometheus' 11,000 points per series limit.
const maxPoints = 10000

// Step returns the query_range step for a window: 14 s (what the MTC
// must-gather used) unless that would exceed the points limit.
func Step(window time.Duration) time.Duration {
	step := 14 * time.Second
	if min := time.Duration(math.Ceil(float64(window)/maxPoints/float64(time.Second))) * time.Second; min > step {
		step = min
	}
	return step
}

// Range runs every query over [start, end]. A failing query is reported in
// its Result; the others still run.
func Range(ctx context.Context, api promv1.API, queries []Query, start, end time.Time, step time.Duration) []Result {
	out := make([]Result, 0, len(queries))
	for _, q := range queries {
		r := Result{Query: q}
		v, warnings, err := api.QueryRange(ctx, q.Expr, promv1.Range{Start: start, End: end, Step: step})
		r.Warnings = warnings
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Value = v
			r.Series = seriesCount(v)
		}
		out = append(out, r)
	}
	return out
}

func seriesCount(v model.Value) int {
	switch t := v.(type) {
	case model.Matrix:
		return len(t)
	case model.Vector:
		return len(t)
	case nil:
		return 0
	}
	return 1
}

// Document is the JSON written per query: the "data" object of the
// Prometheus API answer.
type Document struct {
	ResultType string      `json:"resultType"`
	Result     model.Value `json:"result"`
}

// NewDocument wraps a query answer.
func NewDocument(v model.Value) Document {
	if v == nil {
		return Document{ResultType: model.ValMatrix.String(), Result: model.Matrix{}}
	}
	return Document{ResultType: v.Type().String(), Result: v}
}
