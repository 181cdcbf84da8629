package scenario_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const crds = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              phase: {type: string}
`

// writeScenario lays out files (path relative to the scenario dir -> content).
func writeScenario(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoad checks the loader's mechanics on one cluster: deferred uid
// references, CRDs in a scenario, status with and without a subresource,
// pod binding, merging into existing objects, namespaces created on demand,
// logs, and the errors a broken scenario gets.
func TestLoad(t *testing.T) {
	t.Parallel()
	c := testenv.NewCluster(t, "host")
	clusters := map[string]*testenv.Cluster{"host": c}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dir := writeScenario(t, map[string]string{
		// 10 refers to an object created by 20: applied after it.
		"clusters/host/10-consumer.yaml": `
apiVersion: v1
kind: ConfigMap
metadata:
  name: consumer
  namespace: demo
  labels:
    widget-uid: {{ uid "host" "Widget" "demo" "w1" }}
    created: {{ ago "1h" | printf "%.10s" }}
`,
		"clusters/host/20-crds.yaml": crds + `
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: demo}
spec: {size: 3}
status: {phase: Ready, since: "{{ ago "15m" }}"}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g1, namespace: demo}
spec: {}
status: {phase: Running}
`,
		"clusters/host/30-pods.yaml": `
apiVersion: v1
kind: Node
metadata:
  name: {{ .Clusters.host.NodeName }}
  labels: {zone: a}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: demo}
spec:
  containers: [{name: main, image: example/app:1}]
status:
  phase: Running
  containerStatuses:
  - name: main
    ready: true
    image: example/app:1
    imageID: ""
    restartCount: 1
    state: {running: {startedAt: "{{ ago "5m" }}"}}
---
apiVersion: v1
kind: Pod
metadata: {name: unschedulable, namespace: elsewhere}
spec:
  containers: [{name: main, image: example/app:1}]
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/1 nodes are available"}
`,
		"clusters/host/logs/demo/app/main.log":          "{{ ago \"2m\" }} first\n{{ ago \"1m\" }} second\n",
		"clusters/host/logs/demo/app/main.previous.log": "crashed\n",
	})
	l, err := scenario.Load(ctx, dir, clusters)
	if err != nil {
		t.Fatal(err)
	}
	if l.Logs != 2 {
		t.Errorf("logs loaded %d, want 2", l.Logs)
	}
	widgetUID, ok := l.UID("host", "Widget", "demo", "w1")
	if !ok {
		t.Fatal("widget not recorded")
	}

	t.Run("deferred reference resolved", func(t *testing.T) {
		cm, err := c.Client().CoreV1().ConfigMaps("demo").Get(ctx, "consumer", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cm.Labels["widget-uid"] != string(widgetUID) {
			t.Errorf("label %q, want widget UID %q", cm.Labels["widget-uid"], widgetUID)
		}
	})
	t.Run("status without and with subresource", func(t *testing.T) {
		for _, tc := range []struct{ resource, name string }{{"widgets", "w1"}, {"gadgets", "g1"}} {
			obj, err := c.Dynamic().Resource(schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: tc.resource}).
				Namespace("demo").Get(ctx, tc.name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase"); phase == "" {
				t.Errorf("%s/%s has no status.phase", tc.resource, tc.name)
			}
		}
	})
	t.Run("pods bound unless unschedulable", func(t *testing.T) {
		app, err := c.Client().CoreV1().Pods("demo").Get(ctx, "app", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if app.Spec.NodeName != c.NodeName() || app.Status.Phase != corev1.PodRunning {
			t.Errorf("app: node %q phase %q", app.Spec.NodeName, app.Status.Phase)
		}
		un, err := c.Client().CoreV1().Pods("elsewhere").Get(ctx, "unschedulable", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if un.Spec.NodeName != "" {
			t.Errorf("unschedulable pod bound to %q", un.Spec.NodeName)
		}
	})
	t.Run("existing node merged", func(t *testing.T) {
		n, err := c.Client().CoreV1().Nodes().Get(ctx, c.NodeName(), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n.Labels["zone"] != "a" || n.Status.DaemonEndpoints.KubeletEndpoint.Port == 0 {
			t.Errorf("node labels %v, kubelet port %d", n.Labels, n.Status.DaemonEndpoints.KubeletEndpoint.Port)
		}
	})
	t.Run("logs", func(t *testing.T) {
		got := podLog(t, ctx, c, "demo", "app", &corev1.PodLogOptions{Container: "main"})
		if got != "first\nsecond\n" {
			t.Errorf("log %q", got)
		}
		if got := podLog(t, ctx, c, "demo", "app", &corev1.PodLogOptions{Container: "main", Previous: true}); got != "crashed\n" {
			t.Errorf("previous log %q", got)
		}
	})

	broken := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"unresolved reference", map[string]string{"clusters/host/a.yaml": `
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: demo, labels: {u: '{{ uid "host" "ConfigMap" "demo" "nope" }}'}}
`}, "unresolved references"},
		{"unknown status field", map[string]string{"clusters/host/a.yaml": `
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g2, namespace: demo}
spec: {}
status: {phaze: Running}
`}, `unknown field "status.phaze"`},
		{"log without pod", map[string]string{"clusters/host/logs/demo/ghost/main.log": "boo\n"}, `pods "ghost" not found`},
		{"log for unknown container", map[string]string{"clusters/host/logs/demo/app/sidecar.log": "boo\n"}, `no container "sidecar"`},
		{"cluster not running", map[string]string{"clusters/mars/a.yaml": ""}, "clusters/mars has no running cluster"},
		{"missing kind", map[string]string{"clusters/host/a.yaml": "apiVersion: nope.example.com/v1\nkind: Nope\nmetadata: {name: x}\n"}, "does not serve"},
	}
	for _, tt := range broken {
		t.Run("error/"+tt.name, func(t *testing.T) {
			_, err := scenario.Load(ctx, writeScenario(t, tt.files), clusters)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func podLog(t *testing.T, ctx context.Context, c *testenv.Cluster, ns, pod string, opts *corev1.PodLogOptions) string {
	t.Helper()
	rc, err := c.Client().CoreV1().Pods(ns).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		t.Fatalf("logs of %s/%s: %v", ns, pod, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
