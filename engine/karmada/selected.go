package karmada

import (
	"context"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// PolicyTemplate is a template a policy selects on Karmada.
type PolicyTemplate struct {
	Ref    ObjectRef `json:"ref"`
	Policy PolicyRef `json:"policy"`
	UID    types.UID `json:"uid"`
	// Claimed: the template carries the policy's claim metadata (it may
	// be unclaimed yet if the detector has not seen it).
	Claimed bool `json:"claimed"`

	mapping Mapping
}

// findPolicies resolves a policy name the way rollback and status take it:
// the PropagationPolicy of that name in ns, and the ClusterPropagationPolicy
// of that name when migrate wrote it for the same migration (its label) or
// when there is no such PropagationPolicy (the user means the cluster one).
func findPolicies(ctx context.Context, k *Cluster, name, ns string) ([]*policy, error) {
	var out []*policy
	pp, err := getPolicy(ctx, k, PolicyRef{Kind: "PropagationPolicy", Namespace: ns, Name: name})
	if err != nil {
		return nil, fmt.Errorf("read PropagationPolicy %s/%s on %s: %w", ns, name, k.Name, err)
	}
	if pp != nil {
		out = append(out, pp)
	}
	cpp, err := getPolicy(ctx, k, PolicyRef{Kind: "ClusterPropagationPolicy", Name: name})
	if err != nil {
		return nil, fmt.Errorf("read ClusterPropagationPolicy %s on %s: %w", name, k.Name, err)
	}
	if cpp != nil && (pp == nil || cpp.labels[MigrationLabel] == name) {
		out = append(out, cpp)
	}
	return out, nil
}

// policyTemplates lists the templates each policy selects (one LIST per
// selected kind and namespace). Templates claimed by another policy belong
// to it and are returned as skipped; so are selectors of kinds Karmada does
// not serve.
func policyTemplates(ctx context.Context, k *Cluster, policies []*policy) ([]PolicyTemplate, []Skipped, error) {
	type listKey struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	cache := map[listKey][]*unstructured.Unstructured{}
	var out []PolicyTemplate
	var skipped []Skipped
	seen := map[ObjectRef]bool{}
	for _, p := range policies {
		for _, s := range p.spec.ResourceSelectors {
			gvk := schema.FromAPIVersionAndKind(s.APIVersion, s.Kind)
			m, err := k.mapping(gvk)
			if meta.IsNoMatchError(err) {
				skipped = append(skipped, Skipped{Ref: ObjectRef{APIVersion: s.APIVersion, Kind: s.Kind, Name: s.Name},
					Reason: fmt.Sprintf("%s selects a kind Karmada does not serve", p.ref)})
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			ns := ""
			if m.Namespaced {
				ns = s.Namespace
				if !p.ref.Cluster() {
					ns = p.ref.Namespace
				}
			}
			key := listKey{gvk, ns}
			objs, ok := cache[key]
			if !ok {
				if objs, err = listAll(ctx, k, m, ns); err != nil {
					return nil, nil, err
				}
				cache[key] = objs
			}
			for _, o := range objs {
				ref := RefOf(o)
				if seen[ref] || !selectorMatches(s, templateKey{ref: ref, labels: o.GetLabels()}) || !p.selects(templateKey{ref: ref, labels: o.GetLabels()}) {
					continue
				}
				claim := claimOf(o)
				if claim != nil && *claim != p.ref {
					seen[ref] = true
					skipped = append(skipped, Skipped{Ref: ref, Reason: "claimed by " + claim.String() + ", not by " + p.ref.String()})
					continue
				}
				seen[ref] = true
				out = append(out, PolicyTemplate{Ref: ref, Policy: p.ref, UID: o.GetUID(), Claimed: claim != nil, mapping: m})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.String() < out[j].Ref.String() })
	return out, skipped, nil
}

func listAll(ctx context.Context, k *Cluster, m Mapping, ns string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	err := kube.EachPage(ctx, k.resource(m, ns), metav1.ListOptions{}, func(items []unstructured.Unstructured) error {
		for i := range items {
			o := &items[i]
			o.SetGroupVersionKind(m.GVK)
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s on %s: %w", m.Resource.GroupResource(), k.Name, err)
	}
	return out, nil
}
