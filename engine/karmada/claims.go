package karmada

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// PolicyRef identifies a PropagationPolicy (Namespace set) or a
// ClusterPropagationPolicy.
type PolicyRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// String is "PropagationPolicy shop/nginx-pp" or "ClusterPropagationPolicy x".
func (p PolicyRef) String() string {
	if p.Namespace == "" {
		return p.Kind + " " + p.Name
	}
	return p.Kind + " " + p.Namespace + "/" + p.Name
}

// Cluster reports whether the policy is a ClusterPropagationPolicy.
func (p PolicyRef) Cluster() bool { return p.Kind == policyv1alpha1.KindClusterPropagationPolicy }

// claimOf reads the claim metadata Karmada's detector writes on a template
// (and its binding): which policy propagates it, or nil. Karmada before
// v1.11 wrote the name and namespace as labels; both forms are read.
func claimOf(o metav1.Object) *PolicyRef {
	l, a := o.GetLabels(), o.GetAnnotations()
	pick := func(key string) string {
		if v := a[key]; v != "" {
			return v
		}
		return l[key]
	}
	if name := pick(karmada.PropagationPolicyNameAnnotation); name != "" {
		return &PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: pick(karmada.PropagationPolicyNamespaceAnnotation), Name: name}
	}
	if name := pick(karmada.ClusterPropagationPolicyNameAnnotation); name != "" {
		return &PolicyRef{Kind: policyv1alpha1.KindClusterPropagationPolicy, Name: name}
	}
	return nil
}

// policy is a PropagationPolicy or ClusterPropagationPolicy read from Karmada.
type policy struct {
	ref    PolicyRef
	labels map[string]string
	spec   policyv1alpha1.PropagationSpec
}

// templateKey is what a resource selector looks at.
type templateKey struct {
	ref    ObjectRef
	labels map[string]string
}

// selects reports whether one of the policy's selectors matches t, with the
// detector's rules: a PropagationPolicy only sees its own namespace, a
// ClusterPropagationPolicy never sees Karmada's reserved namespaces, a name
// wins over a label selector.
func (p *policy) selects(t templateKey) bool {
	if p.ref.Cluster() {
		if isReservedNamespace(t.ref.Namespace) {
			return false
		}
	} else if t.ref.Namespace != p.ref.Namespace {
		return false
	}
	for _, s := range p.spec.ResourceSelectors {
		if selectorMatches(s, t) {
			return true
		}
	}
	return false
}

func selectorMatches(s policyv1alpha1.ResourceSelector, t templateKey) bool {
	if s.APIVersion != t.ref.APIVersion || s.Kind != t.ref.Kind {
		return false
	}
	if s.Namespace != "" && s.Namespace != t.ref.Namespace {
		return false
	}
	if s.Name != "" {
		return s.Name == t.ref.Name
	}
	if s.LabelSelector == nil {
		return true
	}
	sel, err := metav1.LabelSelectorAsSelector(s.LabelSelector)
	if err != nil {
		return false // the detector ignores a selector it cannot parse
	}
	return sel.Matches(labels.Set(t.labels))
}

func isReservedNamespace(ns string) bool {
	return ns == karmada.ReservedNamespaceSystem || ns == karmada.ReservedNamespaceCluster ||
		strings.HasPrefix(ns, karmada.ReservedNamespacePrefix)
}

// listPolicies reads the PropagationPolicies of a namespace ("" skips them)
// and, with cluster, every ClusterPropagationPolicy.
func listPolicies(ctx context.Context, k *Cluster, ns string, cluster bool) ([]*policy, error) {
	var out []*policy
	if ns != "" {
		pps, err := kube.List[policyv1alpha1.PropagationPolicy](ctx, k.Dynamic.Resource(PropagationPolicies).Namespace(ns), metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list PropagationPolicies in %s on %s: %w", ns, k.Name, err)
		}
		for i := range pps {
			p := &pps[i]
			out = append(out, &policy{ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: p.Namespace, Name: p.Name}, labels: p.Labels, spec: p.Spec})
		}
	}
	if cluster {
		cpps, err := kube.List[policyv1alpha1.ClusterPropagationPolicy](ctx, k.Dynamic.Resource(ClusterPropagationPolicies), metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list ClusterPropagationPolicies on %s: %w", k.Name, err)
		}
		for i := range cpps {
			p := &cpps[i]
			out = append(out, &policy{ref: PolicyRef{Kind: policyv1alpha1.KindClusterPropagationPolicy, Name: p.Name}, labels: p.Labels, spec: p.Spec})
		}
	}
	return out, nil
}

// getPolicy reads one policy; it returns nil, nil when it does not exist.
func getPolicy(ctx context.Context, k *Cluster, ref PolicyRef) (*policy, error) {
	var spec policyv1alpha1.PropagationSpec
	var lbls map[string]string
	if ref.Cluster() {
		p, err := kube.Get[policyv1alpha1.ClusterPropagationPolicy](ctx, k.Dynamic.Resource(ClusterPropagationPolicies), ref.Name)
		if err != nil {
			return nil, ignoreNotFound(err)
		}
		spec, lbls = p.Spec, p.Labels
	} else {
		p, err := kube.Get[policyv1alpha1.PropagationPolicy](ctx, k.Dynamic.Resource(PropagationPolicies).Namespace(ref.Namespace), ref.Name)
		if err != nil {
			return nil, ignoreNotFound(err)
		}
		spec, lbls = p.Spec, p.Labels
	}
	return &policy{ref: ref, labels: lbls, spec: spec}, nil
}
