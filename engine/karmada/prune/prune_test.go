package prune

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return u
}

func TestTemplate(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		overwrite bool
		want      string
	}{
		{
			name: "generated metadata and status",
			in: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  namespace: shop
  uid: 1234
  resourceVersion: "42"
  generation: 3
  creationTimestamp: "2026-01-01T00:00:00Z"
  selfLink: /api/v1/namespaces/shop/configmaps/c
  managedFields: [{manager: kubectl}]
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p, uid: x}]
  finalizers: [example.com/f]
  deletionGracePeriodSeconds: 30
  labels: {app: shop}
data: {k: v}
status: {anything: here}`,
			want: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop, labels: {app: shop}}
data: {k: v}`,
		},
		{
			name:      "deployment revisions dropped, overwrite added",
			overwrite: true,
			in: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: shop
  annotations:
    deployment.kubernetes.io/revision: "3"
    deployment.kubernetes.io/revision-history: "1,2"
    team: web
spec: {replicas: 2}
status: {replicas: 2}`,
			want: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: shop
  annotations: {team: web, work.karmada.io/conflict-resolution: overwrite}
spec: {replicas: 2}`,
		},
		{
			name:      "existing conflict annotation is the user's choice",
			overwrite: true,
			in: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, annotations: {work.karmada.io/conflict-resolution: abort}}`,
			want: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c, annotations: {work.karmada.io/conflict-resolution: abort}}`,
		},
		{
			name: "service cluster IPs dropped",
			in: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ports: [{port: 80}]}`,
			want: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {ports: [{port: 80}]}`,
		},
		{
			name: "headless service keeps None",
			in: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {clusterIP: None, clusterIPs: [None]}`,
			want: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {clusterIP: None, clusterIPs: [None]}`,
		},
		{
			name: "job generated selector and labels dropped",
			in: `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  selector:
    matchLabels: {batch.kubernetes.io/controller-uid: u, controller-uid: u}
  template:
    metadata:
      labels: {batch.kubernetes.io/controller-uid: u, controller-uid: u, job-name: j, batch.kubernetes.io/job-name: j, app: x}`,
			want: `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  selector: {}
  template:
    metadata:
      labels: {app: x}`,
		},
		{
			name: "job with manual selector kept",
			in: `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  manualSelector: true
  selector: {matchLabels: {controller-uid: mine}}`,
			want: `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  manualSelector: true
  selector: {matchLabels: {controller-uid: mine}}`,
		},
		{
			name: "service account token secrets dropped, others kept",
			in: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: build}
secrets: [{name: build-token-abcde}, {name: registry-creds}, {name: build-token-fghij}]`,
			want: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: build}
secrets: [{name: registry-creds}]`,
		},
		{
			name: "service account with only token secrets",
			in: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: build}
secrets: [{name: build-token-abcde}]`,
			want: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: build}`,
		},
		{
			name: "service account token secret emptied",
			in: `
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: build-token-abcde
  annotations: {kubernetes.io/service-account.name: build, kubernetes.io/service-account.uid: u}
data: {token: c2VjcmV0}`,
			want: `
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: build-token-abcde
  annotations: {kubernetes.io/service-account.name: build}`,
		},
		{
			name: "opaque secret keeps its data",
			in: `
apiVersion: v1
kind: Secret
type: Opaque
metadata: {name: s}
data: {k: dg==}`,
			want: `
apiVersion: v1
kind: Secret
type: Opaque
metadata: {name: s}
data: {k: dg==}`,
		},
		{
			name: "pvc selected node dropped",
			in: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  annotations: {volume.kubernetes.io/selected-node: worker-1}
spec: {volumeName: pv-1}`,
			want: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {volumeName: pv-1}`,
		},
		{
			name: "karmada bookkeeping from an earlier takeover dropped",
			in: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels:
    karmada.io/managed: "true"
    resourcebinding.karmada.io/permanent-id: a
    work.karmada.io/permanent-id: b
    app: shop
  annotations:
    work.karmada.io/name: c-123
    resourcetemplate.karmada.io/uid: u
    work.karmada.io/conflict-resolution: overwrite
    notkarmada.io/keep: "yes"`,
			want: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {app: shop}
  annotations: {work.karmada.io/conflict-resolution: overwrite, notkarmada.io/keep: "yes"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := obj(t, tt.in)
			before := in.DeepCopy()
			got, err := Template(in, tt.overwrite)
			if err != nil {
				t.Fatalf("Template: %v", err)
			}
			want := obj(t, tt.want)
			if !reflect.DeepEqual(got.Object, want.Object) {
				g, _ := yaml.Marshal(got.Object)
				w, _ := yaml.Marshal(want.Object)
				t.Fatalf("got:\n%s\nwant:\n%s", g, w)
			}
			if !reflect.DeepEqual(in.Object, before.Object) {
				t.Fatal("Template modified its input")
			}
		})
	}
}

func TestIsKarmadaKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"karmada.io/managed", true},
		{"work.karmada.io/name", true},
		{"resourcetemplate.karmada.io/uid", true},
		{"notkarmada.io/x", false},
		{"app", false},
		{"karmada.io", false},
		{"example.com/karmada.io", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := IsKarmadaKey(tt.key); got != tt.want {
				t.Fatalf("IsKarmadaKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}
