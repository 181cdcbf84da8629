package metrics

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
)

func TestStep(t *testing.T) {
	tests := []struct {
		window time.Duration
		want   time.Duration
	}{
		{time.Hour, 14 * time.Second},
		{6 * time.Hour, 14 * time.Second},
		{72 * time.Hour, 26 * time.Second},
		{30 * 24 * time.Hour, 260 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.window.String(), func(t *testing.T) {
			got := Step(tt.window)
			if got != tt.want || int(tt.window/got) > maxPoints {
				t.Errorf("Step(%v) = %v, want %v", tt.window, got, tt.want)
			}
		})
	}
}

func TestRouteURL(t *testing.T) {
	route := func(spec, status map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "thanos-querier", "namespace": "openshift-monitoring"},
			"spec": spec, "status": status}}
	}
	tests := []struct {
		name    string
		r       *unstructured.Unstructured
		want    string
		wantErr bool
	}{
		{"tls", route(map[string]any{"host": "thanos-querier-openshift-monitoring.apps.c.example.com", "tls": map[string]any{"termination": "reencrypt"}}, nil),
			"https://thanos-querier-openshift-monitoring.apps.c.example.com", false},
		{"path", route(map[string]any{"host": "h", "path": "/api", "tls": map[string]any{}}, nil), "https://h/api", false},
		{"plain", route(map[string]any{"host": "h"}, nil), "http://h", false},
		{"admitted host", route(map[string]any{"tls": map[string]any{}}, map[string]any{"ingress": []any{map[string]any{"host": "from-status"}}}), "https://from-status", false},
		{"no host", route(map[string]any{}, nil), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := routeURL(tt.r)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("routeURL = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	if tok, _ := BearerToken(&rest.Config{BearerToken: "abc"}); tok != "abc" {
		t.Errorf("inline token: %q", tok)
	}
	if tok, err := BearerToken(&rest.Config{}); tok != "" || err != nil {
		t.Errorf("no token: %q %v", tok, err)
	}
	if _, err := BearerToken(&rest.Config{BearerTokenFile: "/nonexistent/token"}); err == nil {
		t.Error("missing token file accepted")
	}
}

const scrape = `# HELP mtc_client_request_count Count of requests
# TYPE mtc_client_request_count counter
mtc_client_request_count{cluster="https://a:6443",component="migplan",function="f",kind="Secret",method="Get"} 30
mtc_client_request_count{cluster="https://a:6443",component="migplan",function="f",kind="Secret",method="List"} 10
mtc_client_request_count{cluster="https://a:6443",component="migplan",function="f",kind="MigPlan",method="Get"} 60
# TYPE mtc_client_request_elapsed counter
mtc_client_request_elapsed{cluster="https://a:6443",component="migplan",function="f",kind="Secret",method="Get"} 100
mtc_client_request_elapsed{cluster="https://a:6443",component="migplan",function="f",kind="Secret",method="List"} 60
mtc_client_request_elapsed{cluster="https://a:6443",component="migplan",function="f",kind="MigPlan",method="Get"} 120
# TYPE cam_app_workload_migrations gauge
cam_app_workload_migrations{status="running",type="final"} 1
cam_app_workload_migrations{status="completed",type="final"} 4
cam_app_workload_migrations{status="running",type="stage"} 2
# TYPE go_goroutines gauge
go_goroutines 42
`

func TestFromFamilies(t *testing.T) {
	fams, err := Parse([]byte(scrape))
	if err != nil {
		t.Fatal(err)
	}
	if len(MTCFamilies(fams)) != 3 {
		t.Fatalf("MTC families: %v", MTCFamilies(fams))
	}
	r := FromFamilies(fams, "scrape", time.Time{})
	want := []KindStat{{Kind: "MigPlan", Requests: 60, LatencyMS: 120, AvgLatencyMS: 2}, {Kind: "Secret", Requests: 40, LatencyMS: 160, AvgLatencyMS: 4}}
	if len(r.ByKind) != 2 || r.ByKind[0] != want[0] || r.ByKind[1] != want[1] {
		t.Errorf("by kind: %+v", r.ByKind)
	}
	if r.TotalRequests != 100 || r.TotalLatencyMS != 280 || r.AvgLatencyMS != 2.8 || r.Running != 3 || len(r.Migrations) != 3 {
		t.Errorf("totals: %+v", r)
	}
	if r.Migrations[0].Type != "final" || r.Migrations[0].Status != "completed" {
		t.Errorf("migrations not sorted: %+v", r.Migrations)
	}
	if _, err := Parse([]byte("not { metrics")); err == nil {
		t.Error("garbage parsed")
	}
}
