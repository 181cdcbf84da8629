package karmada

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// memberState is what the takeover must not change on a member object.
type memberState struct {
	uid     types.UID
	managed bool
	// podSelector selects the workload's pods; nil for other kinds.
	podSelector labels.Selector
}

func stateOf(o *unstructured.Unstructured) memberState {
	return memberState{
		uid:         o.GetUID(),
		managed:     o.GetLabels()[karmada.ManagedLabel] == karmada.ManagedLabelValue,
		podSelector: podSelector(o),
	}
}

// podSelector returns the pod selector of a workload (an object with a pod
// template and a label selector: Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job, and CRDs shaped like them), or nil.
func podSelector(o *unstructured.Unstructured) labels.Selector {
	if _, ok, _ := unstructured.NestedMap(o.Object, "spec", "template"); !ok {
		return nil
	}
	raw, ok, _ := unstructured.NestedMap(o.Object, "spec", "selector")
	if !ok {
		return nil
	}
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls); err != nil {
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || sel.Empty() {
		return nil
	}
	return sel
}

// podState is a pod as the check remembers it.
type podState struct {
	uid      types.UID
	name     string
	restarts int32
	labels   map[string]string
}

// baseline is the member's pods before anything is written.
type baseline struct {
	pods map[string][]podState // by namespace
}

// takeBaseline lists the pods of every namespace holding a workload to take
// over (one LIST per namespace).
func takeBaseline(ctx context.Context, member *Cluster, templates []Template) (*baseline, error) {
	b := &baseline{pods: map[string][]podState{}}
	for _, t := range templates {
		if t.state.podSelector == nil {
			continue
		}
		if _, done := b.pods[t.Ref.Namespace]; done {
			continue
		}
		pods, err := listPods(ctx, member, t.Ref.Namespace)
		if err != nil {
			return nil, err
		}
		b.pods[t.Ref.Namespace] = pods
	}
	return b, nil
}

func listPods(ctx context.Context, member *Cluster, ns string) ([]podState, error) {
	pods, err := kube.List[corev1.Pod](ctx, member.Dynamic.Resource(Pods).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pods in %s on %s: %w", ns, member.Name, err)
	}
	out := make([]podState, 0, len(pods))
	for i := range pods {
		p := &pods[i]
		if p.DeletionTimestamp != nil {
			continue
		}
		var restarts int32
		for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			restarts += cs.RestartCount
		}
		out = append(out, podState{uid: p.UID, name: p.Name, restarts: restarts, labels: p.Labels})
	}
	return out, nil
}

// PodCheck says whether a workload's pods survived the takeover (or the
// rollback) untouched: same UIDs, same restart counts, no new pods.
type PodCheck struct {
	Unchanged bool   `json:"unchanged"`
	Pods      int    `json:"pods"`
	Detail    string `json:"detail,omitempty"`
}

// comparePods checks the pods sel selects now against before.
func comparePods(sel labels.Selector, before, now []podState) *PodCheck {
	current := map[types.UID]podState{}
	for _, p := range now {
		if sel.Matches(labels.Set(p.labels)) {
			current[p.uid] = p
		}
	}
	var changes []string
	n := 0
	for _, p := range before {
		if !sel.Matches(labels.Set(p.labels)) {
			continue
		}
		n++
		cur, ok := current[p.uid]
		switch {
		case !ok:
			changes = append(changes, "pod "+p.name+" is gone (replaced or deleted)")
		case cur.restarts != p.restarts:
			changes = append(changes, fmt.Sprintf("pod %s restarted (restarts %d -> %d)", p.name, p.restarts, cur.restarts))
		}
		delete(current, p.uid)
	}
	var added []string
	for _, p := range current {
		added = append(added, p.name)
	}
	sort.Strings(added)
	for _, name := range added {
		changes = append(changes, "new pod "+name)
	}
	if len(changes) == 0 {
		return &PodCheck{Unchanged: true, Pods: n, Detail: fmt.Sprintf("%d pod(s), same UIDs and restart counts", n)}
	}
	return &PodCheck{Pods: n, Detail: strings.Join(changes, "; ")}
}
