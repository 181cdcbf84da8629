package logs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// listWatch keeps a handler up to date with one kind in one namespace: a
// paginated LIST, then a WATCH from its resourceVersion, re-listing when the
// watch expires or fails. It is written out rather than taken from
// client-go's Reflector so that errors reach the caller (to report an
// unreachable cluster once) instead of klog.
type listWatch struct {
	what  string // "pods in inventory", for errors
	list  func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error)
	watch func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error)
	// selector, if set, is the label selector of every LIST and WATCH.
	selector string
}

// lwHandler receives the objects. replace is called after every LIST with
// all objects; upsert and remove for watch events.
type lwHandler struct {
	replace func([]runtime.Object)
	upsert  func(runtime.Object)
	remove  func(runtime.Object)
	// failed and ok report the health of the connection.
	failed func(error)
	ok     func()
}

// listAll lists every object, page by page, and returns them with the
// resourceVersion to watch from.
func (lw *listWatch) listAll(ctx context.Context) ([]runtime.Object, string, error) {
	opts := metav1.ListOptions{Limit: kube.PageSize, LabelSelector: lw.selector}
	var all []runtime.Object
	for {
		page, err := lw.list(ctx, opts)
		if err != nil {
			return nil, "", fmt.Errorf("list %s: %w", lw.what, err)
		}
		items, err := meta.ExtractList(page)
		if err != nil {
			return nil, "", fmt.Errorf("list %s: %w", lw.what, err)
		}
		all = append(all, items...)
		lm, err := meta.ListAccessor(page)
		if err != nil {
			return nil, "", fmt.Errorf("list %s: %w", lw.what, err)
		}
		if opts.Continue = lm.GetContinue(); opts.Continue == "" {
			return all, lm.GetResourceVersion(), nil
		}
	}
}

// follow watches from rv until ctx ends, re-listing (and calling replace)
// whenever the watch cannot resume.
func (lw *listWatch) follow(ctx context.Context, rv string, h lwHandler) {
	bo := newBackoff()
	for ctx.Err() == nil {
		if rv == "" {
			objs, newRV, err := lw.listAll(ctx)
			if err != nil {
				if ctx.Err() == nil {
					h.failed(err)
				}
				bo.sleep(ctx)
				continue
			}
			h.ok()
			bo.reset()
			h.replace(objs)
			rv = newRV
		}
		var err error
		rv, err = lw.watchFrom(ctx, rv, h)
		if err != nil && ctx.Err() == nil {
			if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
				h.failed(err)
				bo.sleep(ctx)
			}
			rv = "" // re-list
		}
	}
}

// watchFrom runs one WATCH and returns the last resourceVersion seen; a nil
// error means the server closed the watch normally (resume from rv).
func (lw *listWatch) watchFrom(ctx context.Context, rv string, h lwHandler) (string, error) {
	w, err := lw.watch(ctx, metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true, LabelSelector: lw.selector})
	if err != nil {
		return rv, fmt.Errorf("watch %s: %w", lw.what, err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return rv, nil
		case ev, open := <-w.ResultChan():
			if !open {
				return rv, nil
			}
			if ev.Type == watch.Error {
				return rv, fmt.Errorf("watch %s: %w", lw.what, apierrors.FromObject(ev.Object))
			}
			if acc, err := meta.Accessor(ev.Object); err == nil && acc.GetResourceVersion() != "" {
				rv = acc.GetResourceVersion()
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				h.upsert(ev.Object)
			case watch.Deleted:
				h.remove(ev.Object)
			}
		}
	}
}

// backoff spaces out retries against a failing API server: 0.5s doubling
// to 30s, with jitter.
type backoff struct{ next time.Duration }

func newBackoff() *backoff { return &backoff{next: 500 * time.Millisecond} }

func (b *backoff) reset() { b.next = 500 * time.Millisecond }

func (b *backoff) sleep(ctx context.Context) {
	d := b.next + time.Duration(rand.Int64N(int64(b.next/4)+1))
	b.next = min(2*b.next, 30*time.Second)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
