package karmada

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
)

// ObjectRef names one object: the template on the Karmada API server and
// the member-cluster object share it.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// RefOf returns the reference of u.
func RefOf(u *unstructured.Unstructured) ObjectRef {
	return ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

// GroupVersionKind of the reference.
func (r ObjectRef) GroupVersionKind() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(r.APIVersion, r.Kind)
}

// String is the kubectl form, "deployment.apps/nginx" (with "shop/" before
// the name for namespaced objects: "deployment.apps shop/nginx").
func (r ObjectRef) String() string {
	kind := KindString(r.GroupVersionKind())
	if r.Namespace == "" {
		return kind + "/" + r.Name
	}
	return kind + " " + r.Namespace + "/" + r.Name
}

// KindString is the kubectl spelling of a kind: "deployment.apps", "service".
func KindString(gvk schema.GroupVersionKind) string {
	k := strings.ToLower(gvk.Kind)
	if gvk.Group == "" {
		return k
	}
	return k + "." + gvk.Group
}

// KindSpec is a kind the user typed: "apps/v1/Deployment" or "v1/Service".
// Kind may be spelled as the kind or as its resource name ("deployments");
// Resolve maps it on a cluster.
type KindSpec struct {
	Group, Version, Kind string
}

// ResourceSpec is one named object: "apps/v1/Deployment/nginx" or
// "v1/Service/nginx-svc".
type ResourceSpec struct {
	KindSpec
	Name string
}

// String returns the spec as the user writes it.
func (k KindSpec) String() string {
	if k.Group == "" {
		return k.Version + "/" + k.Kind
	}
	return k.Group + "/" + k.Version + "/" + k.Kind
}

// String returns the spec as the user writes it.
func (r ResourceSpec) String() string { return r.KindSpec.String() + "/" + r.Name }

// ParseKind parses GROUP/VERSION/KIND or VERSION/KIND (the core group).
func ParseKind(s string) (KindSpec, error) {
	parts := strings.Split(s, "/")
	switch {
	case len(parts) == 2 && isVersion(parts[0]):
		return validKind(s, KindSpec{Version: parts[0], Kind: parts[1]})
	case len(parts) == 3 && !isVersion(parts[0]) && isVersion(parts[1]):
		return validKind(s, KindSpec{Group: parts[0], Version: parts[1], Kind: parts[2]})
	}
	return KindSpec{}, fmt.Errorf("kind %q: want GROUP/VERSION/KIND (apps/v1/Deployment) or VERSION/KIND for the core group (v1/Service)", s)
}

// ParseResource parses GROUP/VERSION/KIND/NAME or VERSION/KIND/NAME.
func ParseResource(s string) (ResourceSpec, error) {
	i := strings.LastIndex(s, "/")
	if i > 0 {
		k, err := ParseKind(s[:i])
		name := s[i+1:]
		if err == nil && name != "" {
			if msgs := validation.IsDNS1123Subdomain(strings.ReplaceAll(name, ":", "-")); len(msgs) > 0 {
				return ResourceSpec{}, fmt.Errorf("resource %q: name %q: %s", s, name, strings.Join(msgs, "; "))
			}
			return ResourceSpec{KindSpec: k, Name: name}, nil
		}
	}
	return ResourceSpec{}, fmt.Errorf("resource %q: want GROUP/VERSION/KIND/NAME (apps/v1/Deployment/nginx) or VERSION/KIND/NAME for the core group (v1/Service/nginx-svc)", s)
}

// isVersion recognises Kubernetes API version names: v1, v2beta1, v1alpha3.
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || s[1] < '1' || s[1] > '9' {
		return false
	}
	rest := strings.TrimLeft(s[1:], "0123456789")
	for _, stage := range []string{"", "alpha", "beta"} {
		if stage == "" && rest == "" {
			return true
		}
		if stage != "" && strings.HasPrefix(rest, stage) {
			n := strings.TrimPrefix(rest, stage)
			return n != "" && strings.Trim(n, "0123456789") == ""
		}
	}
	return false
}

func validKind(s string, k KindSpec) (KindSpec, error) {
	if k.Kind == "" || strings.ContainsAny(k.Kind, ". ") {
		return KindSpec{}, fmt.Errorf("kind %q: %q is not a kind name", s, k.Kind)
	}
	return k, nil
}
