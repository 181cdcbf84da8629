package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/metrics"
)

// metricsSummary is what summary.md says about metrics.
type metricsSummary struct {
	Source  string
	Note    string
	Queries int
	Series  int
	Scraped []string
}

// prometheusIndex is metrics/prometheus/queries.json.
type prometheusIndex struct {
	Source  string            `json:"source"`
	Via     string            `json:"via"`
	Start   time.Time         `json:"start"`
	End     time.Time         `json:"end"`
	Step    string            `json:"step"`
	Queries []metrics.Result  `json:"queries"`
	Files   map[string]string `json:"files"`
}

// gatherControllerMetrics scrapes the controller's /metrics in every MTC
// namespace through the service proxy. A namespace without the Service is
// skipped quietly (remote clusters run no controller).
func (c *clusterRun) gatherControllerMetrics(p *pool) {
	if !c.g.cfg.Metrics.Enabled {
		return
	}
	c.mu.Lock()
	namespaces := append([]string(nil), c.info.MTCNamespaces...)
	c.mu.Unlock()
	for _, ns := range namespaces {
		p.GoAs("metrics", c.spec.Name, func(ctx context.Context) {
			path := c.path(mustgather.ControllerMetrics(ns))
			var text []byte
			err := c.do(ctx, func(ctx context.Context) error {
				var err error
				text, err = metrics.ScrapeController(ctx, c.kube, ns)
				return err
			})
			if apierrors.IsNotFound(err) {
				return
			}
			if err != nil {
				c.fault("metrics", fmt.Sprintf("service %s/%s:%s/metrics", ns, metrics.ControllerService, metrics.ControllerPort), path, err)
				return
			}
			if _, err := metrics.Parse(text); err != nil {
				c.fault("metrics", "parse "+path, path, err)
			}
			c.writeText(ctx, "metrics", path, text)
			c.g.mu.Lock()
			c.g.metrics.Scraped = append(c.g.metrics.Scraped, path)
			c.g.mu.Unlock()
		})
	}
}

// writeText writes a small text file through the redactor.
func (c *clusterRun) writeText(ctx context.Context, step, path string, text []byte) {
	if err := c.g.bundle.WriteFile(context.WithoutCancel(ctx), path, []byte(c.g.redactor.String(string(text)))); err != nil {
		c.fault(step, "write", path, err)
	}
}

// gatherPrometheus queries Prometheus over the window: --prometheus-url, or
// the Route discovered on the host cluster. No Prometheus is not a fault
// (plain Kubernetes has none); a Prometheus that fails is.
func (g *gatherer) gatherPrometheus(p *pool, runs []*clusterRun) {
	if !g.cfg.Metrics.Enabled {
		return
	}
	host := hostRun(runs)
	name := ""
	if host != nil {
		name = host.spec.Name
	}
	p.GoAs("metrics", name, func(ctx context.Context) {
		src, err := g.prometheusSource(ctx, host)
		if errors.Is(err, metrics.ErrNoPrometheus) {
			g.mu.Lock()
			g.metrics.Note = "no Prometheus found (" + err.Error() + "); pass --prometheus-url to query one"
			g.mu.Unlock()
			return
		}
		if err != nil {
			g.faults.record(name, "metrics", "prometheus discovery", "", err)
			return
		}
		g.queryPrometheus(ctx, src)
	})
}

func (g *gatherer) prometheusSource(ctx context.Context, host *clusterRun) (*metrics.Source, error) {
	m := g.cfg.Metrics
	if m.PrometheusURL != "" {
		src := &metrics.Source{URL: m.PrometheusURL, Token: m.PrometheusToken, CA: m.PrometheusCA, Via: "--prometheus-url"}
		if host != nil {
			if src.Token == "" {
				src.Token, _ = metrics.BearerToken(host.cfg)
			}
			ca, _ := metrics.ClusterCA(host.cfg)
			src.CA = append(src.CA, ca...)
		}
		return src, nil
	}
	if host == nil {
		return nil, metrics.ErrNoPrometheus
	}
	var src *metrics.Source
	err := host.do(ctx, func(ctx context.Context) error {
		var err error
		src, err = metrics.Discover(ctx, host.dyn, host.kube, host.cfg)
		return err
	})
	if src != nil && m.PrometheusToken != "" {
		src.Token = m.PrometheusToken
	}
	if src != nil && len(m.PrometheusCA) > 0 {
		src.CA = append(src.CA, m.PrometheusCA...)
	}
	return src, err
}

// queryPrometheus runs the MTC queries and writes one JSON file per query
// plus the index.
func (g *gatherer) queryPrometheus(ctx context.Context, src *metrics.Source) {
	api, err := src.API()
	if err != nil {
		g.faults.record("", "metrics", "prometheus "+redactURL(src.URL), "", err)
		return
	}
	end := g.cfg.Now()
	start := g.since()
	if start.IsZero() {
		start = end.Add(-DefaultMetricsWindow)
	}
	step := metrics.Step(end.Sub(start))
	// Align the range on its end, so that the latest values are a point of
	// every series.
	start = end.Add(-time.Duration(math.Ceil(float64(end.Sub(start))/float64(step))) * step)
	qctx, cancel := context.WithTimeout(ctx, g.cfg.RequestTimeout*time.Duration(len(metrics.Queries)))
	defer cancel()
	results := metrics.Range(qctx, api, metrics.Queries, start, end, step)
	idx := prometheusIndex{Source: redactURL(src.URL), Via: src.Via, Start: start, End: end, Step: step.String(),
		Queries: results, Files: map[string]string{}}
	series, failed := 0, 0
	for _, r := range results {
		if r.Error != "" {
			failed++
			g.faults.add(mustgather.Fault{Step: "metrics", Kind: mustgather.FaultOther, Object: "query " + r.Query.Expr,
				Message: fmt.Sprintf("Prometheus at %s: %s", redactURL(src.URL), r.Error)})
			continue
		}
		data, err := json.MarshalIndent(metrics.NewDocument(r.Value), "", "  ")
		if err != nil {
			continue
		}
		path := mustgather.PrometheusQuery(r.Query.ID)
		if err := g.bundle.WriteFile(context.WithoutCancel(ctx), path, append(data, '\n')); err != nil {
			g.faults.record("", "metrics", "write", path, err)
			continue
		}
		idx.Files[r.Query.ID] = path
		series += r.Series
	}
	data, err := json.MarshalIndent(idx, "", "  ")
	if err == nil {
		if err := g.bundle.WriteFile(context.WithoutCancel(ctx), mustgather.PrometheusIndex(), append(data, '\n')); err != nil {
			g.faults.record("", "metrics", "write", mustgather.PrometheusIndex(), err)
		}
	}
	g.mu.Lock()
	g.metrics.Source = fmt.Sprintf("%s (%s)", redactURL(src.URL), src.Via)
	g.metrics.Queries = len(results) - failed
	g.metrics.Series = series
	g.mu.Unlock()
}

// redactURL drops credentials and the query of a URL before it is written.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparseable URL>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
