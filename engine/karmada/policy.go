package karmada

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// DefaultSchedulerName is the scheduler the documentation's policies name.
const DefaultSchedulerName = "default-scheduler"

// Policy is a policy the migration writes.
type Policy struct {
	Ref  PolicyRef                      `json:"ref"`
	Spec policyv1alpha1.PropagationSpec `json:"spec"`
	// Exists is set when an identical policy is already there (a rerun):
	// it is left as it is.
	Exists bool `json:"exists,omitempty"`
}

// Object returns the policy as the Karmada API server takes it.
func (p *Policy) Object() (*unstructured.Unstructured, error) {
	meta := metav1.ObjectMeta{
		Name:      p.Ref.Name,
		Namespace: p.Ref.Namespace,
		Labels:    map[string]string{MigrationLabel: p.Ref.Name},
	}
	var typed any
	if p.Ref.Cluster() {
		typed = &policyv1alpha1.ClusterPropagationPolicy{ObjectMeta: meta, Spec: p.Spec}
	} else {
		typed = &policyv1alpha1.PropagationPolicy{ObjectMeta: meta, Spec: p.Spec}
	}
	u, err := kube.ToUnstructured(typed)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.Ref, err)
	}
	u.SetAPIVersion(policyv1alpha1.SchemeGroupVersion.String())
	u.SetKind(p.Ref.Kind)
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u, nil
}

// PolicySpec is the spec the batch-migration documentation prescribes:
// conflictResolution Overwrite (required to take over existing objects), the
// member cluster by name, and preserveResourcesOnDeletion so that deleting
// a template later leaves the member object in place.
func PolicySpec(cluster string, preserve bool, selectors []policyv1alpha1.ResourceSelector) policyv1alpha1.PropagationSpec {
	priority := int32(0)
	return policyv1alpha1.PropagationSpec{
		ResourceSelectors:           selectors,
		ConflictResolution:          policyv1alpha1.ConflictOverwrite,
		PreserveResourcesOnDeletion: &preserve,
		Placement: policyv1alpha1.Placement{
			ClusterAffinity: &policyv1alpha1.ClusterAffinity{ClusterNames: []string{cluster}},
		},
		Priority:      &priority,
		SchedulerName: DefaultSchedulerName,
	}
}

// buildPolicies returns the PropagationPolicy for the namespaced templates
// and the ClusterPropagationPolicy for the cluster-scoped ones (each only
// when there is something for it to select), both named name.
//
// A kind the user selected whole (--kind) is selected by kind, as in the
// documentation's examples, so templates added later are taken too. Named
// objects (--resource), everything of --all-kinds and cluster-scoped kinds
// are selected by name: a namespace's or the control plane's own objects of
// the same kind (its default ServiceAccount, its built-in ClusterRoles)
// must not be swept in.
func buildPolicies(name, namespace, cluster string, preserve bool, kinds []planKind) []Policy {
	var nsSel, clusterSel []policyv1alpha1.ResourceSelector
	for _, k := range kinds {
		apiVersion := k.karmada.GVK.GroupVersion().String()
		kind := k.karmada.GVK.Kind
		switch {
		case k.byKind && k.karmada.Namespaced:
			nsSel = append(nsSel, policyv1alpha1.ResourceSelector{APIVersion: apiVersion, Kind: kind})
		case k.karmada.Namespaced:
			for _, t := range k.templates {
				nsSel = append(nsSel, policyv1alpha1.ResourceSelector{APIVersion: apiVersion, Kind: kind, Name: t.Ref.Name})
			}
		default:
			for _, t := range k.templates {
				clusterSel = append(clusterSel, policyv1alpha1.ResourceSelector{APIVersion: apiVersion, Kind: kind, Name: t.Ref.Name})
			}
		}
	}
	var out []Policy
	if len(nsSel) > 0 {
		out = append(out, Policy{
			Ref:  PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: namespace, Name: name},
			Spec: PolicySpec(cluster, preserve, nsSel),
		})
	}
	if len(clusterSel) > 0 {
		out = append(out, Policy{
			Ref:  PolicyRef{Kind: policyv1alpha1.KindClusterPropagationPolicy, Name: name},
			Spec: PolicySpec(cluster, preserve, clusterSel),
		})
	}
	return out
}

// policyDifference says how an existing policy differs from the one the
// migration would write, or "" when the existing one already does
// everything asked (a rerun).
func policyDifference(existing *policy, want *Policy) string {
	var diffs []string
	if existing.spec.EffectiveConflictResolution() != policyv1alpha1.ConflictOverwrite {
		diffs = append(diffs, fmt.Sprintf("conflictResolution is %s, not Overwrite", existing.spec.EffectiveConflictResolution()))
	}
	if got, w := existing.spec.PreservesResourcesOnDeletion(), want.Spec.PreservesResourcesOnDeletion(); got != w {
		diffs = append(diffs, fmt.Sprintf("preserveResourcesOnDeletion is %v, not %v", got, w))
	}
	if got, w := sortedCopy(existing.spec.TargetClusterNames()), sortedCopy(want.Spec.TargetClusterNames()); strings.Join(got, ",") != strings.Join(w, ",") {
		diffs = append(diffs, fmt.Sprintf("clusterNames are [%s], not [%s]", strings.Join(got, " "), strings.Join(w, " ")))
	}
	var missing []string
	for _, s := range want.Spec.ResourceSelectors {
		if !hasSelector(existing, s) {
			missing = append(missing, selectorString(s))
		}
	}
	if len(missing) > 0 {
		diffs = append(diffs, "it does not select "+strings.Join(missing, ", "))
	}
	return strings.Join(diffs, "; ")
}

func hasSelector(p *policy, want policyv1alpha1.ResourceSelector) bool {
	for _, s := range p.spec.ResourceSelectors {
		ns := s.Namespace
		if ns == p.ref.Namespace {
			ns = "" // the webhook writes the policy's namespace in
		}
		if s.APIVersion == want.APIVersion && s.Kind == want.Kind && s.Name == want.Name && ns == want.Namespace && s.LabelSelector == nil {
			return true
		}
	}
	return false
}

func selectorString(s policyv1alpha1.ResourceSelector) string {
	out := s.APIVersion + "/" + s.Kind
	if s.Name != "" {
		out += "/" + s.Name
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
