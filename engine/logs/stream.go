package logs

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// streamResult is how one container's log request ended.
type streamResult struct {
	resume    resumePoint
	delivered int
	// err is nil at a clean end of the log.
	err error
	// opened: the request was answered (errors after that came mid-stream).
	opened bool
}

// readContainer streams one container's log into in, from resume on.
// Lines of shared components are filtered through the scope. With a tail on
// such a component the backlog is read without following first (keeping
// the last matching lines in a ring), then followed from where it ended.
func (r *runner) readContainer(ctx context.Context, t *clusterTarget, key streamKey, comp Component, resume resumePoint, in *input) streamResult {
	res := streamResult{resume: resume}
	mk := func(ts time.Time, text string) Line {
		return Line{Time: ts, Cluster: t.name, Namespace: key.Namespace, Pod: key.Pod, Container: key.Container,
			Component: comp, Text: text}
	}
	filtered := comp.filtered()
	if r.cfg.Tail >= 0 && filtered && resume.last.IsZero() {
		ring := newRing(int(r.cfg.Tail))
		body, err := r.logRequest(ctx, t, key, false, nil, res.resume)
		if err != nil {
			res.err = err
			return res
		}
		res.opened = in.markOpened(ctx)
		// The ring's lines come at the end, so progress here only says the
		// stream is busy, not how far it has read.
		kept := 0
		res.err = r.consume(ctx, body, &res, func(ts time.Time, text string) bool {
			ring.push(mk(ts, text))
			kept++
			return kept%progressEvery != 0 || in.busy(ctx)
		}, func(time.Time) bool { return in.busy(ctx) }, filtered)
		body.Close()
		for _, l := range ring.lines() {
			if !in.line(ctx, l) {
				return res
			}
			res.delivered++
		}
		if res.err != nil || !r.cfg.Follow {
			return res
		}
	}
	var tail *int64
	if r.cfg.Tail >= 0 && !filtered && res.resume.last.IsZero() {
		tail = &r.cfg.Tail
	}
	body, err := r.logRequest(ctx, t, key, r.cfg.Follow, tail, res.resume)
	if err != nil {
		res.err = err
		return res
	}
	defer body.Close()
	if !res.opened {
		res.opened = in.markOpened(ctx)
	}
	res.err = r.consume(ctx, body, &res, func(ts time.Time, text string) bool {
		if !in.line(ctx, mk(ts, text)) {
			return false
		}
		res.delivered++
		return true
	}, func(ts time.Time) bool { return in.progress(ctx, ts) }, filtered)
	return res
}

// consume reads lines, drops those delivered before (resume) and, for
// filtered components, those that do not concern the scope. Every
// progressEvery dropped lines it calls progress with the time read so far.
func (r *runner) consume(ctx context.Context, body io.Reader, res *streamResult, deliver func(time.Time, string) bool,
	progress func(time.Time) bool, filtered bool) error {
	lr := newLineReader(body)
	skip := res.resume.skipper()
	dropped := 0
	for {
		ts, text, err := lr.next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return err
		}
		if skip(ts) {
			continue
		}
		res.resume.record(ts)
		if filtered && !r.scope.Scope().Match(text) {
			// Say how far the stream has read now and then, so that a stream
			// whose lines are mostly dropped does not hold the others back
			// while it reads, nor look idle.
			if dropped++; dropped%progressEvery == 0 && !progress(ts) {
				return nil
			}
			continue
		}
		if !deliver(ts, text) {
			return nil
		}
	}
}

// progressEvery is how many dropped lines a stream reads between progress
// marks.
const progressEvery = 64

// logRequest opens GET pods/log with timestamps, from the resume point or
// the configured start.
func (r *runner) logRequest(ctx context.Context, t *clusterTarget, key streamKey, follow bool, tail *int64, resume resumePoint) (io.ReadCloser, error) {
	opts := &corev1.PodLogOptions{Container: key.Container, Follow: follow, Timestamps: true, TailLines: tail}
	switch {
	case !resume.last.IsZero():
		st := metav1.NewTime(resume.last)
		opts.SinceTime = &st
	case !r.since.IsZero():
		st := metav1.NewTime(r.since)
		opts.SinceTime = &st
	}
	return t.target.Kube.CoreV1().Pods(key.Namespace).GetLogs(key.Pod, opts).Stream(ctx)
}

// streamEnded decides what comes after a stream's end: nothing (not
// following, pod gone), a restart when the container runs again, or a retry
// after a pause (the log ended or failed while the container runs, or the
// cluster is unreachable for now).
func (w *podWatch) streamEnded(ctx context.Context, key streamKey, res streamResult, ran time.Duration) {
	if ctx.Err() != nil {
		w.setEnded(key, res, func(st *streamState) { st.done = true })
		return
	}
	if !w.r.cfg.Follow {
		w.setEnded(key, res, func(st *streamState) { st.done = true })
		if res.err != nil {
			w.reportFailure(key, res.err, false)
		}
		return
	}
	pod, perr := w.probe(ctx, key)
	switch {
	case perr != nil && w.r.health.failed(w.t.name, perr):
		w.setEnded(key, res, w.retryLater(res, ran))
	case apierrors.IsNotFound(perr) || pod != nil && (pod.UID != key.UID || pod.DeletionTimestamp != nil):
		w.setEnded(key, res, func(st *streamState) { st.done = true })
		w.podGone(podInfo{Namespace: key.Namespace, Name: key.Pod, UID: key.UID}, "deleted")
	case perr != nil:
		w.setEnded(key, res, w.retryLater(res, ran))
		w.reportFailure(key, perr, true)
	default:
		w.r.health.ok(w.t.name)
		if !containerRunning(pod, key.Container) {
			w.setEnded(key, res, func(st *streamState) { st.waitRestart = true })
			break
		}
		// A failure is reported once it has lasted failureGrace: a kubelet or
		// proxy hiccup that a retry mends is not worth a message, and when a
		// whole cluster goes away (its kubelets often first) the retries
		// find it unreachable instead.
		var failing time.Duration
		w.setEnded(key, res, func(st *streamState) {
			switch {
			case res.err == nil || res.delivered > 0:
				st.failingSince = time.Time{}
			case st.failingSince.IsZero():
				st.failingSince = time.Now()
			}
			if res.err != nil {
				failing = time.Since(st.failingSince)
			}
			w.retryLater(res, ran)(st)
		})
		if res.err != nil && !w.r.health.failed(w.t.name, res.err) && failing >= failureGrace {
			w.reportFailure(key, res.err, true)
		}
	}
	w.kick()
}

// failureGrace is how long a stream keeps failing, while its container
// runs and its cluster answers, before that is reported.
const failureGrace = 10 * time.Second

func (w *podWatch) setEnded(key streamKey, res streamResult, then func(*streamState)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.streams[key]
	st.active = false
	st.resume = res.resume
	then(st)
}

// retryLater backs a stream off: 1s doubling to 30s, reset by a stream that
// ran a while or delivered lines.
func (w *podWatch) retryLater(res streamResult, ran time.Duration) func(*streamState) {
	return func(st *streamState) {
		if res.delivered > 0 || ran > 30*time.Second {
			st.retries = 0
		}
		st.nextTry = time.Now().Add(min(time.Second<<min(st.retries, 5), 30*time.Second))
		st.retries++
	}
}

// reportFailure tells why a stream failed, once per stream while following.
func (w *podWatch) reportFailure(key streamKey, err error, once bool) {
	ev := Event{Cluster: w.t.name, Namespace: key.Namespace, Pod: key.Pod, Containers: []string{key.Container}, Err: err}
	switch {
	case apierrors.IsNotFound(err):
		w.podGone(podInfo{Namespace: key.Namespace, Name: key.Pod, UID: key.UID}, "deleted")
		return
	case apierrors.IsBadRequest(err) && strings.Contains(err.Error(), "waiting to start"):
		ev.Kind, ev.Err, ev.Message = ContainerWaiting, nil, waitingReason(err.Error())
	case w.r.health.failed(w.t.name, err):
		return
	default:
		ev.Kind = StreamFailed
	}
	if once {
		w.mu.Lock()
		st := w.streams[key]
		told := st.failedTold
		st.failedTold = true
		w.mu.Unlock()
		if told {
			return
		}
	}
	w.r.health.report(ev)
}

func waitingReason(msg string) string {
	if _, after, ok := strings.Cut(msg, "waiting to start: "); ok {
		return after
	}
	return "not started"
}

// probe reads the pod to learn why its log ended.
func (w *podWatch) probe(ctx context.Context, key streamKey) (*corev1.Pod, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return w.t.target.Kube.CoreV1().Pods(key.Namespace).Get(ctx, key.Pod, metav1.GetOptions{})
}

func containerRunning(p *corev1.Pod, name string) bool {
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if cs.Name == name {
			return cs.State.Running != nil
		}
	}
	return false
}

// ring keeps the last n lines.
type ring struct {
	buf   []Line
	next  int
	full  bool
	limit int
}

func newRing(n int) *ring { return &ring{limit: n} }

func (r *ring) push(l Line) {
	if r.limit <= 0 {
		return
	}
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, l)
		return
	}
	r.buf[r.next] = l
	r.next = (r.next + 1) % r.limit
	r.full = true
}

func (r *ring) lines() []Line {
	if !r.full {
		return r.buf
	}
	return append(append([]Line{}, r.buf[r.next:]...), r.buf[:r.next]...)
}
