package metrics

import (
	"context"
	"fmt"
	"sort"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
)

// Report is what `kubectl mig metrics` shows: API requests and their
// latency by kind, and migrations by type and status.
type Report struct {
	// Source says where the numbers come from.
	Source string `json:"source"`
	// Window is the range the request figures cover ("" = since the
	// controller started: the counters reset on restart).
	Window string    `json:"window,omitempty"`
	At     time.Time `json:"at"`

	ByKind         []KindStat `json:"byKind"`
	TotalRequests  float64    `json:"totalRequests"`
	TotalLatencyMS float64    `json:"totalLatencyMs"`
	AvgLatencyMS   float64    `json:"averageLatencyMs"`

	Migrations []MigrationStat `json:"migrations"`
	// Running is the number of running migrations (all types).
	Running float64 `json:"running"`
}

// KindStat is the API traffic for one Kubernetes kind.
type KindStat struct {
	Kind         string  `json:"kind"`
	Requests     float64 `json:"requests"`
	LatencyMS    float64 `json:"latencyMs"`
	AvgLatencyMS float64 `json:"averageLatencyMs"`
}

// MigrationStat is one cam_app_workload_migrations series.
type MigrationStat struct {
	Type   string  `json:"type"`
	Status string  `json:"status"`
	Count  float64 `json:"count"`
}

// FromPrometheus builds the report with instant queries at `at`. With a
// window the request figures are increases over it, else the counters.
func FromPrometheus(ctx context.Context, api promv1.API, source string, window time.Duration, at time.Time) (*Report, error) {
	count, elapsed := "mtc_client_request_count", "mtc_client_request_elapsed"
	if window > 0 {
		w := model.Duration(window).String()
		count = fmt.Sprintf("increase(mtc_client_request_count[%s])", w)
		elapsed = fmt.Sprintf("increase(mtc_client_request_elapsed[%s])", w)
	}
	r := &Report{Source: source, At: at}
	if window > 0 {
		r.Window = model.Duration(window).String()
	}
	kinds := map[string]*KindStat{}
	for _, q := range []struct {
		expr string
		set  func(*KindStat, float64)
	}{
		{"sum by (kind) (" + count + ")", func(k *KindStat, v float64) { k.Requests = v }},
		{"sum by (kind) (" + elapsed + ")", func(k *KindStat, v float64) { k.LatencyMS = v }},
	} {
		vec, err := instant(ctx, api, q.expr, at)
		if err != nil {
			return nil, err
		}
		for _, s := range vec {
			kind := string(s.Metric["kind"])
			if kinds[kind] == nil {
				kinds[kind] = &KindStat{Kind: kind}
			}
			q.set(kinds[kind], float64(s.Value))
		}
	}
	vec, err := instant(ctx, api, "cam_app_workload_migrations", at)
	if err != nil {
		return nil, err
	}
	for _, s := range vec {
		r.Migrations = append(r.Migrations, MigrationStat{Type: string(s.Metric["type"]), Status: string(s.Metric["status"]), Count: float64(s.Value)})
	}
	r.finish(kinds)
	return r, nil
}

func instant(ctx context.Context, api promv1.API, expr string, at time.Time) (model.Vector, error) {
	v, _, err := api.Query(ctx, expr, at)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("query %q: expected a vector, got %s", expr, v.Type())
	}
	return vec, nil
}

// FromFamilies builds the report from a /metrics scrape (cumulative values
// since the controller started).
func FromFamilies(fams map[string]*dto.MetricFamily, source string, at time.Time) *Report {
	r := &Report{Source: source, At: at}
	kinds := map[string]*KindStat{}
	add := func(family string, set func(*KindStat, float64)) {
		f := fams[family]
		if f == nil {
			return
		}
		for _, m := range f.GetMetric() {
			kind := label(m, "kind")
			if kinds[kind] == nil {
				kinds[kind] = &KindStat{Kind: kind}
			}
			set(kinds[kind], sampleValue(m))
		}
	}
	add("mtc_client_request_count", func(k *KindStat, v float64) { k.Requests += v })
	add("mtc_client_request_elapsed", func(k *KindStat, v float64) { k.LatencyMS += v })
	if f := fams["cam_app_workload_migrations"]; f != nil {
		for _, m := range f.GetMetric() {
			r.Migrations = append(r.Migrations, MigrationStat{Type: label(m, "type"), Status: label(m, "status"), Count: sampleValue(m)})
		}
	}
	r.finish(kinds)
	return r
}

// finish sorts, totals and averages.
func (r *Report) finish(kinds map[string]*KindStat) {
	r.ByKind = []KindStat{}
	for _, k := range kinds {
		if k.Requests > 0 {
			k.AvgLatencyMS = k.LatencyMS / k.Requests
		}
		r.TotalRequests += k.Requests
		r.TotalLatencyMS += k.LatencyMS
		r.ByKind = append(r.ByKind, *k)
	}
	sort.Slice(r.ByKind, func(i, j int) bool {
		if r.ByKind[i].Requests != r.ByKind[j].Requests {
			return r.ByKind[i].Requests > r.ByKind[j].Requests
		}
		return r.ByKind[i].Kind < r.ByKind[j].Kind
	})
	if r.TotalRequests > 0 {
		r.AvgLatencyMS = r.TotalLatencyMS / r.TotalRequests
	}
	if r.Migrations == nil {
		r.Migrations = []MigrationStat{}
	}
	sort.Slice(r.Migrations, func(i, j int) bool {
		if r.Migrations[i].Type != r.Migrations[j].Type {
			return r.Migrations[i].Type < r.Migrations[j].Type
		}
		return r.Migrations[i].Status < r.Migrations[j].Status
	})
	for _, m := range r.Migrations {
		if m.Status == "running" {
			r.Running += m.Count
		}
	}
}
