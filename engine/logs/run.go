package logs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
)

// Summary tells how a Run went.
type Summary struct {
	// Lines written to the sink.
	Lines int
	// Problems counts the events that mean lines may be missing.
	Problems int
	// Completed is set when UntilComplete ended the run.
	Completed bool
}

// ErrTooManyStreams is returned (without following) when the logs need more
// concurrent requests than Config.MaxStreams.
var ErrTooManyStreams = errors.New("too many log streams")

// runner is one Run's state.
type runner struct {
	cfg     Config
	scope   *scopeState
	merger  *merger
	health  *health
	since   time.Time
	watches []*podWatch

	slotsMu   sync.Mutex
	slots     int
	limitTold bool

	live      atomic.Bool // following, past the initial listing
	streamsWG sync.WaitGroup
	watchWG   sync.WaitGroup
	lines     atomic.Int64
}

// Run streams the logs cfg describes until they end (without Follow), ctx
// ends, or (UntilComplete) the migration completes. Problems on one cluster
// or pod are reported through cfg.Events and the rest goes on; the error is
// for what stops everything: the plan or migration cannot be read, the sink
// fails, or ctx ends while not following.
func Run(ctx context.Context, access *cluster.Access, cfg Config) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	cfg = cfg.withDefaults()
	r := &runner{cfg: cfg}
	r.health = newHealth(cfg.Events)
	res, err := resolve(ctx, access, &r.cfg, r.health)
	if err != nil {
		return Summary{}, err
	}
	r.scope = newScopeState(res.plan.Name, res.plan.UID, cfg.Migration)
	r.scope.replace(kindMigration, res.migs)
	rvs := r.listScope(ctx, res)
	r.since = r.startTime(res)

	window := time.Duration(0)
	if cfg.Follow {
		window = cfg.ReorderWindow
	}
	sink := &countingSink{Sink: cfg.Sink, n: &r.lines}
	r.merger = newMerger(sink, window)

	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	completed := make(chan struct{})
	var comp *completion
	if cfg.UntilComplete {
		comp = r.watchCompletion(completed)
	}
	mergeErr := make(chan error, 1)
	go func() { mergeErr <- r.merger.run(context.WithoutCancel(ctx)) }()

	pwRVs, err := r.startPods(streamCtx, res)
	if err != nil {
		stopStreams()
		r.merger.finish()
		return r.summary(false), errors.Join(err, <-mergeErr)
	}
	r.merger.openGate()
	if cfg.Follow {
		r.live.Store(true)
		r.followAll(streamCtx, res, rvs, pwRVs)
	}
	done := r.wait(ctx, completed, mergeErr)
	stopStreams()
	r.watchWG.Wait() // first: their reconciles start streams
	r.streamsWG.Wait()
	r.merger.finish()
	if err := <-mergeErr; err != nil {
		return r.summary(done.completed), fmt.Errorf("write logs: %w", err)
	}
	if done.completed {
		for _, ev := range comp.events() {
			r.health.report(ev)
		}
	}
	if done.err != nil {
		return r.summary(done.completed), done.err
	}
	return r.summary(done.completed), nil
}

type ending struct {
	completed bool
	err       error
}

// wait blocks until the run should end: the streams ended (not following),
// ctx ended, the migration completed (then after cfg.Drain), or the merge
// failed.
func (r *runner) wait(ctx context.Context, completed <-chan struct{}, mergeErr chan error) ending {
	streamsDone := make(chan struct{})
	if !r.cfg.Follow {
		go func() { r.streamsWG.Wait(); close(streamsDone) }()
	}
	select {
	case <-streamsDone:
		return ending{}
	case <-ctx.Done():
		if r.cfg.Follow {
			return ending{} // following ends with Ctrl-C: a normal end
		}
		return ending{err: ctx.Err()}
	case <-completed:
		t := time.NewTimer(r.cfg.Drain)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		return ending{completed: true}
	case err := <-mergeErr:
		mergeErr <- err // Run reads it again after stopping the streams
		return ending{}
	}
}

func (r *runner) summary(completed bool) Summary {
	return Summary{Lines: int(r.lines.Load()), Problems: r.health.problemCount(), Completed: completed}
}

// listScope lists the kinds that name the migrations' children (one LIST
// per kind) and returns the resourceVersions to watch them from.
func (r *runner) listScope(ctx context.Context, res *resolution) []string {
	rvs := make([]string, len(res.sources))
	var wg sync.WaitGroup
	for i, src := range res.sources {
		wg.Go(func() {
			objs, rv, err := src.lw.listAll(ctx)
			if err != nil {
				r.health.callFailed(src.cluster, src.key(), Event{Kind: Incomplete, Cluster: src.cluster, Err: err,
					Message: "lines are matched by migration name only"})
				return
			}
			rvs[i] = rv
			r.scope.replace(src.kind, objInfos(src.kind, objs))
		})
	}
	wg.Wait()
	return rvs
}

func objInfos(kind objKind, objs []runtime.Object) []objInfo {
	out := make([]objInfo, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, objInfoFrom(kind, u))
		}
	}
	return out
}

// startTime is where logs start: --since, or DefaultSinceMargin before the
// earliest migration of interest (or the plan) was created or started.
func (r *runner) startTime(res *resolution) time.Time {
	switch {
	case r.cfg.AllHistory:
		return time.Time{}
	case r.cfg.Since > 0:
		return time.Now().Add(-r.cfg.Since)
	}
	first := r.scope.Scope().earliest()
	if first.IsZero() {
		first = res.plan.CreationTimestamp.Time
	}
	if first.IsZero() {
		return time.Time{}
	}
	return first.Add(-DefaultSinceMargin)
}

// startPods lists every cluster's pods and starts the streams found. Without
// following it first checks that the streams fit in MaxStreams, since an
// exact merge needs them all open at once.
func (r *runner) startPods(ctx context.Context, res *resolution) ([]map[string]string, error) {
	rvs := make([]map[string]string, len(res.targets))
	var wg sync.WaitGroup
	for i, t := range res.targets {
		w := newPodWatch(r, t)
		r.watches = append(r.watches, w)
		wg.Go(func() { rvs[i] = w.initial(ctx) })
	}
	wg.Wait()
	if !r.cfg.Follow {
		n := 0
		for _, w := range r.watches {
			n += w.count()
		}
		if n > r.cfg.MaxStreams {
			return nil, fmt.Errorf("%w: %d containers to read, more than the limit of %d concurrent log requests: narrow the selection (--component, --migration) or raise the limit (--max-log-requests)", ErrTooManyStreams, n, r.cfg.MaxStreams)
		}
	}
	for _, w := range r.watches {
		w.reconcile(ctx)
	}
	return rvs, nil
}

// followAll starts the watches: pods on every cluster, and the kinds that
// make up the scope.
func (r *runner) followAll(ctx context.Context, res *resolution, scopeRVs []string, podRVs []map[string]string) {
	for i, w := range r.watches {
		w.follow(ctx, podRVs[i])
	}
	hostName := res.targets[0].name
	migs := scopeSource{kind: kindMigration, cluster: hostName, lw: res.migLW}
	r.goWatch(func() { res.migLW.follow(ctx, res.migsRV, r.scopeHandler(migs)) })
	for i, src := range res.sources {
		r.goWatch(func() { src.lw.follow(ctx, scopeRVs[i], r.scopeHandler(src)) })
	}
}

func (r *runner) scopeHandler(src scopeSource) lwHandler {
	kind := src.kind
	conv := func(o runtime.Object) (objInfo, bool) {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			return objInfo{}, false
		}
		return objInfoFrom(kind, u), true
	}
	return lwHandler{
		replace: func(objs []runtime.Object) { r.scope.replace(kind, objInfos(kind, objs)) },
		upsert: func(o runtime.Object) {
			if oi, ok := conv(o); ok {
				r.scope.upsert(kind, oi)
			}
		},
		remove: func(o runtime.Object) {
			if oi, ok := conv(o); ok {
				r.scope.remove(kind, oi.UID)
			}
		},
		failed: func(err error) {
			r.health.callFailed(src.cluster, src.key(), Event{Kind: Incomplete, Cluster: src.cluster, Err: err})
		},
		ok: func() { r.health.callOK(src.cluster, src.key()) },
	}
}

func (r *runner) goStream(f func()) {
	r.streamsWG.Add(1)
	go func() {
		defer r.streamsWG.Done()
		f()
	}()
}

func (r *runner) goWatch(f func()) {
	r.watchWG.Add(1)
	go func() {
		defer r.watchWG.Done()
		f()
	}()
}

// following reports whether the run follows and is past its initial listing.
func (r *runner) following() bool { return r.live.Load() }

// acquire takes one of MaxStreams slots without waiting.
func (r *runner) acquire() bool {
	r.slotsMu.Lock()
	defer r.slotsMu.Unlock()
	if r.slots >= r.cfg.MaxStreams {
		return false
	}
	r.slots++
	return true
}

func (r *runner) release() {
	r.slotsMu.Lock()
	r.slots--
	r.slotsMu.Unlock()
}

// limitEvent reports, once per run, that a stream waits for a free slot.
func (r *runner) limitEvent(clusterName string, key streamKey) Event {
	r.slotsMu.Lock()
	defer r.slotsMu.Unlock()
	if r.limitTold {
		return Event{}
	}
	r.limitTold = true
	return Event{Kind: Incomplete, Cluster: clusterName, Namespace: key.Namespace, Pod: key.Pod,
		Containers: []string{key.Container},
		Message:    fmt.Sprintf("%d log streams are open, the limit: more wait until others end (raise --max-log-requests or narrow --component)", r.cfg.MaxStreams)}
}

// countingSink counts the lines written.
type countingSink struct {
	Sink
	n *atomic.Int64
}

func (s *countingSink) WriteLine(l Line) error {
	if err := s.Sink.WriteLine(l); err != nil {
		return err
	}
	s.n.Add(1)
	return nil
}
