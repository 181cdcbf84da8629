package collect

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// pool runs the jobs of one phase with bounded concurrency. Jobs never fail
// the phase: they record faults themselves. The orchestrator adds jobs with
// Go, which waits for a free slot; a running job adds follow-up work (the
// logs of the pods it just listed) with Spawn, which only queues it, so a
// full pool cannot deadlock. Queued jobs are run by whoever holds a slot
// when its own job ends: a gather of 50,000 containers queues 50,000
// closures, not 50,000 goroutines.
type pool struct {
	ctx      context.Context
	progress *Progress
	name     string
	slots    chan struct{}
	wg       sync.WaitGroup

	qmu   sync.Mutex
	queue []queued

	mu    sync.Mutex
	steps map[stepKey]*stepStats
	order []stepKey
	// skipped counts jobs not started because the run's deadline passed.
	skipped atomic.Int64
}

// queued is a job waiting for a slot.
type queued struct {
	st  *stepStats
	job func(ctx context.Context)
}

// stepKey names the manifest step a job counts towards: the phase's own
// name unless the job was spawned for another step.
type stepKey struct{ step, cluster string }

type stepStats struct {
	start time.Time
	end   atomic.Int64 // unix nanos of the last job end
	items atomic.Int64
}

func newPool(ctx context.Context, name string, limit int, progress *Progress) *pool {
	p := &pool{ctx: ctx, progress: progress, name: name, slots: make(chan struct{}, limit), steps: map[stepKey]*stepStats{}}
	progress.phase(name)
	return p
}

func (p *pool) stats(k stepKey) *stepStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.steps[k]
	if !ok {
		s = &stepStats{start: time.Now()}
		s.end.Store(s.start.UnixNano())
		p.steps[k] = s
		p.order = append(p.order, k)
	}
	return s
}

// Go queues a job of the phase's step for cluster. It blocks while the
// pool is full: only the orchestrator calls it.
func (p *pool) Go(cluster string, job func(ctx context.Context)) { p.GoAs(p.name, cluster, job) }

// GoAs is Go for a job counted under another step than the phase's.
func (p *pool) GoAs(step, cluster string, job func(ctx context.Context)) {
	st := p.admit(stepKey{step, cluster})
	p.slots <- struct{}{}
	go p.hold(queued{st, job})
}

// Spawn queues a job counted under step from inside a running job. It
// returns at once; the job starts when a slot frees up.
func (p *pool) Spawn(step, cluster string, job func(ctx context.Context)) {
	st := p.admit(stepKey{step, cluster})
	p.qmu.Lock()
	p.queue = append(p.queue, queued{st, job})
	p.qmu.Unlock()
	// Queued first, then a slot tried: whoever holds a slot looks at the
	// queue after letting it go, so nothing queued is ever stranded.
	select {
	case p.slots <- struct{}{}:
		go p.hold(queued{})
	default:
	}
}

// hold runs first (if any) and then queued jobs while holding a slot. After
// letting the slot go it looks at the queue once more and, if work arrived
// meanwhile and a slot is free, takes it again.
func (p *pool) hold(first queued) {
	for {
		if first.job != nil {
			p.run(first.st, first.job)
			first = queued{}
		}
		for q, ok := p.next(); ok; q, ok = p.next() {
			p.run(q.st, q.job)
		}
		<-p.slots
		p.qmu.Lock()
		empty := len(p.queue) == 0
		p.qmu.Unlock()
		if empty {
			return
		}
		select {
		case p.slots <- struct{}{}:
		default:
			return // another holder will find the work
		}
	}
}

func (p *pool) next() (queued, bool) {
	p.qmu.Lock()
	defer p.qmu.Unlock()
	if len(p.queue) == 0 {
		return queued{}, false
	}
	q := p.queue[0]
	p.queue[0] = queued{}
	p.queue = p.queue[1:]
	return q, true
}

func (p *pool) admit(k stepKey) *stepStats {
	st := p.stats(k)
	p.progress.Total.Add(1)
	p.wg.Add(1)
	return st
}

// run executes a job; the caller holds a slot.
func (p *pool) run(st *stepStats, job func(ctx context.Context)) {
	defer func() {
		st.items.Add(1)
		st.end.Store(time.Now().UnixNano())
		p.progress.Done.Add(1)
		p.wg.Done()
	}()
	if p.ctx.Err() != nil {
		p.skipped.Add(1)
		return
	}
	job(p.ctx)
}

// Wait waits for every job (spawned ones included) and returns the step
// records, per step and cluster; faultsIn counts the faults a cluster
// recorded in a time range.
func (p *pool) Wait(faultsIn func(cluster string, from, to time.Time) int) []mustgather.Step {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]mustgather.Step, 0, len(p.order))
	for _, k := range p.order {
		s := p.steps[k]
		end := time.Unix(0, s.end.Load())
		out = append(out, mustgather.Step{
			Name: k.step, Cluster: k.cluster, DurationMS: float64(end.Sub(s.start).Microseconds()) / 1000,
			Items: int(s.items.Load()), Errors: faultsIn(k.cluster, s.start, end),
		})
	}
	return out
}
