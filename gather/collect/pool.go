package collect

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// pool runs the jobs of one phase with bounded concurrency. Jobs never fail
// the phase: they record faults themselves. Only the orchestrator adds
// jobs (never a running job), so a full pool cannot deadlock.
type pool struct {
	g        errgroup.Group
	ctx      context.Context
	progress *Progress
	name     string

	mu    sync.Mutex
	steps map[string]*stepStats // per cluster
	// skipped counts jobs not started because the run's deadline passed.
	skipped atomic.Int64
}

type stepStats struct {
	start time.Time
	end   atomic.Int64 // unix nanos of the last job end
	items atomic.Int64
}

func newPool(ctx context.Context, name string, limit int, progress *Progress) *pool {
	p := &pool{ctx: ctx, progress: progress, name: name, steps: map[string]*stepStats{}}
	p.g.SetLimit(limit)
	progress.phase(name)
	return p
}

func (p *pool) stats(cluster string) *stepStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.steps[cluster]
	if !ok {
		s = &stepStats{start: time.Now()}
		s.end.Store(s.start.UnixNano())
		p.steps[cluster] = s
	}
	return s
}

// Go queues a job for cluster. It blocks while the pool is full.
func (p *pool) Go(cluster string, job func(ctx context.Context)) {
	st := p.stats(cluster)
	p.progress.Total.Add(1)
	p.g.Go(func() error {
		defer func() {
			st.items.Add(1)
			st.end.Store(time.Now().UnixNano())
			p.progress.Done.Add(1)
		}()
		if p.ctx.Err() != nil {
			p.skipped.Add(1)
			return nil
		}
		job(p.ctx)
		return nil
	})
}

// Wait waits for every job and returns the per-cluster step records;
// faultsIn counts the faults a cluster recorded in a time range.
func (p *pool) Wait(faultsIn func(cluster string, from, to time.Time) int) []mustgather.Step {
	_ = p.g.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]mustgather.Step, 0, len(p.steps))
	for cluster, s := range p.steps {
		end := time.Unix(0, s.end.Load())
		out = append(out, mustgather.Step{
			Name: p.name, Cluster: cluster, DurationMS: float64(end.Sub(s.start).Microseconds()) / 1000,
			Items: int(s.items.Load()), Errors: faultsIn(cluster, s.start, end),
		})
	}
	return out
}
