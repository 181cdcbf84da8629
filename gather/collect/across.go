package collect

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// ListScope says how the namespaced kinds of the gathered namespaces are
// listed.
type ListScope int

const (
	// ListScopeAuto lists a kind across all namespaces when the gathered
	// namespaces are at least half of the cluster's (one LIST per kind
	// instead of one per kind and namespace: 19 requests instead of ~1,900
	// for 100 namespaces), and namespace by namespace otherwise, so that a
	// gather of three namespaces of a big cluster never reads the rest.
	ListScopeAuto ListScope = iota
	// ListScopeNamespace always lists namespace by namespace.
	ListScopeNamespace
	// ListScopeCluster always lists across all namespaces (falling back to
	// namespace by namespace where that is forbidden).
	ListScopeCluster
)

// listAcross decides the scope for the gathered namespaces.
func (c *clusterRun) listAcross(namespaces []string) bool {
	c.mu.Lock()
	present, forbidden := len(c.present), c.acrossForbidden
	c.mu.Unlock()
	switch {
	case forbidden || len(namespaces) == 0:
		return false
	case c.g.cfg.ListScope == ListScopeCluster:
		return true
	case c.g.cfg.ListScope == ListScopeNamespace:
		return false
	}
	return len(namespaces) > 1 && present > 0 && 2*len(namespaces) >= present
}

// writeAcross lists one kind in all namespaces, page by page, and writes
// the List of each gathered namespace exactly as writeNamespaced would. A
// paginated LIST returns objects in key order (.../<namespace>/<name>), so
// the items of a namespace arrive together and only one namespace's items
// are held at a time. Where listing across namespaces is forbidden (a user
// with rights in some namespaces only), it lists namespace by namespace.
func (c *clusterRun) writeAcross(ctx context.Context, step string, r apiResource, namespaces []string, hook func([]unstructured.Unstructured)) {
	w := &acrossWriter{c: c, ctx: ctx, step: step, r: r, hook: hook, want: map[string]bool{}, done: map[string]bool{}}
	for _, ns := range namespaces {
		w.want[ns] = true
	}
	c.noteCustom(r.gvr)
	err := w.list()
	switch {
	case err != nil && apierrors.IsForbidden(err) && len(w.done) == 0 && w.runNS == "":
		c.mu.Lock()
		c.acrossForbidden = true
		c.mu.Unlock()
		for _, ns := range namespaces {
			c.writeNamespaced(ctx, step, r, ns, hook)
		}
		return
	case err != nil:
		missing := 0
		for _, ns := range namespaces {
			if !w.done[ns] {
				missing++
			}
		}
		c.fault(step, describeList(r, ""), "", fmt.Errorf("%w (the lists of %d of %d namespaces are missing)", err, missing, len(namespaces)))
		return
	}
	w.flush()
	for _, ns := range namespaces {
		if !w.done[ns] { // nothing of this kind there: an empty List, as inspect writes
			w.runNS = ns
			w.flush()
		}
	}
}

// acrossWriter is the state of one writeAcross.
type acrossWriter struct {
	c    *clusterRun
	ctx  context.Context
	step string
	r    apiResource
	hook func([]unstructured.Unstructured)
	want map[string]bool
	// done holds the namespaces written; run the items of runNS read so far.
	done  map[string]bool
	run   []unstructured.Unstructured
	runNS string
	// meta is the List's apiVersion, kind and resourceVersion.
	meta *unstructured.UnstructuredList
	// relisted is set once the LIST had to start over (its snapshot expired
	// between pages): namespaces written by then come round again.
	relisted bool
	// reported is set once an out-of-order namespace has been recorded.
	reported bool
	// hooked holds the objects handed to hook.
	hooked map[types.UID]bool
}

func (w *acrossWriter) list() error {
	ri := w.c.dyn.Resource(w.r.gvr)
	opts := metav1.ListOptions{Limit: pageSize}
	for {
		var page *unstructured.UnstructuredList
		err := w.c.do(w.ctx, func(ctx context.Context) error {
			var err error
			page, err = ri.List(ctx, opts)
			return err
		})
		if apierrors.IsResourceExpired(err) && opts.Continue != "" {
			opts.Continue, w.run, w.runNS, w.relisted = "", nil, "", true
			continue
		}
		if err != nil {
			return err
		}
		if w.meta == nil {
			w.meta = &unstructured.UnstructuredList{Object: page.Object}
		}
		w.seen(page.Items)
		for i := range page.Items {
			w.add(page.Items[i])
		}
		if opts.Continue = page.GetContinue(); opts.Continue == "" {
			return nil
		}
	}
}

// seen hands the wanted items of a page to the hook as soon as the page
// arrives: the pods' logs start downloading while the lists are still being
// written (writing may wait behind those very logs in the archive queue).
func (w *acrossWriter) seen(items []unstructured.Unstructured) {
	if w.hook == nil {
		return
	}
	if w.hooked == nil {
		w.hooked = map[types.UID]bool{}
	}
	var wanted []unstructured.Unstructured
	for i := range items {
		// A LIST that starts over sends objects already handed over.
		if uid := items[i].GetUID(); w.want[items[i].GetNamespace()] && !w.hooked[uid] {
			w.hooked[uid] = true
			wanted = append(wanted, items[i])
		}
	}
	if len(wanted) > 0 {
		w.hook(wanted)
	}
}

func (w *acrossWriter) add(item unstructured.Unstructured) {
	ns := item.GetNamespace()
	if !w.want[ns] {
		return
	}
	if w.done[ns] {
		if !w.relisted && !w.reported {
			w.reported = true
			w.c.fault(w.step, describeList(w.r, ""), w.path(ns), fmt.Errorf(
				"the API server returned objects of namespace %s out of key order; that namespace's list is incomplete: rerun the gather", ns))
		}
		return
	}
	if ns != w.runNS {
		w.flush()
		w.runNS = ns
	}
	w.run = append(w.run, item)
}

// flush writes the List of runNS.
func (w *acrossWriter) flush() {
	if w.runNS == "" {
		return
	}
	meta := w.meta
	if meta == nil {
		meta = &unstructured.UnstructuredList{}
	}
	w.c.writeList(w.ctx, w.step, w.path(w.runNS), meta, w.run)
	w.done[w.runNS] = true
	w.run, w.runNS = nil, ""
}

func (w *acrossWriter) path(ns string) string {
	return w.c.path(mustgather.NamespacedList(ns, w.r.gvr.Group, w.r.gvr.Resource))
}
