package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// podInfo is what the log step and the plan index need of a pod.
type podInfo struct {
	namespace, name string
	labels          map[string]string
	logs            []logTarget
	// written are the log files that made it into the bundle.
	written []string
}

// logTarget is one container log to fetch.
type logTarget struct {
	container string
	kind      mustgather.LogKind
}

// addPods plans the logs of pods (before redaction, which does not touch
// what is read here) and returns them.
func (c *clusterRun) addPods(items []unstructured.Unstructured) []*podInfo {
	var infos []*podInfo
	for i := range items {
		pod := &corev1.Pod{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(items[i].Object, pod); err != nil {
			continue
		}
		infos = append(infos, &podInfo{namespace: pod.Namespace, name: pod.Name, labels: pod.Labels, logs: logTargets(pod)})
	}
	c.mu.Lock()
	c.pods = append(c.pods, infos...)
	c.mu.Unlock()
	return infos
}

// logTargets lists the logs worth asking for: the current log of every
// container that has started (or whose state is unknown, on a scheduled
// pod), and the previous log of every container that has restarted.
// Containers still waiting to start have no log: asking would only earn
// an error.
func logTargets(pod *corev1.Pod) []logTarget {
	if pod.Spec.NodeName == "" {
		return nil
	}
	status := map[string]corev1.ContainerStatus{}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, s := range list {
			status[s.Name] = s
		}
	}
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	var out []logTarget
	for _, name := range names {
		s, known := status[name]
		started := !known || s.State.Running != nil || s.State.Terminated != nil
		if started {
			out = append(out, logTarget{container: name, kind: mustgather.CurrentLog})
		}
		if known && (s.LastTerminationState.Terminated != nil || s.RestartCount > 0) {
			out = append(out, logTarget{container: name, kind: mustgather.PreviousLog})
		}
	}
	return out
}

// gatherLogs queues one job per container log of pods. It is called from
// the job that listed them, hence Spawn.
func (c *clusterRun) gatherLogs(p *pool, pods []*podInfo) {
	for _, pod := range pods {
		for _, t := range pod.logs {
			p.Spawn("logs", c.spec.Name, func(ctx context.Context) { c.fetchLog(ctx, pod, t) })
		}
	}
}

// fetchLog streams one log through the redactor into the bundle. What
// arrived before an error or a stall is kept (marked truncated); a request
// refused outright leaves no file.
func (c *clusterRun) fetchLog(ctx context.Context, pod *podInfo, t logTarget) {
	path := c.path(mustgather.PodLog(pod.namespace, pod.name, t.container, t.kind))
	what := fmt.Sprintf("log %s/%s/%s (%s)", pod.namespace, pod.name, t.container, t.kind)
	if !c.br.allow() {
		return
	}
	opts := &corev1.PodLogOptions{Container: t.container, Timestamps: true, Previous: t.kind == mustgather.PreviousLog}
	if since := c.g.since(); !since.IsZero() {
		st := metav1.NewTime(since)
		opts.SinceTime = &st
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watch := newIdleWatch(c.g.cfg.RequestTimeout, cancel)
	defer watch.stop()
	body, err := c.logs.CoreV1().Pods(pod.namespace).GetLogs(pod.name, opts).Stream(ctx)
	if err != nil {
		err = causeOf(ctx, err)
		c.br.observeStream(err)
		if !ignorableLogError(err) {
			c.fault("logs", what, path, err)
		}
		return
	}
	defer body.Close()
	f, err := c.g.bundle.Create(path, c.g.cfg.MaxLogBytes)
	if err != nil {
		c.fault("logs", what, path, err)
		return
	}
	w := c.g.redactor.NewWriter(f)
	buf := copyBuffers.Get().(*[]byte)
	_, err = io.CopyBuffer(w, watch.reader(body), *buf)
	copyBuffers.Put(buf)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = causeOf(ctx, err)
		c.br.observeStream(err)
		f.MarkIncomplete()
		c.fault("logs", what, path, fmt.Errorf("log cut short after %d bytes (kept in the bundle): %w", f.Written(), err))
	} else {
		c.br.observeStream(nil)
	}
	if err := f.Close(context.WithoutCancel(ctx)); err != nil {
		c.fault("logs", what, path, err)
		return
	}
	c.mu.Lock()
	pod.written = append(pod.written, path)
	c.mu.Unlock()
}

// copyBuffers recycles the buffers logs are copied through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// ignorableLogError recognises answers that only say there is no such log
// (a container that has not started, a previous instance that is gone).
func ignorableLogError(err error) bool {
	if !apierrors.IsBadRequest(err) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"waiting to start", "previous terminated container", "ContainerCreating", "PodInitializing"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// errStalled is the cause given when a stream sends nothing for a whole
// request timeout.
var errStalled = errors.New("no data for the whole request timeout")

// causeOf prefers the cancellation cause (a stall) over the generic
// "context canceled".
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", cause, context.DeadlineExceeded)
	}
	return err
}

// idleWatch cancels a request that receives nothing for `idle`: a log can
// legitimately take long, but not stall.
type idleWatch struct {
	timer *time.Timer
	idle  time.Duration
}

func newIdleWatch(idle time.Duration, cancel context.CancelCauseFunc) *idleWatch {
	w := &idleWatch{idle: idle}
	w.timer = time.AfterFunc(idle, func() { cancel(errStalled) })
	return w
}

func (w *idleWatch) reader(r io.Reader) io.Reader { return &idleReader{r: r, w: w} }

func (w *idleWatch) stop() { w.timer.Stop() }

type idleReader struct {
	r io.Reader
	w *idleWatch
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.w.timer.Reset(r.w.idle)
	}
	return n, err
}
