package karmada

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/karmada/prune"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ResourceStatus is the takeover state of one object: the table row of
// migrate --wait.
type ResourceStatus struct {
	Ref ObjectRef `json:"ref"`
	// Template is "created" or "existed".
	Template string `json:"template"`
	// Binding is the (Cluster)ResourceBinding's name, "" until it exists.
	Binding      string `json:"binding,omitempty"`
	Scheduled    bool   `json:"scheduled"`
	FullyApplied bool   `json:"fullyApplied"`
	// Applied is the member cluster's entry in the binding's
	// aggregatedStatus.
	Applied bool `json:"applied"`
	// Adopted: the member object carries karmada.io/managed=true.
	Adopted bool `json:"adopted"`
	// Pods is nil for objects that are not workloads.
	Pods    *PodCheck `json:"pods,omitempty"`
	Message string    `json:"message,omitempty"`
}

// Done reports whether Karmada has taken the object over.
func (r *ResourceStatus) Done() bool { return r.Scheduled && r.FullyApplied && r.Applied && r.Adopted }

// FollowReport is one observation of every object of a migration.
type FollowReport struct {
	Cluster   string           `json:"cluster"`
	Resources []ResourceStatus `json:"resources"`
}

// Complete reports whether every object is taken over.
func (r *FollowReport) Complete() bool {
	for i := range r.Resources {
		if !r.Resources[i].Done() {
			return false
		}
	}
	return true
}

// PodsUnchanged reports whether no workload's pods were replaced or
// restarted.
func (r *FollowReport) PodsUnchanged() bool {
	for i := range r.Resources {
		if p := r.Resources[i].Pods; p != nil && !p.Unchanged {
			return false
		}
	}
	return true
}

// FollowOptions tunes Follow.
type FollowOptions struct {
	// Interval between observations (default 2s).
	Interval time.Duration
	// Progress, when set, sees every observation.
	Progress func(*FollowReport)
}

// Follow observes the migration until every object is taken over or ctx
// ends (give it a deadline). It returns the last observation; err wraps
// ctx's error when the migration did not complete in time.
func Follow(ctx context.Context, k, member *Cluster, plan *MigrationPlan, opts FollowOptions) (*FollowReport, error) {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	var last *FollowReport
	for {
		rep, err := Observe(ctx, k, member, plan)
		if err != nil && last == nil {
			return nil, err
		}
		if err == nil {
			last = rep
			if opts.Progress != nil {
				opts.Progress(rep)
			}
			if rep.Complete() {
				return rep, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%d of %d object(s) not taken over yet: %w", notDone(last), len(last.Resources), ctx.Err())
		case <-tick.C:
		}
	}
}

func notDone(r *FollowReport) int {
	n := 0
	for i := range r.Resources {
		if !r.Resources[i].Done() {
			n++
		}
	}
	return n
}

// Observe reads bindings, member objects and pods once (one LIST each per
// kind and namespace) and returns the state of every object of the plan.
func Observe(ctx context.Context, k, member *Cluster, plan *MigrationPlan) (*FollowReport, error) {
	bindings, err := listBindings(ctx, k, templateRefs(plan.Templates))
	if err != nil {
		return nil, err
	}
	objects, err := listMemberObjects(ctx, member, templateRefs(plan.Templates))
	if err != nil {
		return nil, err
	}
	if plan.baseline == nil {
		plan.baseline = &baseline{pods: map[string][]podState{}}
	}
	pods := map[string][]podState{}
	for ns := range plan.baseline.pods {
		if pods[ns], err = listPods(ctx, member, ns); err != nil {
			return nil, err
		}
	}
	rep := &FollowReport{Cluster: plan.Cluster}
	for _, t := range plan.Templates {
		rep.Resources = append(rep.Resources, observeOne(&t, plan, bindings, objects, pods))
	}
	return rep, nil
}

func observeOne(t *Template, plan *MigrationPlan, bindings map[string]*workv1alpha2.ResourceBinding, objects map[ObjectRef]*unstructured.Unstructured, pods map[string][]podState) ResourceStatus {
	rs := ResourceStatus{Ref: t.Ref, Template: "created"}
	if t.Exists {
		rs.Template = "existed"
	}
	var msgs []string
	if rb := bindings[bindingKey(t.Ref)]; rb != nil {
		rs.Binding = rb.Name
		rs.Scheduled = rb.Status.IsScheduled()
		rs.FullyApplied = rb.Status.IsFullyApplied()
		if item := rb.Status.ClusterStatus(plan.Cluster); item != nil {
			rs.Applied = item.Applied
			if !item.Applied && item.AppliedMessage != "" {
				msgs = append(msgs, item.AppliedMessage)
			}
		}
		if !rs.Scheduled {
			msgs = append(msgs, conditionMessage(rb.Status.Conditions, workv1alpha2.ConditionScheduled))
		}
	} else {
		msgs = append(msgs, "no binding yet: is the policy claiming the template (karmada-controller-manager running)?")
	}
	obj := objects[t.Ref]
	if obj == nil {
		msgs = append(msgs, "the member object is gone")
	} else {
		rs.Adopted = obj.GetLabels()[karmada.ManagedLabel] == karmada.ManagedLabelValue
		if obj.GetUID() != t.state.uid {
			msgs = append(msgs, "the member object was re-created (new UID)")
		} else if changed(obj, t.Object) {
			// Not metadata.generation: a Deployment's grows with every
			// annotation Karmada adds, without any rollout.
			msgs = append(msgs, "the takeover changed the member object's spec (the template differs from it): a rollout may follow")
		}
	}
	if t.state.podSelector != nil {
		rs.Pods = comparePods(t.state.podSelector, plan.baseline.pods[t.Ref.Namespace], pods[t.Ref.Namespace])
	}
	rs.Message = joinNonEmpty(msgs)
	return rs
}

// changed reports whether the member object's content (all but metadata
// and status) is no longer what it was when the template was made.
func changed(obj, original *unstructured.Unstructured) bool {
	now, err := prune.Template(obj, false)
	return err != nil || !sameContent(now, original)
}

func conditionMessage(conds []metav1.Condition, typ string) string {
	for _, c := range conds {
		if c.Type == typ {
			return fmt.Sprintf("%s=%s (%s): %s", c.Type, c.Status, c.Reason, c.Message)
		}
	}
	return "not scheduled yet"
}

func joinNonEmpty(msgs []string) string {
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, "; ")
}

// bindingKey is namespace/name of a template's binding ("" namespace for a
// ClusterResourceBinding).
func bindingKey(r ObjectRef) string {
	return r.Namespace + "/" + workv1alpha2.BindingName(r.Kind, r.Name)
}

// listBindings reads the ResourceBindings of the templates' namespaces and,
// when needed, the ClusterResourceBindings, keyed by bindingKey. A binding
// whose spec.resource is not the template (a name clash) is left out.
func listBindings(ctx context.Context, k *Cluster, refs []ObjectRef) (map[string]*workv1alpha2.ResourceBinding, error) {
	namespaces := map[string]bool{}
	clusterScoped := false
	want := map[string]ObjectRef{}
	for _, r := range refs {
		want[bindingKey(r)] = r
		if r.Namespace == "" {
			clusterScoped = true
		} else {
			namespaces[r.Namespace] = true
		}
	}
	out := map[string]*workv1alpha2.ResourceBinding{}
	keep := func(rbs []workv1alpha2.ResourceBinding) {
		for i := range rbs {
			rb := &rbs[i]
			key := rb.Namespace + "/" + rb.Name
			ref, ok := want[key]
			res := rb.Spec.Resource
			if ok && res.Kind == ref.Kind && res.Name == ref.Name && res.Namespace == ref.Namespace {
				out[key] = rb
			}
		}
	}
	for ns := range namespaces {
		rbs, err := kube.List[workv1alpha2.ResourceBinding](ctx, k.Dynamic.Resource(ResourceBindings).Namespace(ns), metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list ResourceBindings in %s on %s: %w", ns, k.Name, err)
		}
		keep(rbs)
	}
	if clusterScoped {
		crbs, err := kube.List[workv1alpha2.ResourceBinding](ctx, k.Dynamic.Resource(ClusterResourceBindings), metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list ClusterResourceBindings on %s: %w", k.Name, err)
		}
		keep(crbs)
	}
	return out, nil
}

// listMemberObjects reads the member objects behind refs, one LIST per
// kind and namespace, keyed by reference; objects not in refs are dropped.
func listMemberObjects(ctx context.Context, member *Cluster, refs []ObjectRef) (map[ObjectRef]*unstructured.Unstructured, error) {
	type key struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	var order []key
	seen := map[key]bool{}
	wanted := map[ObjectRef]bool{}
	for _, r := range refs {
		wanted[r] = true
		kk := key{r.GroupVersionKind(), r.Namespace}
		if !seen[kk] {
			seen[kk] = true
			order = append(order, kk)
		}
	}
	out := map[ObjectRef]*unstructured.Unstructured{}
	for _, kk := range order {
		m, err := member.mapping(kk.gvk)
		if err != nil {
			return nil, err
		}
		objs, err := listAll(ctx, member, m, kk.ns)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if ref := RefOf(o); wanted[ref] {
				out[ref] = o
			}
		}
	}
	return out, nil
}

func templateRefs(ts []Template) []ObjectRef {
	out := make([]ObjectRef, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Ref)
	}
	return out
}
