package rollback

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

const planUID = "plan-uid-1"

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

// patched applies ops to u as the API server would.
func patched(t *testing.T, u *unstructured.Unstructured, ops []kube.JSONPatchOp) *unstructured.Unstructured {
	t.Helper()
	doc, _ := json.Marshal(u.Object)
	p, _ := json.Marshal(ops)
	patch, err := jsonpatch.DecodePatch(p)
	if err != nil {
		t.Fatal(err)
	}
	out, err := patch.Apply(doc)
	if err != nil {
		t.Fatalf("apply %s: %v", p, err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

func TestUnquiesceChange(t *testing.T) {
	tests := []struct {
		name   string
		kind   string
		in     string
		want   string // expected object after the patch, compared on spec + annotations
		detail string
		err    string
		noop   bool
	}{
		{
			name: "deployment replicas and paused", kind: KindDeployment,
			in: `metadata: {name: d, annotations: {migration.openshift.io/preQuiesceReplicas: "3", migration.openshift.io/preQuiescePaused: "true", keep: me}}
spec: {replicas: 0, paused: false}`,
			want: `metadata: {name: d, annotations: {keep: me, kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 3, paused: true}`,
			detail: "replicas 0 -> 3; paused false -> true",
		},
		{
			name: "deployment scaled since: replicas kept", kind: KindDeployment,
			in: `metadata: {name: d, annotations: {migration.openshift.io/preQuiesceReplicas: "3", migration.openshift.io/preQuiescePaused: "false"}}
spec: {replicas: 2, paused: false}`,
			want: `metadata: {name: d, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 2, paused: false}`,
			detail: "replicas already 2 (recorded 3), left as is",
		},
		{
			name: "deploymentconfig", kind: KindDeploymentConfig,
			in: `metadata: {name: dc, annotations: {migration.openshift.io/preQuiesceReplicas: "1", migration.openshift.io/preQuiescePaused: "false"}}
spec: {replicas: 0, paused: false}`,
			want: `metadata: {name: dc, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 1, paused: false}`,
		},
		{
			name: "statefulset", kind: KindStatefulSet,
			in: `metadata: {name: s, annotations: {migration.openshift.io/preQuiesceReplicas: "2"}}
spec: {replicas: 0}`,
			want: `metadata: {name: s, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 2}`,
		},
		{
			name: "replicaset", kind: KindReplicaSet,
			in: `metadata: {name: r, annotations: {migration.openshift.io/preQuiesceReplicas: "4"}}
spec: {replicas: 0}`,
			want: `metadata: {name: r, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 4}`,
		},
		{
			name: "job parallelism", kind: KindJob,
			in: `metadata: {name: j, annotations: {migration.openshift.io/preQuiesceReplicas: "5"}}
spec: {parallelism: 0}`,
			want: `metadata: {name: j, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {parallelism: 5}`,
			detail: "parallelism 0 -> 5",
		},
		{
			name: "cronjob", kind: KindCronJob,
			in: `metadata: {name: c, annotations: {migration.openshift.io/preQuiesceSuspend: "true"}}
spec: {suspend: true, schedule: "* * * * *"}`,
			want: `metadata: {name: c, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {suspend: false, schedule: "* * * * *"}`,
			detail: "suspend true -> false",
		},
		{
			name: "daemonset with recorded selector", kind: KindDaemonSet,
			in: `metadata: {name: ds, annotations: {migration.openshift.io/preQuiesceNodeSelector: '{"disk":"ssd"}'}}
spec: {template: {spec: {nodeSelector: {disk: ssd, migration.openshift.io/quiesceDaemonSet: "true"}}}}`,
			want: `metadata: {name: ds, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {template: {spec: {nodeSelector: {disk: ssd}}}}`,
			detail: "nodeSelector -> {disk=ssd}",
		},
		{
			name: "daemonset with empty recorded selector", kind: KindDaemonSet,
			in: `metadata: {name: ds, annotations: {migration.openshift.io/preQuiesceNodeSelector: 'null'}}
spec: {template: {spec: {nodeSelector: {migration.openshift.io/quiesceDaemonSet: "true"}, containers: []}}}`,
			want: `metadata: {name: ds, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {template: {spec: {containers: []}}}`,
		},
		{
			name: "daemonset key without record", kind: KindDaemonSet,
			in: `metadata: {name: ds}
spec: {template: {spec: {nodeSelector: {zone: a, migration.openshift.io/quiesceDaemonSet: "true"}}}}`,
			want: `metadata: {name: ds, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {template: {spec: {nodeSelector: {zone: a}}}}`,
		},
		{
			name: "not quiesced", kind: KindDeployment, noop: true,
			in: `metadata: {name: d, annotations: {kubectl-mig.io/rolled-back-for-migplan: plan-uid-1}}
spec: {replicas: 3}`,
		},
		{
			name: "bad replica count", kind: KindStatefulSet, err: "not a replica count",
			in: `metadata: {name: s, annotations: {migration.openshift.io/preQuiesceReplicas: "three"}}
spec: {replicas: 0}`,
		},
		{
			name: "bad paused", kind: KindDeployment, err: "not a boolean",
			in: `metadata: {name: d, annotations: {migration.openshift.io/preQuiesceReplicas: "1", migration.openshift.io/preQuiescePaused: "maybe"}}
spec: {replicas: 0}`,
		},
		{
			name: "bad node selector", kind: KindDaemonSet, err: "not a JSON node selector",
			in: `metadata: {name: ds, annotations: {migration.openshift.io/preQuiesceNodeSelector: '{oops'}}
spec: {template: {spec: {nodeSelector: {migration.openshift.io/quiesceDaemonSet: "true"}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := obj(t, tt.in)
			detail, ops, err := UnquiesceChange(tt.kind, in, planUID)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.noop {
				if len(ops) != 0 {
					t.Fatalf("ops = %v, want none", ops)
				}
				return
			}
			got := patched(t, in, ops)
			want := obj(t, tt.want)
			if !reflect.DeepEqual(got.Object, want.Object) {
				g, _ := yaml.Marshal(got.Object)
				w, _ := yaml.Marshal(want.Object)
				t.Fatalf("after patch:\n%s\nwant:\n%s", g, w)
			}
			if tt.detail != "" && !strings.HasPrefix(detail, tt.detail) {
				t.Errorf("detail = %q, want prefix %q", detail, tt.detail)
			}
			if IsQuiesced(tt.kind, got) {
				t.Error("still quiesced after the patch")
			}
			if !RolledBackBy(got, planUID) {
				t.Error("marker missing")
			}
			// A second pass finds nothing to do: the change is idempotent.
			if _, again, _ := UnquiesceChange(tt.kind, got, planUID); len(again) != 0 {
				t.Errorf("second pass ops = %v", again)
			}
		})
	}
}

func TestReleasePodChange(t *testing.T) {
	in := obj(t, `metadata:
  name: app-1
  labels: {app: shop, migration.openshift.io/is-stage-pod: "true", migration.openshift.io/is-application-pod: "true",
    migration-included-stage-backup: m1, migplan: plan-uid-1, migmigration: m1}
  annotations: {migration.openshift.io/exclude-pvcs: "data", other: x}`)
	if !IsReusedApplicationPod(in) {
		t.Fatal("not recognised as reused")
	}
	_, ops := ReleasePodChange(in, planUID)
	got := patched(t, in, ops)
	if l := got.GetLabels(); !reflect.DeepEqual(l, map[string]string{"app": "shop"}) {
		t.Fatalf("labels = %v", l)
	}
	if a := got.GetAnnotations(); !reflect.DeepEqual(a, map[string]string{"other": "x"}) {
		t.Fatalf("annotations = %v", a)
	}
	// Another plan's correlation labels are not ours to remove.
	other := obj(t, `metadata: {name: p, labels: {migration.openshift.io/is-stage-pod: "true", migplan: someone-else}}`)
	_, ops = ReleasePodChange(other, planUID)
	if got := patched(t, other, ops).GetLabels(); got["migplan"] != "someone-else" || len(got) != 1 {
		t.Fatalf("labels = %v", got)
	}
}

func TestReclaimPolicyChange(t *testing.T) {
	tests := []struct {
		name, in, policy, err string
		noop                  bool
	}{
		{name: "restore", in: `{metadata: {name: pv1, annotations: {migration.openshift.io/orig-reclaim-policy: Delete}}, spec: {persistentVolumeReclaimPolicy: Retain}}`, policy: "Delete"},
		{name: "same policy", in: `{metadata: {name: pv1, annotations: {migration.openshift.io/orig-reclaim-policy: Retain}}, spec: {persistentVolumeReclaimPolicy: Retain}}`, policy: "Retain"},
		{name: "no annotation", in: `{metadata: {name: pv1}, spec: {persistentVolumeReclaimPolicy: Retain}}`, noop: true},
		{name: "bad value", in: `{metadata: {name: pv1, annotations: {migration.openshift.io/orig-reclaim-policy: Keep}}, spec: {persistentVolumeReclaimPolicy: Retain}}`, err: "not a reclaim policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := obj(t, tt.in)
			_, ops, err := ReclaimPolicyChange(in, planUID)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if tt.noop {
				if len(ops) != 0 || err != nil {
					t.Fatalf("ops = %v, err = %v", ops, err)
				}
				return
			}
			got := patched(t, in, ops)
			if p, _, _ := unstructured.NestedString(got.Object, "spec", "persistentVolumeReclaimPolicy"); p != tt.policy {
				t.Fatalf("policy = %s", p)
			}
			if HasOrigReclaimPolicy(got) || !RolledBackBy(got, planUID) {
				t.Fatalf("annotations = %v", got.GetAnnotations())
			}
		})
	}
}

func TestAnnotationPath(t *testing.T) {
	if got := annotationPath(mtc.PreQuiesceReplicasAnnotation); got != "/metadata/annotations/migration.openshift.io~1preQuiesceReplicas" {
		t.Fatal(got)
	}
	if got := escape("a~b/c"); got != "a~0b~1c" {
		t.Fatal(got)
	}
}
