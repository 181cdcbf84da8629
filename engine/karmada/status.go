package karmada

import (
	"context"
	"errors"
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// StatusConfig is what `karmada status` asks for.
type StatusConfig struct {
	// Policy names one migration; "" means every policy migrate wrote in
	// Namespace, and every ClusterPropagationPolicy it wrote.
	Policy    string
	Namespace string
}

// PolicyStatus summarises one policy.
type PolicyStatus struct {
	Ref                PolicyRef `json:"ref"`
	ConflictResolution string    `json:"conflictResolution"`
	Preserve           bool      `json:"preserveResourcesOnDeletion"`
	Clusters           []string  `json:"clusters,omitempty"`
}

// StatusRow is one template on one member cluster.
type StatusRow struct {
	Policy   PolicyRef `json:"policy"`
	Template ObjectRef `json:"template"`
	Binding  string    `json:"binding,omitempty"`
	// Scheduled, FullyApplied and Applied are True, False or "" (unknown).
	Scheduled    string `json:"scheduled,omitempty"`
	FullyApplied string `json:"fullyApplied,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Applied      string `json:"applied,omitempty"`
	// Adopted is Y (karmada.io/managed=true on the member object), N, or
	// "" when the member cluster could not be read.
	Adopted string `json:"adopted,omitempty"`
	// Preserve is the binding's preserveResourcesOnDeletion.
	Preserve bool   `json:"preserveResourcesOnDeletion"`
	Message  string `json:"message,omitempty"`
}

// StatusReport is the state of one or more migrations.
type StatusReport struct {
	Policies []PolicyStatus `json:"policies"`
	Rows     []StatusRow    `json:"rows"`
	// Kept are selected templates that belong to other policies.
	Kept        []Skipped `json:"kept,omitempty"`
	Unreachable []string  `json:"unreachable,omitempty"`
}

// ErrNoPolicy is returned by Status when the named policy does not exist.
var ErrNoPolicy = errors.New("no such policy")

// Status reads the policies, their templates and bindings, and (when
// members is set) the member objects.
func Status(ctx context.Context, k *Cluster, members MemberAccess, cfg StatusConfig) (*StatusReport, error) {
	policies, err := statusPolicies(ctx, k, cfg)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{}
	for _, p := range policies {
		rep.Policies = append(rep.Policies, PolicyStatus{
			Ref: p.ref, ConflictResolution: string(p.spec.EffectiveConflictResolution()),
			Preserve: p.spec.PreservesResourcesOnDeletion(), Clusters: p.spec.TargetClusterNames(),
		})
	}
	templates, kept, err := policyTemplates(ctx, k, policies)
	if err != nil {
		return nil, err
	}
	rep.Kept = kept
	refs := make([]ObjectRef, 0, len(templates))
	for _, t := range templates {
		refs = append(refs, t.Ref)
	}
	bindings, err := listBindings(ctx, k, refs)
	if err != nil {
		return nil, err
	}
	byPolicy := map[PolicyRef]*policy{}
	for _, p := range policies {
		byPolicy[p.ref] = p
	}
	adoption := newAdoption(members, refs)
	for _, t := range templates {
		rb := bindings[bindingKey(t.Ref)]
		clusters := byPolicy[t.Policy].spec.TargetClusterNames()
		if rb != nil && len(rb.Spec.Clusters) > 0 {
			clusters = rb.Spec.TargetClusterNames()
		}
		for _, c := range clusters {
			rep.Rows = append(rep.Rows, statusRow(ctx, t, rb, c, adoption))
		}
		if len(clusters) == 0 {
			rep.Rows = append(rep.Rows, statusRow(ctx, t, rb, "", adoption))
		}
	}
	rep.Unreachable = adoption.unreachable()
	return rep, nil
}

func statusPolicies(ctx context.Context, k *Cluster, cfg StatusConfig) ([]*policy, error) {
	if cfg.Policy != "" {
		ps, err := findPolicies(ctx, k, cfg.Policy, cfg.Namespace)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, fmt.Errorf("%w: neither PropagationPolicy %s/%s nor ClusterPropagationPolicy %s exists on %s", ErrNoPolicy, cfg.Namespace, cfg.Policy, cfg.Policy, k.Name)
		}
		return ps, nil
	}
	opts := metav1.ListOptions{LabelSelector: MigrationLabel}
	var out []*policy
	pps, err := kube.List[policyv1alpha1.PropagationPolicy](ctx, k.Dynamic.Resource(PropagationPolicies).Namespace(cfg.Namespace), opts)
	if err != nil {
		return nil, fmt.Errorf("list PropagationPolicies in %s on %s: %w", cfg.Namespace, k.Name, err)
	}
	for i := range pps {
		out = append(out, &policy{ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: pps[i].Namespace, Name: pps[i].Name}, labels: pps[i].Labels, spec: pps[i].Spec})
	}
	cpps, err := kube.List[policyv1alpha1.ClusterPropagationPolicy](ctx, k.Dynamic.Resource(ClusterPropagationPolicies), opts)
	if err != nil {
		return nil, fmt.Errorf("list ClusterPropagationPolicies on %s: %w", k.Name, err)
	}
	for i := range cpps {
		out = append(out, &policy{ref: PolicyRef{Kind: policyv1alpha1.KindClusterPropagationPolicy, Name: cpps[i].Name}, labels: cpps[i].Labels, spec: cpps[i].Spec})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref.String() < out[j].ref.String() })
	return out, nil
}

func statusRow(ctx context.Context, t PolicyTemplate, rb *workv1alpha2.ResourceBinding, cluster string, a *adoption) StatusRow {
	row := StatusRow{Policy: t.Policy, Template: t.Ref, Cluster: cluster}
	if rb == nil {
		row.Message = "no binding: the template is not claimed yet"
		if t.Claimed {
			row.Message = "no binding yet"
		}
	} else {
		row.Binding = rb.Name
		row.Scheduled = conditionStatus(rb.Status.Conditions, workv1alpha2.ConditionScheduled)
		row.FullyApplied = conditionStatus(rb.Status.Conditions, workv1alpha2.ConditionFullyApplied)
		row.Preserve = rb.Spec.PreservesResourcesOnDeletion()
		if item := rb.Status.ClusterStatus(cluster); item != nil {
			row.Applied = "False"
			if item.Applied {
				row.Applied = "True"
			}
			row.Message = item.AppliedMessage
		}
	}
	if cluster != "" {
		row.Adopted = a.adopted(ctx, cluster, t.Ref)
	}
	return row
}

func conditionStatus(conds []metav1.Condition, typ string) string {
	for _, c := range conds {
		if c.Type == typ {
			return string(c.Status)
		}
	}
	return ""
}

// adoption reads member objects lazily, once per cluster.
type adoption struct {
	members MemberAccess
	refs    []ObjectRef
	objects map[string]map[ObjectRef]*unstructured.Unstructured
	failed  map[string]string // cluster -> why it could not be read
}

func newAdoption(members MemberAccess, refs []ObjectRef) *adoption {
	return &adoption{members: members, refs: refs, objects: map[string]map[ObjectRef]*unstructured.Unstructured{}, failed: map[string]string{}}
}

func (a *adoption) adopted(ctx context.Context, cluster string, ref ObjectRef) string {
	objs, ok := a.objects[cluster]
	if _, failed := a.failed[cluster]; !ok && !failed {
		objs = a.load(ctx, cluster)
	}
	if objs == nil {
		return ""
	}
	o := objs[ref]
	if o != nil && o.GetLabels()[karmada.ManagedLabel] == karmada.ManagedLabelValue {
		return "Y"
	}
	return "N"
}

func (a *adoption) load(ctx context.Context, cluster string) map[ObjectRef]*unstructured.Unstructured {
	if a.members == nil {
		a.failed[cluster] = ErrNoMemberAccess.Error()
		return nil
	}
	c, err := a.members(ctx, cluster)
	if err != nil {
		a.failed[cluster] = err.Error()
		return nil
	}
	objs, err := listMemberObjects(ctx, c, a.refs)
	if err != nil {
		a.failed[cluster] = err.Error()
		return nil
	}
	a.objects[cluster] = objs
	return objs
}

func (a *adoption) unreachable() []string {
	var out []string
	for c, why := range a.failed {
		out = append(out, c+": "+why)
	}
	sort.Strings(out)
	return out
}
