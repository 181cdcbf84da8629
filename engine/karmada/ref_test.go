package karmada

import (
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		in      string
		want    KindSpec
		wantErr bool
	}{
		{"apps/v1/Deployment", KindSpec{"apps", "v1", "Deployment"}, false},
		{"v1/Service", KindSpec{"", "v1", "Service"}, false},
		{"batch/v1/jobs", KindSpec{"batch", "v1", "jobs"}, false},
		{"example.com/v1beta2/Widget", KindSpec{"example.com", "v1beta2", "Widget"}, false},
		{"Deployment", KindSpec{}, true},
		{"apps/Deployment", KindSpec{}, true},
		{"v1/Service/nginx", KindSpec{}, true},
		{"apps/v1/", KindSpec{}, true},
		{"apps/vx/Deployment", KindSpec{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseKind(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseKind(%q) = %+v, %v", tt.in, got, err)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseResource(t *testing.T) {
	tests := []struct {
		in      string
		want    ResourceSpec
		wantErr bool
	}{
		{"apps/v1/Deployment/nginx", ResourceSpec{KindSpec{"apps", "v1", "Deployment"}, "nginx"}, false},
		{"v1/Service/nginx-svc", ResourceSpec{KindSpec{"", "v1", "Service"}, "nginx-svc"}, false},
		{"rbac.authorization.k8s.io/v1/ClusterRole/system:reader", ResourceSpec{KindSpec{"rbac.authorization.k8s.io", "v1", "ClusterRole"}, "system:reader"}, false},
		{"apps/v1/Deployment", ResourceSpec{}, true}, // a kind, no name
		{"v1/Service", ResourceSpec{}, true},
		{"v1/Service/", ResourceSpec{}, true},
		{"v1/Service/Bad_Name", ResourceSpec{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseResource(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseResource(%q) = %+v, %v", tt.in, got, err)
			}
		})
	}
}

func TestObjectRefString(t *testing.T) {
	tests := []struct {
		ref  ObjectRef
		want string
	}{
		{ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "nginx"}, "deployment.apps shop/nginx"},
		{ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}, "namespace/shop"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	kinds := func(ks ...string) Selection {
		var s Selection
		for _, k := range ks {
			spec, err := ParseKind(k)
			if err != nil {
				t.Fatal(err)
			}
			s.Kinds = append(s.Kinds, spec)
		}
		return s
	}
	tests := []struct {
		name string
		sel  Selection
		app  string
		want string
	}{
		{"deployments", kinds("apps/v1/Deployment"), "", "deployments-pp"},
		{"services", kinds("v1/Service"), "", "services-pp"},
		{"policies", kinds("networking.k8s.io/v1/NetworkPolicy"), "", "networkpolicies-pp"},
		{"ingress classes", kinds("networking.k8s.io/v1/IngressClass"), "", "ingressclasses-pp"},
		{"resource names", kinds("v1/configmaps", "v1/secrets"), "", "configmaps-secrets-pp"},
		{"application", Selection{Resources: []ResourceSpec{{Name: "x"}}}, "nginx", "nginx-pp"},
		{"application without a name", Selection{Resources: []ResourceSpec{{Name: "x"}}}, "", ""},
		{"all kinds", Selection{AllKinds: true}, "", "shop-pp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultPolicyName(tt.sel, tt.app, "shop"); got != tt.want {
				t.Errorf("DefaultPolicyName = %q, want %q", got, tt.want)
			}
		})
	}
	if got := workv1alpha2.BindingName("ClusterRole", "system:Reader"); got != "system.reader-clusterrole" {
		t.Errorf("BindingName = %q", got)
	}
}

func TestSkipReason(t *testing.T) {
	obj := func(apiVersion, kind, name string, mod func(*unstructured.Unstructured)) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.FromAPIVersionAndKind(apiVersion, kind))
		u.SetName(name)
		if mod != nil {
			mod(u)
		}
		return u
	}
	owned := func(u *unstructured.Unstructured) {
		u.Object["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "1", "controller": true}}
	}
	tests := []struct {
		name string
		obj  *unstructured.Unstructured
		want string // substring; "" means taken
	}{
		{"plain deployment", obj("apps/v1", "Deployment", "web", nil), ""},
		{"replica set of a deployment", obj("apps/v1", "ReplicaSet", "web-123", owned), "owned by deployment/web"},
		{"default service account", obj("v1", "ServiceAccount", "default", nil), "controller-manager"},
		{"other service account", obj("v1", "ServiceAccount", "builder-bot", nil), ""},
		{"root CA", obj("v1", "ConfigMap", "kube-root-ca.crt", nil), "controller-manager"},
		{"token secret", obj("v1", "Secret", "x", func(u *unstructured.Unstructured) { u.Object["type"] = "kubernetes.io/service-account-token" }), "generated"},
		{"opaque secret", obj("v1", "Secret", "x", func(u *unstructured.Unstructured) { u.Object["type"] = "Opaque" }), ""},
		{"bootstrap cluster role", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "admin", func(u *unstructured.Unstructured) {
			u.SetLabels(map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"})
		}), "built-in RBAC"},
		{"system cluster role", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "system:foo", nil), "built-in RBAC"},
		{"user cluster role", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "shop-reader", nil), ""},
		{"kube namespace", obj("v1", "Namespace", "kube-public", nil), "system namespace"},
		{"user namespace", obj("v1", "Namespace", "shop", nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := skipReason(tt.obj)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("skipReason = %q, want %q", got, tt.want)
			}
		})
	}
}
