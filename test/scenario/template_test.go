package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestRender(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	lookup := func(_ context.Context, cluster, kind, ns, name string) (string, error) {
		if name == "missing" {
			return "", fmt.Errorf("uid %s: %w", name, errMissingRef)
		}
		return strings.Join([]string{cluster, kind, ns, name}, "/"), nil
	}
	fm := funcs(context.Background(), now, lookup)
	data := TemplateData{Clusters: map[string]ClusterFacts{"source": {URL: "https://127.0.0.1:6443", CABase64: "Q0E="}}}
	tests := []struct {
		name    string
		src     string
		want    string
		wantErr error
	}{
		{"ago", `{{ ago "15m" }}`, "2026-11-22T09:45:00Z", nil},
		{"ago negative is the future", `{{ ago "-1h" }}`, "2026-11-22T11:00:00Z", nil},
		{"now", `{{ now }}`, "2026-11-22T10:00:00Z", nil},
		{"agoTime method", `{{ (agoTime "1h").Hour }}`, "9", nil},
		{"epochMillis", `{{ epochMillis "1s" }}`, fmt.Sprint(now.Add(-time.Second).UnixMilli()), nil},
		{"md5 joins", `{{ md5 "a" "b" }}`, "187ef4436122d1cc2f40dc2b92f0eba0", nil},
		{"b64enc", `{{ b64enc "hi" }}`, "aGk=", nil},
		{"uid", `{{ uid "host" "MigPlan" "openshift-migration" "p" }}`, "host/MigPlan/openshift-migration/p", nil},
		{"cluster facts", `{{ .Clusters.source.URL }} {{ .Clusters.source.CABase64 }}`, "https://127.0.0.1:6443 Q0E=", nil},
		{"missing reference is deferrable", `{{ uid "host" "Pod" "x" "missing" }}`, "", errMissingRef},
		{"unknown cluster key fails", `{{ .Clusters.nowhere.URL }}`, "", nil},
		{"bad duration", `{{ ago "soon" }}`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := render(tt.name, []byte(tt.src), fm, data)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error, got %q", out)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v is not %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got %q, want %q", out, tt.want)
			}
		})
	}
}

func TestDecodeObjects(t *testing.T) {
	src := `
---
# comment only
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a, namespace: ns1}
- apiVersion: v1
  kind: Secret
  metadata: {name: b, namespace: ns1}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns1
`
	objs, err := decodeObjects([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	if strings.Join(got, ",") != "ConfigMap/a,Secret/b,Namespace/ns1" {
		t.Errorf("decoded %v", got)
	}
	if _, err := decodeObjects([]byte("kind: ConfigMap\nmetadata: {name: x}\n")); err == nil {
		t.Error("object without apiVersion accepted")
	}
}

func TestApplyOrder(t *testing.T) {
	objs, err := decodeObjects([]byte(`
apiVersion: v1
kind: Event
metadata: {name: e}
---
apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata: {name: p}
---
apiVersion: v1
kind: Pod
metadata: {name: pod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: c}
`))
	if err != nil {
		t.Fatal(err)
	}
	applyOrder(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind())
	}
	want := "CustomResourceDefinition,Namespace,ClusterRole,Deployment,Pod,MigPlan,Event"
	if strings.Join(got, ",") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

func TestIsCustomGroup(t *testing.T) {
	for group, want := range map[string]bool{
		"": false, "apps": false, "rbac.authorization.k8s.io": false, "storage.k8s.io": false,
		"velero.io": true, "migration.openshift.io": true, "route.openshift.io": true,
	} {
		if got := isCustomGroup(group); got != want {
			t.Errorf("isCustomGroup(%q) = %v", group, got)
		}
	}
	if kindRank(schema.GroupVersionKind{Kind: "Event"}) <= kindRank(schema.GroupVersionKind{Group: "velero.io", Kind: "Backup"}) {
		t.Error("events must come after custom resources")
	}
}
