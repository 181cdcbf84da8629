package logs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// podWatch tracks the pods of one cluster's watched namespaces and keeps a
// log stream running for every container of interest: it starts streams for
// new pods and for containers that start, and restarts (resuming where they
// stopped) streams that end while their container still runs.
type podWatch struct {
	r *runner
	t *clusterTarget

	mu      sync.Mutex
	pods    map[string]podInfo // by namespace/name
	streams map[streamKey]*streamState
	// told: pods the user heard of (streamed, or reported waiting), so that
	// their going away is reported, once.
	told map[types.UID]bool
	gone map[types.UID]bool
	// waitingTold: containers reported as not started.
	waitingTold map[streamKey]bool
	kickCh      chan struct{}
}

type streamKey struct {
	Namespace, Pod string
	UID            types.UID
	Container      string
}

func (k streamKey) String() string { return k.Namespace + "/" + k.Pod + "/" + k.Container }

// streamState is the life of one container's log across requests.
type streamState struct {
	component Component
	active    bool
	done      bool // never again (pod gone, or not following)
	// waitRestart: the container stopped; stream again when it runs again.
	waitRestart bool
	resume      resumePoint
	retries     int
	nextTry     time.Time
	// failingSince: when its requests started failing (zero: they do not).
	failingSince time.Time
	failedTold   bool
}

func newPodWatch(r *runner, t *clusterTarget) *podWatch {
	return &podWatch{r: r, t: t, pods: map[string]podInfo{}, streams: map[streamKey]*streamState{},
		told: map[types.UID]bool{}, gone: map[types.UID]bool{}, waitingTold: map[streamKey]bool{},
		kickCh: make(chan struct{}, 1)}
}

func (w *podWatch) podLW(ns string) *listWatch {
	pods := w.t.target.Kube.CoreV1().Pods(ns)
	return &listWatch{
		what: fmt.Sprintf("pods in %s on cluster %q", ns, w.t.name),
		list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return pods.List(ctx, o)
		},
		watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return pods.Watch(ctx, o)
		},
	}
}

// initial lists the pods of every namespace and returns, per namespace, the
// resourceVersion to watch from ("" where the list failed).
func (w *podWatch) initial(ctx context.Context) map[string]string {
	rvs := map[string]string{}
	for _, ns := range w.t.namespaces {
		objs, rv, err := w.podLW(ns).listAll(ctx)
		if err != nil {
			w.listFailed(ns, err)
			rvs[ns] = ""
			continue
		}
		w.listOK(ns)
		w.replace(ns, objs)
		rvs[ns] = rv
	}
	return rvs
}

func (w *podWatch) listFailed(ns string, err error) {
	w.r.health.callFailed(w.t.name, w.t.name+"/pods/"+ns, Event{Kind: Incomplete, Cluster: w.t.name, Err: err})
}

func (w *podWatch) listOK(ns string) { w.r.health.callOK(w.t.name, w.t.name+"/pods/"+ns) }

// follow watches every namespace until ctx ends, and reconciles on changes.
func (w *podWatch) follow(ctx context.Context, rvs map[string]string) {
	changes := w.r.scope.subscribe()
	for _, ns := range w.t.namespaces {
		w.r.goWatch(func() {
			w.podLW(ns).follow(ctx, rvs[ns], lwHandler{
				replace: func(objs []runtime.Object) { w.replace(ns, objs); w.kick() },
				upsert:  func(o runtime.Object) { w.upsert(o); w.kick() },
				remove:  func(o runtime.Object) { w.remove(o); w.kick() },
				failed:  func(err error) { w.listFailed(ns, err) },
				ok:      func() { w.listOK(ns); w.kick() },
			})
		})
	}
	w.r.goWatch(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-changes:
				w.reconcile(ctx)
			case <-w.kickCh:
				w.reconcile(ctx)
			}
		}
	})
}

func (w *podWatch) kick() {
	select {
	case w.kickCh <- struct{}{}:
	default:
	}
}

func (w *podWatch) replace(ns string, objs []runtime.Object) {
	seen := map[string]bool{}
	var goneNow []podInfo
	w.mu.Lock()
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok {
			pi := podInfoFrom(p)
			seen[pi.key()] = true
			if old, had := w.pods[pi.key()]; had && old.UID != pi.UID {
				goneNow = append(goneNow, old)
			}
			w.pods[pi.key()] = pi
		}
	}
	for k, p := range w.pods {
		if p.Namespace == ns && !seen[k] {
			delete(w.pods, k)
			goneNow = append(goneNow, p)
		}
	}
	w.mu.Unlock()
	for _, p := range goneNow {
		w.podGone(p, "deleted")
	}
}

func (w *podWatch) upsert(o runtime.Object) {
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	pi := podInfoFrom(p)
	w.mu.Lock()
	old, had := w.pods[pi.key()]
	w.pods[pi.key()] = pi
	w.mu.Unlock()
	if had && old.UID != pi.UID {
		w.podGone(old, "replaced")
	}
}

func (w *podWatch) remove(o runtime.Object) {
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	pi := podInfoFrom(p)
	w.mu.Lock()
	if cur, had := w.pods[pi.key()]; had && cur.UID == pi.UID {
		delete(w.pods, pi.key())
	}
	w.mu.Unlock()
	w.podGone(pi, "deleted")
}

// podGone reports, once, that a pod the user heard of went away, and marks
// its streams done (a running stream ends by itself when the kubelet closes
// it, after its last lines).
func (w *podWatch) podGone(p podInfo, how string) {
	w.mu.Lock()
	report := w.told[p.UID] && !w.gone[p.UID]
	w.gone[p.UID] = true
	for k, st := range w.streams {
		if k.UID == p.UID {
			st.done = true
		}
	}
	w.mu.Unlock()
	if report {
		w.r.health.report(Event{Kind: PodGone, Cluster: w.t.name, Namespace: p.Namespace, Pod: p.Name, Message: how})
	}
}

// wanted is one container whose log should be streamed.
type wanted struct {
	key       streamKey
	component Component
	running   bool
	waiting   string
}

// wantedStreams lists the containers of interest under the current scope.
func (w *podWatch) wantedStreams() []wanted {
	s := w.r.scope.Scope()
	var out []wanted
	for _, p := range w.pods {
		comps := classify(&p, s, w.r.cfg.Namespace)
		for _, ci := range p.Containers {
			c, ok := comps[ci.Name]
			if !ok || !w.r.cfg.Components.Has(c) {
				continue
			}
			waiting := ""
			if !ci.Started {
				waiting = ci.Waiting
			}
			out = append(out, wanted{key: streamKey{p.Namespace, p.Name, p.UID, ci.Name}, component: c,
				running: ci.Running, waiting: waiting})
		}
	}
	slices.SortFunc(out, func(a, b wanted) int { return strings.Compare(a.key.String(), b.key.String()) })
	return out
}

// count returns how many streams the current pods need.
func (w *podWatch) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, x := range w.wantedStreams() {
		if x.waiting == "" {
			n++
		}
	}
	return n
}

// reconcile starts the streams that should run and do not.
func (w *podWatch) reconcile(ctx context.Context) {
	if ctx.Err() != nil || w.r.health.isDown(w.t.name) {
		return
	}
	var events []Event
	var retryAt time.Time
	w.mu.Lock()
	started := map[types.UID][]string{}
	podOf := map[types.UID]streamKey{}
	for _, x := range w.wantedStreams() {
		st := w.streams[x.key]
		if w.gone[x.key.UID] || st != nil && (st.active || st.done) {
			continue
		}
		if x.waiting != "" {
			if ev, ok := w.waitingEvent(x); ok {
				events = append(events, ev)
			}
			continue
		}
		if st != nil {
			if st.waitRestart && !x.running {
				continue
			}
			if now := time.Now(); !st.waitRestart && now.Before(st.nextTry) {
				if retryAt.IsZero() || st.nextTry.Before(retryAt) {
					retryAt = st.nextTry
				}
				continue
			}
		}
		if !w.r.acquire() {
			events = append(events, w.r.limitEvent(w.t.name, x.key))
			continue
		}
		if st == nil { // first stream of the container: worth a "+"
			st = &streamState{component: x.component}
			w.streams[x.key] = st
			started[x.key.UID] = append(started[x.key.UID], x.key.Container)
			podOf[x.key.UID] = x.key
		}
		st.active, st.waitRestart = true, false
		w.told[x.key.UID] = true
		w.startStream(ctx, x.key, st)
	}
	w.mu.Unlock()
	if w.r.following() {
		for uid, ctrs := range started {
			k := podOf[uid]
			events = append(events, Event{Kind: PodAdded, Cluster: w.t.name, Namespace: k.Namespace, Pod: k.Pod, Containers: ctrs})
		}
	}
	for _, ev := range groupByPod(events) {
		w.r.health.report(ev)
	}
	if !retryAt.IsZero() {
		time.AfterFunc(time.Until(retryAt), w.kick)
	}
}

// waitingEvent reports a container that has not started, once. While
// following, only the pods found at start and unusual reasons are reported:
// a new pod is routinely "ContainerCreating" for a moment.
func (w *podWatch) waitingEvent(x wanted) (Event, bool) {
	if w.waitingTold[x.key] {
		return Event{}, false
	}
	routine := x.waiting == "ContainerCreating" || x.waiting == "PodInitializing" || x.waiting == "not started"
	if w.r.following() && routine {
		return Event{}, false
	}
	w.waitingTold[x.key] = true
	w.told[x.key.UID] = true
	return Event{Kind: ContainerWaiting, Cluster: w.t.name, Namespace: x.key.Namespace, Pod: x.key.Pod,
		Containers: []string{x.key.Container}, Message: x.waiting}, true
}

// startStream registers the stream with the merger and runs it; w.mu held.
func (w *podWatch) startStream(ctx context.Context, key streamKey, st *streamState) {
	in := w.r.merger.add(w.t.name + "/" + key.String())
	resume := st.resume
	comp := st.component
	w.r.goStream(func() {
		defer w.r.release()
		defer in.close()
		began := time.Now()
		res := w.r.readContainer(ctx, w.t, key, comp, resume, in)
		w.streamEnded(ctx, key, res, time.Since(began))
	})
}

// groupByPod merges events that differ only by container into one, so that
// a pod's two waiting containers make one report.
func groupByPod(events []Event) []Event {
	var out []Event
	for _, ev := range events {
		if ev.Kind == "" {
			continue
		}
		i := slices.IndexFunc(out, func(o Event) bool {
			return o.Kind == ev.Kind && o.Cluster == ev.Cluster && o.Namespace == ev.Namespace && o.Pod == ev.Pod &&
				o.Message == ev.Message && o.Err == nil && ev.Err == nil
		})
		if i < 0 || ev.Pod == "" {
			out = append(out, ev)
			continue
		}
		out[i].Containers = append(out[i].Containers, ev.Containers...)
	}
	return out
}
