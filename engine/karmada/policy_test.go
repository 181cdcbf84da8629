package karmada

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
)

func kindOf(group, version, kind, resource string, namespaced bool) Mapping {
	gv := schema.GroupVersion{Group: group, Version: version}
	return Mapping{GVK: gv.WithKind(kind), Resource: gv.WithResource(resource), Namespaced: namespaced}
}

func planKindOf(m Mapping, byKind bool, names ...string) planKind {
	pk := planKind{member: m, karmada: m, byKind: byKind}
	for _, n := range names {
		pk.templates = append(pk.templates, &Template{Ref: ObjectRef{APIVersion: m.GVK.GroupVersion().String(), Kind: m.GVK.Kind, Name: n}})
	}
	return pk
}

func selectors(p Policy) string {
	var out []string
	for _, s := range p.Spec.ResourceSelectors {
		out = append(out, selectorString(s))
	}
	return strings.Join(out, " ")
}

func TestBuildPolicies(t *testing.T) {
	deploy := kindOf("apps", "v1", "Deployment", "deployments", true)
	svc := kindOf("", "v1", "Service", "services", true)
	crole := kindOf("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false)
	tests := []struct {
		name     string
		kinds    []planKind
		want     []string // "Kind ns/name: selectors"
		preserve bool
	}{
		{
			name:  "all deployments (documentation example 1)",
			kinds: []planKind{planKindOf(deploy, true, "a", "b")},
			want:  []string{"PropagationPolicy shop/p: apps/v1/Deployment"},
		},
		{
			name:  "all services (documentation example 2)",
			kinds: []planKind{planKindOf(svc, true, "s")},
			want:  []string{"PropagationPolicy shop/p: v1/Service"},
		},
		{
			name:  "one application (documentation example 3)",
			kinds: []planKind{planKindOf(deploy, false, "nginx"), planKindOf(svc, false, "nginx-svc")},
			want:  []string{"PropagationPolicy shop/p: apps/v1/Deployment/nginx v1/Service/nginx-svc"},
		},
		{
			name:  "cluster-scoped kind is selected by name",
			kinds: []planKind{planKindOf(crole, true, "viewer", "editor")},
			want:  []string{"ClusterPropagationPolicy p: rbac.authorization.k8s.io/v1/ClusterRole/viewer rbac.authorization.k8s.io/v1/ClusterRole/editor"},
		},
		{
			name:  "mixed scopes give two policies of one name",
			kinds: []planKind{planKindOf(deploy, false, "app"), planKindOf(crole, false, "app-reader")},
			want: []string{
				"PropagationPolicy shop/p: apps/v1/Deployment/app",
				"ClusterPropagationPolicy p: rbac.authorization.k8s.io/v1/ClusterRole/app-reader",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildPolicies("p", "shop", "member1", true, tt.kinds)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d policies, want %d", len(got), len(tt.want))
			}
			for i, p := range got {
				if s := p.Ref.String() + ": " + selectors(p); s != tt.want[i] {
					t.Errorf("policy %d = %q, want %q", i, s, tt.want[i])
				}
				spec := p.Spec
				if spec.ConflictResolution != policyv1alpha1.ConflictOverwrite || !spec.PreservesResourcesOnDeletion() ||
					strings.Join(spec.TargetClusterNames(), ",") != "member1" || *spec.Priority != 0 || spec.SchedulerName != "default-scheduler" {
					t.Errorf("spec = %+v", spec)
				}
			}
		})
	}
}

func TestPolicyObject(t *testing.T) {
	p := Policy{Ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: "shop", Name: "nginx-pp"},
		Spec: PolicySpec("member1", true, []policyv1alpha1.ResourceSelector{{APIVersion: "apps/v1", Kind: "Deployment", Name: "nginx"}})}
	u, err := p.Object()
	if err != nil {
		t.Fatal(err)
	}
	got, err := yaml.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  labels:
    kubectl-mig.io/karmada-migration: nginx-pp
  name: nginx-pp
  namespace: shop
spec:
  conflictResolution: Overwrite
  placement:
    clusterAffinity:
      clusterNames:
      - member1
  preserveResourcesOnDeletion: true
  priority: 0
  resourceSelectors:
  - apiVersion: apps/v1
    kind: Deployment
    name: nginx
  schedulerName: default-scheduler
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	p.Spec = PolicySpec("member1", false, p.Spec.ResourceSelectors)
	u, _ = p.Object()
	if v, found, _ := unstructuredBool(u.Object, "spec", "preserveResourcesOnDeletion"); !found || v {
		t.Errorf("--preserve-on-deletion=false must be written as false, got found=%v value=%v", found, v)
	}
}

func unstructuredBool(obj map[string]any, path ...string) (bool, bool, error) {
	cur := any(obj)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return false, false, nil
		}
		cur, ok = m[p]
		if !ok {
			return false, false, nil
		}
	}
	b, ok := cur.(bool)
	return b, ok, nil
}

func TestPolicyDifference(t *testing.T) {
	sel := []policyv1alpha1.ResourceSelector{{APIVersion: "apps/v1", Kind: "Deployment", Name: "nginx"}}
	want := &Policy{Ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: "shop", Name: "p"}, Spec: PolicySpec("member1", true, sel)}
	existing := func(mod func(*policyv1alpha1.PropagationSpec)) *policy {
		spec := PolicySpec("member1", true, []policyv1alpha1.ResourceSelector{{APIVersion: "apps/v1", Kind: "Deployment", Name: "nginx", Namespace: "shop"}})
		if mod != nil {
			mod(&spec)
		}
		return &policy{ref: want.Ref, spec: spec}
	}
	tests := []struct {
		name string
		ex   *policy
		want string
	}{
		{"identical (webhook filled the namespace)", existing(nil), ""},
		{"abort", existing(func(s *policyv1alpha1.PropagationSpec) { s.ConflictResolution = "" }), "conflictResolution is Abort"},
		{"not preserving", existing(func(s *policyv1alpha1.PropagationSpec) { s.PreserveResourcesOnDeletion = nil }), "preserveResourcesOnDeletion is false"},
		{"other cluster", existing(func(s *policyv1alpha1.PropagationSpec) {
			s.Placement.ClusterAffinity.ClusterNames = []string{"member2"}
		}), "clusterNames are [member2]"},
		{"missing selector", existing(func(s *policyv1alpha1.PropagationSpec) { s.ResourceSelectors[0].Name = "other" }), "does not select apps/v1/Deployment/nginx"},
		{"superset is fine", existing(func(s *policyv1alpha1.PropagationSpec) {
			s.ResourceSelectors = append(s.ResourceSelectors, policyv1alpha1.ResourceSelector{APIVersion: "v1", Kind: "Service"})
		}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := policyDifference(tt.ex, want)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("difference = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSelects(t *testing.T) {
	pp := func(sel ...policyv1alpha1.ResourceSelector) *policy {
		return &policy{ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: "shop", Name: "p"}, spec: policyv1alpha1.PropagationSpec{ResourceSelectors: sel}}
	}
	cpp := func(sel ...policyv1alpha1.ResourceSelector) *policy {
		return &policy{ref: PolicyRef{Kind: policyv1alpha1.KindClusterPropagationPolicy, Name: "c"}, spec: policyv1alpha1.PropagationSpec{ResourceSelectors: sel}}
	}
	deploy := func(ns, name string, labels map[string]string) templateKey {
		return templateKey{ref: ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: name}, labels: labels}
	}
	byKind := policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment"}
	tests := []struct {
		name string
		p    *policy
		t    templateKey
		want bool
	}{
		{"kind in own namespace", pp(byKind), deploy("shop", "a", nil), true},
		{"kind in another namespace", pp(byKind), deploy("other", "a", nil), false},
		{"other version", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1beta1", Kind: "Deployment"}), deploy("shop", "a", nil), false},
		{"name", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment", Name: "a"}), deploy("shop", "a", nil), true},
		{"other name", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment", Name: "b"}), deploy("shop", "a", nil), false},
		{"labels", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment",
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}}}), deploy("shop", "a", map[string]string{"tier": "web"}), true},
		{"labels mismatch", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment",
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}}}), deploy("shop", "a", nil), false},
		{"name wins over labels", pp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment", Name: "a",
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}}}), deploy("shop", "a", nil), true},
		{"cluster policy any namespace", cpp(byKind), deploy("other", "a", nil), true},
		{"cluster policy not reserved namespaces", cpp(byKind), deploy("karmada-es-member1", "a", nil), false},
		{"cluster policy selector namespace", cpp(policyv1alpha1.ResourceSelector{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop"}), deploy("other", "a", nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.selects(tt.t); got != tt.want {
				t.Errorf("selects = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClaimOf(t *testing.T) {
	tests := []struct {
		name        string
		labels, ann map[string]string
		want        string
	}{
		{"unclaimed", nil, nil, ""},
		{"propagation policy", nil, map[string]string{"propagationpolicy.karmada.io/name": "p", "propagationpolicy.karmada.io/namespace": "shop"}, "PropagationPolicy shop/p"},
		{"before v1.11: labels", map[string]string{"propagationpolicy.karmada.io/name": "p", "propagationpolicy.karmada.io/namespace": "shop"}, nil, "PropagationPolicy shop/p"},
		{"cluster policy", nil, map[string]string{"clusterpropagationpolicy.karmada.io/name": "c"}, "ClusterPropagationPolicy c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &metav1.ObjectMeta{Labels: tt.labels, Annotations: tt.ann}
			got := ""
			if c := claimOf(o); c != nil {
				got = c.String()
			}
			if got != tt.want {
				t.Errorf("claimOf = %q, want %q", got, tt.want)
			}
		})
	}
}
