package karmada

import (
	"context"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/karmada/prune"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// waitPreserved waits until every binding of the templates, and every Work
// of those bindings, carries preserveResourcesOnDeletion=true: only then
// does deleting a template leave the member object in place. It returns the
// member clusters involved.
func (r *rollback) waitPreserved(ctx context.Context) ([]string, error) {
	if len(r.plan.Templates) == 0 {
		return r.clustersOf(nil), nil
	}
	var pending, clusters []string
	var lastErr error
	var bindings, works int
	err := wait.PollUntilContextTimeout(ctx, r.cfg.Interval, r.cfg.Timeout, true, func(ctx context.Context) (bool, error) {
		st, err := r.preservedState(ctx)
		if err != nil {
			lastErr = err     // transient API errors: keep trying until the timeout
			return false, nil //nolint:nilerr // retried until the timeout, then lastErr is reported
		}
		pending, clusters, bindings, works = st.pending, st.clusters, st.bindings, st.works
		return len(pending) == 0, nil
	})
	if err != nil {
		detail := abbreviate(pending, 5)
		if len(pending) == 0 && lastErr != nil {
			detail = lastErr.Error()
		}
		return nil, fmt.Errorf("%s keep(s) preserveResourcesOnDeletion=true, but after %v not every binding and Work shows it yet (%s): is karmada-controller-manager running? No template was deleted; run the command again: %w",
			policiesString(r.plan.Policies), r.cfg.Timeout, detail, err)
	}
	r.event(StepWaitPreserved, "", fmt.Sprintf("%d binding(s) and %d Work(s) show preserveResourcesOnDeletion=true", bindings, works))
	return r.clustersOf(clusters), nil
}

type preservedState struct {
	pending, clusters []string
	bindings, works   int
}

func (r *rollback) preservedState(ctx context.Context) (*preservedState, error) {
	rbs, err := listBindings(ctx, r.k, r.templateRefs())
	if err != nil {
		return nil, err
	}
	st := &preservedState{}
	worksByCluster := map[string][]workv1alpha1.Work{}
	keys := make([]string, 0, len(rbs))
	for key := range rbs {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rb := rbs[key]
		st.bindings++
		if !rb.Spec.PreservesResourcesOnDeletion() {
			st.pending = append(st.pending, bindingString(rb))
		}
		for _, c := range rb.Spec.TargetClusterNames() {
			st.clusters = append(st.clusters, c)
			if _, ok := worksByCluster[c]; !ok {
				ws, err := kube.List[workv1alpha1.Work](ctx, r.k.Dynamic.Resource(Works).Namespace(workv1alpha1.ExecutionNamespace(c)), metav1.ListOptions{})
				if err != nil {
					return nil, fmt.Errorf("list Works of cluster %s on %s: %w", c, r.k.Name, err)
				}
				worksByCluster[c] = ws
			}
			for i := range worksByCluster[c] {
				w := &worksByCluster[c][i]
				if !workOf(w, rb) {
					continue
				}
				st.works++
				if !w.Spec.PreservesResourcesOnDeletion() {
					st.pending = append(st.pending, "Work "+w.Namespace+"/"+w.Name)
				}
			}
		}
	}
	return st, nil
}

// workOf reports whether Work w belongs to binding rb: by the binding's
// permanent id when it has one, else by the name annotations.
func workOf(w *workv1alpha1.Work, rb *workv1alpha2.ResourceBinding) bool {
	idLabel, nameAnn := karmada.ResourceBindingPermanentIDLabel, karmada.ResourceBindingNameAnnotation
	if rb.Namespace == "" {
		idLabel, nameAnn = karmada.ClusterResourceBindingPermanentIDLabel, karmada.ClusterResourceBindingNameAnnotation
	}
	if id := rb.Labels[idLabel]; id != "" {
		return w.Labels[idLabel] == id
	}
	a := w.Annotations
	return a[nameAnn] == rb.Name && (rb.Namespace == "" || a[karmada.ResourceBindingNamespaceAnnotation] == rb.Namespace)
}

func bindingString(rb *workv1alpha2.ResourceBinding) string {
	if rb.Namespace == "" {
		return "ClusterResourceBinding " + rb.Name
	}
	return "ResourceBinding " + rb.Namespace + "/" + rb.Name
}

func policiesString(ps []RollbackPolicy) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Ref.String())
	}
	return strings.Join(out, " and ")
}

// memberSnapshot is the member objects of the templates on one cluster.
type memberSnapshot struct {
	name    string
	cluster *Cluster
	objects map[ObjectRef]*unstructured.Unstructured
	pods    map[string][]podState
}

// observeMembers reads the member objects (and the pods of workloads)
// before any template is deleted. Clusters it cannot reach are reported as
// unverified: reaching Karmada is enough for a safe rollback.
func (r *rollback) observeMembers(ctx context.Context, clusters []string) ([]*memberSnapshot, error) {
	var out []*memberSnapshot
	for _, name := range clusters {
		if r.members == nil {
			r.unverified(name, ErrNoMemberAccess)
			continue
		}
		c, err := r.members(ctx, name)
		if err != nil {
			r.unverified(name, err)
			continue
		}
		snap, err := r.snapshot(ctx, name, c)
		if err != nil {
			r.unverified(name, err)
			continue
		}
		out = append(out, snap)
	}
	return out, nil
}

func (r *rollback) unverified(name string, err error) {
	r.res.Unverified = append(r.res.Unverified, name)
	r.event(StepVerify, "cluster "+name, "cannot verify the member objects: "+err.Error())
}

func (r *rollback) snapshot(ctx context.Context, name string, c *Cluster) (*memberSnapshot, error) {
	objs, err := listMemberObjects(ctx, c, r.templateRefs())
	if err != nil {
		return nil, err
	}
	snap := &memberSnapshot{name: name, cluster: c, objects: objs, pods: map[string][]podState{}}
	for _, o := range objs {
		ns := o.GetNamespace()
		if podSelector(o) == nil {
			continue
		}
		if _, done := snap.pods[ns]; done {
			continue
		}
		if snap.pods[ns], err = listPods(ctx, c, ns); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// verify checks, on every reachable member, that the objects that existed
// before the templates were deleted still exist and their pods were not
// restarted. With Wait it first waits until Karmada has released them
// (bindings gone, karmada.io/managed removed) and reports the leftovers.
func (r *rollback) verify(ctx context.Context, before []*memberSnapshot) error {
	if len(before) == 0 {
		return nil
	}
	var after []*memberSnapshot
	var err error
	if r.cfg.Wait {
		after, err = r.waitReleased(ctx, before)
	} else {
		after, err = r.resnapshot(ctx, before)
	}
	if err != nil {
		return err
	}
	var missing []string
	for i, b := range before {
		a := after[i]
		refs := make([]ObjectRef, 0, len(b.objects))
		for ref := range b.objects {
			refs = append(refs, ref)
		}
		sort.Slice(refs, func(x, y int) bool { return refs[x].String() < refs[y].String() })
		for _, ref := range refs {
			mc := memberCheck(b, a, ref, r.cfg.Wait)
			if !mc.Exists {
				missing = append(missing, ref.String()+" on "+b.name)
			}
			r.res.Members = append(r.res.Members, mc)
		}
		r.event(StepVerify, "cluster "+b.name, fmt.Sprintf("%d member object(s) checked", len(refs)))
	}
	if len(missing) > 0 {
		return fmt.Errorf("member object(s) no longer exist after their templates were deleted: %s; the policies were kept for investigation", strings.Join(missing, ", "))
	}
	return nil
}

func memberCheck(before, after *memberSnapshot, ref ObjectRef, leftovers bool) MemberCheck {
	mc := MemberCheck{Cluster: before.name, Ref: ref}
	prev := before.objects[ref]
	cur := after.objects[ref]
	if cur == nil || cur.GetUID() != prev.GetUID() {
		return mc
	}
	mc.Exists = true
	if sel := podSelector(prev); sel != nil {
		mc.Pods = comparePods(sel, before.pods[ref.Namespace], after.pods[ref.Namespace])
	}
	if leftovers {
		mc.Leftovers = karmadaKeys(cur)
	}
	return mc
}

// karmadaKeys lists the Karmada labels and annotations on a member object.
func karmadaKeys(o *unstructured.Unstructured) []string {
	var out []string
	for k, v := range o.GetLabels() {
		if prune.IsKarmadaKey(k) {
			out = append(out, "label "+k+"="+v)
		}
	}
	for k, v := range o.GetAnnotations() {
		if prune.IsKarmadaKey(k) {
			out = append(out, "annotation "+k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

func (r *rollback) resnapshot(ctx context.Context, before []*memberSnapshot) ([]*memberSnapshot, error) {
	out := make([]*memberSnapshot, 0, len(before))
	for _, b := range before {
		a, err := r.snapshot(ctx, b.name, b.cluster)
		if err != nil {
			return nil, fmt.Errorf("verify the member objects on %s (the templates are deleted; run the command again to finish): %w", b.name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// waitReleased waits until the bindings are gone and no member object that
// existed carries karmada.io/managed any more; it fails at once if one of
// them disappears.
func (r *rollback) waitReleased(ctx context.Context, before []*memberSnapshot) ([]*memberSnapshot, error) {
	var after []*memberSnapshot
	var pending []string
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, r.cfg.Interval, r.cfg.Timeout, true, func(ctx context.Context) (bool, error) {
		rbs, err := listBindings(ctx, r.k, r.templateRefs())
		if err != nil {
			lastErr = err
			return false, nil //nolint:nilerr // retried until the timeout, then lastErr is reported
		}
		snaps, err := r.resnapshot(ctx, before)
		if err != nil {
			lastErr = err
			return false, nil //nolint:nilerr // retried until the timeout, then lastErr is reported
		}
		after, pending = snaps, nil
		for _, rb := range rbs {
			pending = append(pending, bindingString(rb)+" still exists")
		}
		for i, b := range before {
			for ref, prev := range b.objects {
				cur := snaps[i].objects[ref]
				switch {
				case cur == nil || cur.GetUID() != prev.GetUID():
					return true, nil // verify reports it
				case cur.GetLabels()[karmada.ManagedLabel] == karmada.ManagedLabelValue:
					pending = append(pending, ref.String()+" on "+b.name+" is still labelled "+karmada.ManagedLabel)
				}
			}
		}
		sort.Strings(pending)
		return len(pending) == 0, nil
	})
	if err != nil {
		detail := abbreviate(pending, 5)
		if len(pending) == 0 && lastErr != nil {
			detail = lastErr.Error()
		}
		return nil, fmt.Errorf("the templates are deleted, but after %v Karmada has not released every member object (%s): is karmada-controller-manager running? The policies were kept; run the command again to finish: %w",
			r.cfg.Timeout, detail, err)
	}
	return after, nil
}
