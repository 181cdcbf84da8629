package metrics

import (
	"bytes"
	"context"
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/kubernetes"
)

// The migration controller's metrics endpoint (plain HTTP, behind the
// headless Service the operator creates).
const (
	ControllerService = "mig-controller-metrics"
	ControllerPort    = "2112"
	// maxScrape bounds what is read from /metrics.
	maxScrape = 32 << 20
)

// ScrapeController reads the controller's /metrics in namespace ns through
// the API server's service proxy: no port-forward, no route, and only the
// user's RBAC (services/proxy).
func ScrapeController(ctx context.Context, kube kubernetes.Interface, ns string) ([]byte, error) {
	rc, err := kube.CoreV1().Services(ns).ProxyGet("http", ControllerService, ControllerPort, "/metrics", nil).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxScrape))
	if err != nil {
		return nil, fmt.Errorf("read %s/%s:%s/metrics: %w", ns, ControllerService, ControllerPort, err)
	}
	return b, nil
}

// Parse decodes the Prometheus text exposition format.
func Parse(text []byte) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	return fams, nil
}

// MTCFamilies keeps only the MTC metric families.
func MTCFamilies(fams map[string]*dto.MetricFamily) map[string]*dto.MetricFamily {
	out := map[string]*dto.MetricFamily{}
	for _, name := range []string{"cam_app_workload_migrations", "mtc_client_request_count", "mtc_client_request_elapsed"} {
		if f, ok := fams[name]; ok {
			out[name] = f
		}
	}
	return out
}

// sampleValue returns the value of a counter, gauge or untyped sample.
func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
