package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/redact"
)

// finishGrace is how long writing the index, summary and manifest may take
// once the run's own deadline has passed.
const finishGrace = 30 * time.Second

// gatherer is one gather run across clusters.
type gatherer struct {
	cfg    Config
	bundle *bundle.Bundle
	faults *faults

	redactor *redact.Redactor // set after the secrets phase
	started  time.Time

	mu       sync.Mutex
	literals []string
	steps    []mustgather.Step
	skipped  int64 // jobs not started because the run's deadline passed
	plans    []mustgather.PlanIndex
	metrics  metricsSummary
}

// Run gathers into b and closes it. It returns an error only when the
// bundle itself cannot be written; everything else that fails is recorded
// in the manifest (Result.Partial).
func Run(ctx context.Context, cfg Config, b *bundle.Bundle) (*Result, error) {
	cfg.defaults()
	g := &gatherer{cfg: cfg, bundle: b, faults: &faults{now: cfg.Now}, redactor: redact.New()}
	started := cfg.Now()
	g.started = started
	if err := g.writeVersion(context.WithoutCancel(ctx)); err != nil {
		b.Abort()
		return nil, err
	}
	runs := g.prepare()
	g.phase(ctx, "discover", runs, nil, func(c *clusterRun, p *pool) { c.discover(p) })
	g.planTargets(runs)
	g.phase(ctx, "secrets", runs, nil, func(c *clusterRun, p *pool) { c.gatherSecrets(p) })
	g.redactor = redact.New(g.literals...)
	// Objects and logs share a phase: pod logs start downloading as soon as
	// their pods are listed. The live diagnosis and the metrics need only
	// the redactor, so they run alongside.
	g.phase(ctx, "objects", runs, func(p *pool) {
		g.gatherDiagnosis(p, runs)
		g.gatherPrometheus(p, runs)
	}, func(c *clusterRun, p *pool) {
		c.gatherControllerMetrics(p)
		c.gatherObjects(p)
	})
	// What depends on the objects read: the CRDs of the custom kinds
	// written and the Velero logs of the Backups and Restores found.
	g.phase(ctx, "velero", runs, nil, func(c *clusterRun, p *pool) {
		c.gatherCRDs(p)
		c.gatherVelero(p)
	})
	if ctx.Err() != nil {
		g.faults.add(mustgather.Fault{Step: "gather", Kind: mustgather.FaultTimeout,
			Message: fmt.Sprintf("the gather ran out of time (%v) with %d items not started: what was gathered is kept; raise --timeout to get the rest", context.Cause(ctx), g.skipped)})
	}
	// Finishing must not be cut short by the run's own deadline.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishGrace)
	defer cancel()
	return g.finish(finishCtx, runs, started)
}

// prepare builds the clients of every cluster; unreachable ones become
// faults.
func (g *gatherer) prepare() []*clusterRun {
	var runs []*clusterRun
	for _, spec := range g.cfg.Clusters {
		if spec.Err != nil || spec.Config == nil {
			err := spec.Err
			if err == nil {
				err = fmt.Errorf("no client configuration")
			}
			g.faults.add(mustgather.Fault{Cluster: spec.Name, Step: "connect", Kind: classify(err),
				Message: fmt.Sprintf("cluster %s was not gathered: %v", spec.Name, err)})
			continue
		}
		c, err := newClusterRun(g, spec)
		if err != nil {
			g.faults.record(spec.Name, "connect", "", "", err)
			continue
		}
		if spec.Config.BearerToken != "" {
			g.literals = append(g.literals, spec.Config.BearerToken)
		}
		runs = append(runs, c)
	}
	return runs
}

// phase runs one step on every cluster (plus an optional cross-cluster
// job) and waits for it.
func (g *gatherer) phase(ctx context.Context, name string, runs []*clusterRun, extra func(*pool), enqueue func(*clusterRun, *pool)) {
	p := newPool(ctx, name, g.cfg.Concurrency, g.cfg.Progress)
	if extra != nil {
		extra(p)
	}
	for _, c := range runs {
		enqueue(c, p)
	}
	steps := p.Wait(g.faultsIn)
	g.mu.Lock()
	g.skipped += p.skipped.Load()
	g.steps = append(g.steps, steps...)
	g.mu.Unlock()
}

func (g *gatherer) faultsIn(cluster string, from, to time.Time) int {
	n := 0
	for _, f := range g.faults.list() {
		if f.Cluster == cluster && !f.Time.Before(from) && !f.Time.After(to) {
			n++
		}
	}
	return n
}

// learn adds known secret values for the redactor.
func (g *gatherer) learn(values []string) {
	if len(values) == 0 {
		return
	}
	g.mu.Lock()
	g.literals = append(g.literals, values...)
	g.mu.Unlock()
}

func (g *gatherer) writeVersion(ctx context.Context) error {
	v := g.cfg.Tool.Version
	if v == "" {
		v = "dev"
	}
	return g.bundle.WriteFile(ctx, mustgather.VersionFile, []byte(mustgather.ProductName+"\n"+v+"\n"))
}

// finish writes the plan index, per-cluster timestamps, errors.json,
// summary.md and the manifest, then closes the bundle.
func (g *gatherer) finish(ctx context.Context, runs []*clusterRun, started time.Time) (*Result, error) {
	g.writePlanIndexes(ctx, runs)
	finished := g.cfg.Now()
	for _, c := range runs {
		if f, ok := c.br.skippedFault(c.spec.Name); ok {
			g.faults.add(f)
		}
		stamp := fmt.Sprintf("%s\n%s\n", started.UTC().Format(time.RFC3339Nano), finished.UTC().Format(time.RFC3339Nano))
		if err := g.bundle.WriteFile(ctx, c.path(mustgather.TimestampFile), []byte(stamp)); err != nil {
			g.faults.record(c.spec.Name, "finish", "timestamp", "", err)
		}
	}
	m := g.manifest(runs, started, finished)
	errs, err := json.MarshalIndent(m.Faults, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := g.bundle.WriteFile(ctx, mustgather.ErrorsFile, append(errs, '\n')); err != nil {
		g.bundle.Abort()
		return nil, fmt.Errorf("write %s: %w", mustgather.ErrorsFile, err)
	}
	if err := g.bundle.WriteFile(ctx, mustgather.SummaryFile, []byte(renderSummary(m, g.plans, g.metrics))); err != nil {
		g.bundle.Abort()
		return nil, fmt.Errorf("write %s: %w", mustgather.SummaryFile, err)
	}
	m.Files = g.bundle.Files()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		g.bundle.Abort()
		return nil, err
	}
	path, err := g.bundle.Close(ctx, append(data, '\n'))
	if err != nil {
		return nil, fmt.Errorf("finish bundle %s: %w", path, err)
	}
	return &Result{Path: path, Manifest: m}, nil
}

// manifest assembles manifest.json (without the file list).
func (g *gatherer) manifest(runs []*clusterRun, started, finished time.Time) mustgather.Manifest {
	m := mustgather.Manifest{
		Schema: mustgather.ManifestSchema, Tool: g.cfg.Tool, StartedAt: started, FinishedAt: finished,
		Options: g.cfg.Options, Window: g.window(started),
	}
	if m.Tool.Name == "" {
		m.Tool.Name = "kubectl-mig"
	}
	for _, spec := range g.cfg.Clusters {
		info := mustgather.ClusterInfo{Name: spec.Name, Dir: mustgather.Cluster(spec.Name), MigCluster: spec.MigCluster, Host: spec.Host}
		for _, c := range runs {
			if c.spec.Name == spec.Name {
				c.mu.Lock()
				info = c.info
				info.Namespaces = sortedKeys(c.full)
				info.PodOnlyNamespaces = sortedKeys(c.podOnly)
				c.mu.Unlock()
			}
		}
		m.Clusters = append(m.Clusters, info)
	}
	g.mu.Lock()
	m.Steps = append([]mustgather.Step(nil), g.steps...)
	g.mu.Unlock()
	sort.SliceStable(m.Steps, func(i, j int) bool { return m.Steps[i].Cluster < m.Steps[j].Cluster })
	m.Faults = g.faults.list()
	if m.Faults == nil {
		m.Faults = []mustgather.Fault{}
	}
	m.Partial = len(m.Faults) > 0
	return m
}

// window is the time range of logs.
func (g *gatherer) window(started time.Time) mustgather.Window {
	w := mustgather.Window{Until: started}
	switch {
	case g.cfg.SinceTime != nil:
		t := *g.cfg.SinceTime
		w.Since = &t
	case g.cfg.Since > 0:
		t := started.Add(-g.cfg.Since)
		w.Since, w.Duration = &t, g.cfg.Since.String()
	}
	return w
}

// since returns the start of the window (zero: none).
func (g *gatherer) since() time.Time {
	if w := g.window(g.started); w.Since != nil {
		return *w.Since
	}
	return time.Time{}
}
