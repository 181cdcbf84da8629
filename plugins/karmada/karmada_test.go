package karmada_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	"github.com/kubectl-mig/kubectl-mig/engine/karmada/karmadatest"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/root"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

var (
	ppGVR          = schema.GroupVersionResource{Group: "policy.karmada.io", Version: "v1alpha1", Resource: "propagationpolicies"}
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

type env struct {
	pair       *karmadatest.Pair
	kubeconfig string
}

// run executes `kubectl mig <args>` as the binary does and returns the exit
// code, stdout and stderr.
func (e *env) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	args = append([]string{"--kubeconfig", e.kubeconfig}, args...)
	code := root.Main("", args, streams)
	t.Logf("$ kubectl mig %s\n(exit %d)\n--- stdout:\n%s--- stderr:\n%s", strings.Join(args[2:], " "), code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

func TestKarmadaCommands(t *testing.T) {
	p := karmadatest.StartPair(t, "member1")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	// Contexts "karmada" (current) and "member1", as karmadactl expects.
	if err := testenv.WriteKubeconfig(kubeconfig, p.Karmada, p.Member); err != nil {
		t.Fatal(err)
	}
	e := &env{pair: p, kubeconfig: kubeconfig}
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"dry run prints the documented objects", testDryRunYAML},
		{"usage errors", testUsage},
		{"refusal", testRefusal},
		{"migrate, status, rollback", testLifecycle},
		{"migrate all services", testAllServices},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, e)
		})
	}
}

func testDryRunYAML(t *testing.T, e *env) {
	ns := "cmd-dryrun"
	e.pair.CreateApp(t, ns, "nginx")
	code, out, errOut := e.run(t, "karmada", "migrate", "--cluster", "member1", "-n", ns,
		"--app", "nginx", "--resource", "apps/v1/Deployment/nginx", "--resource", "v1/Service/nginx-svc",
		"--dry-run=client", "-o", "yaml")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var list struct {
		Kind  string           `json:"kind"`
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("stdout is not YAML: %v", err)
	}
	var kinds []string
	for _, it := range list.Items {
		kinds = append(kinds, it["kind"].(string))
	}
	if list.Kind != "List" || strings.Join(kinds, ",") != "Namespace,Deployment,Service,PropagationPolicy" {
		t.Fatalf("objects = %s %v", list.Kind, kinds)
	}
	policy, _ := yaml.Marshal(list.Items[3]["spec"])
	want := `conflictResolution: Overwrite
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
- apiVersion: v1
  kind: Service
  name: nginx-svc
schedulerName: default-scheduler
`
	if string(policy) != want {
		t.Errorf("policy spec:\n%s\nwant (the documentation's example 3 plus preserveResourcesOnDeletion):\n%s", policy, want)
	}
	svcSpec := list.Items[2]["spec"].(map[string]any)
	if _, ok := svcSpec["clusterIP"]; ok {
		t.Errorf("the Service template keeps the member's cluster IP: %v", svcSpec)
	}
	if !strings.Contains(errOut, "(client dry run)") {
		t.Errorf("stderr does not say it is a dry run: %q", errOut)
	}
	// Nothing was written.
	ctx := context.Background()
	if _, err := e.pair.Karmada.Client().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("dry run created the namespace (err %v)", err)
	}
	// Without -o, a summary of what would be written.
	code, out, _ = e.run(t, "karmada", "migrate", "--cluster", "member1", "-n", ns, "--kind", "apps/v1/Deployment", "--dry-run")
	if code != 0 || !strings.Contains(out, "resource template deployment.apps cmd-dryrun/nginx created (client dry run)") ||
		!strings.Contains(out, "PropagationPolicy cmd-dryrun/deployments-pp created (client dry run)") {
		t.Errorf("summary:\n%s", out)
	}
}

func testUsage(t *testing.T, e *env) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"karmada", "migrate", "--kind", "apps/v1/Deployment"}, "--cluster is required"},
		{[]string{"karmada", "migrate", "--cluster", "m", "--kind", "apps/v1/Deployment", "--all-kinds"}, "choose one of"},
		{[]string{"karmada", "migrate", "--cluster", "m", "--kind", "Deployment"}, "want GROUP/VERSION/KIND"},
		{[]string{"karmada", "migrate", "--cluster", "m", "--resource", "v1/Service/x"}, "--resource needs --app"},
		{[]string{"karmada", "migrate", "--cluster", "m", "--all-kinds", "--dry-run=maybe"}, "none, client or server"},
		{[]string{"karmada", "migrate", "--cluster", "m", "--all-kinds", "--dry-run", "--wait"}, "--wait follows a real migration"},
		{[]string{"karmada", "rollback"}, "--policy is required"},
		{[]string{"karmada", "status", "-o", "wide"}, "yaml or json"},
	}
	for _, tt := range tests {
		code, _, errOut := e.run(t, tt.args...)
		if code != cli.ExitUsage || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "--help") {
			t.Errorf("%v: exit %d, stderr %q; want usage error %q", tt.args, code, errOut, tt.want)
		}
	}
}

func testRefusal(t *testing.T, e *env) {
	ns := "cmd-refusal"
	e.pair.CreateApp(t, ns, "nginx")
	code, out, errOut := e.run(t, "karmada", "migrate", "--cluster", "member1", "-n", ns,
		"--app", "nginx", "--resource", "apps/v1/Deployment/nginx", "--resource", "apps/v1/Deployment/ghost")
	if code != cli.ExitFailure || out != "" || !strings.Contains(errOut, "refusing to migrate, nothing was changed") ||
		!strings.Contains(errOut, `deployment.apps "ghost" not found in namespace cmd-refusal on member1`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = e.run(t, "karmada", "migrate", "--cluster", "member9", "-n", ns, "--kind", "apps/v1/Deployment")
	if code != cli.ExitFailure || !strings.Contains(errOut, `no context "member9" (pass --cluster member9 --cluster-context CONTEXT)`) {
		t.Errorf("unknown member: exit %d, stderr %q", code, errOut)
	}
}

func testLifecycle(t *testing.T, e *env) {
	ns := "cmd-life"
	e.pair.CreateApp(t, ns, "nginx")
	code, out, _ := e.run(t, "karmada", "migrate", "--cluster", "member1", "-n", ns, "--app", "nginx",
		"--resource", "apps/v1/Deployment/nginx", "--resource", "v1/Service/nginx-svc",
		"--preserve-on-deletion=false", "--wait", "--interval", "100ms", "--timeout", "1m")
	if code != 0 {
		t.Fatalf("migrate --wait: exit %d", code)
	}
	for _, want := range []string{
		"OBJECT", "PODS-UNCHANGED",
		"deployment.apps cmd-life/nginx", "nginx-deployment", "Y (2)",
		"service cmd-life/nginx-svc", "nginx-svc-service",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate output lacks %q", want)
		}
	}

	code, out, _ = e.run(t, "karmada", "status", "-n", ns, "--policy", "nginx-pp")
	if code != 0 || !strings.Contains(out, "ADOPTED") || strings.Count(out, " Y ") != 2 {
		t.Errorf("status: exit %d\n%s", code, out)
	}

	code, out, _ = e.run(t, "karmada", "rollback", "-n", ns, "--policy", "nginx-pp", "--dry-run")
	if code != 0 || !strings.Contains(out, "1. set preserveResourcesOnDeletion=true on PropagationPolicy cmd-life/nginx-pp") ||
		!strings.Contains(out, "delete PropagationPolicy cmd-life/nginx-pp") {
		t.Errorf("rollback --dry-run: exit %d\n%s", code, out)
	}
	ctx := context.Background()
	if _, err := e.pair.Karmada.Dynamic().Resource(deploymentsGVR).Namespace(ns).Get(ctx, "nginx", metav1.GetOptions{}); err != nil {
		t.Fatalf("dry run deleted the template: %v", err)
	}

	code, out, _ = e.run(t, "karmada", "rollback", "-n", ns, "--policy", "nginx-pp", "--wait", "--interval", "100ms", "--timeout", "1m")
	if code != 0 {
		t.Fatalf("rollback: exit %d", code)
	}
	steps := []string{
		"preserve PropagationPolicy cmd-life/nginx-pp: preserveResourcesOnDeletion set to true",
		"wait: 2 binding(s) and 2 Work(s) show preserveResourcesOnDeletion=true",
		"delete template deployment.apps cmd-life/nginx: deleted",
		"delete policy PropagationPolicy cmd-life/nginx-pp: deleted",
		"annotation work.karmada.io/conflict-resolution=overwrite",
	}
	last := -1
	for _, s := range steps {
		i := strings.Index(out, s)
		if i < 0 || i < last {
			t.Errorf("rollback output lacks %q in order", s)
		}
		last = i
	}
	dep, err := e.pair.Member.Client().AppsV1().Deployments(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil || dep.Labels[karmada.ManagedLabel] != "" {
		t.Errorf("member deployment after rollback: %v, labels %v", err, dep.Labels)
	}
	if _, err := e.pair.Karmada.Dynamic().Resource(ppGVR).Namespace(ns).Get(ctx, "nginx-pp", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("policy after rollback: %v", err)
	}
	// Rerun: nothing to do, success.
	code, _, errOut := e.run(t, "karmada", "rollback", "-n", ns, "--policy", "nginx-pp")
	if code != 0 || !strings.Contains(errOut, "Nothing to roll back") {
		t.Errorf("rerun: exit %d, stderr %q", code, errOut)
	}
}

func testAllServices(t *testing.T, e *env) {
	ns := "cmd-services"
	e.pair.CreateApp(t, ns, "a")
	e.pair.CreateApp(t, ns, "b")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, out, _ := e.run(t, "karmada", "migrate", "--cluster", "member1", "-n", ns, "--kind", "v1/Service",
		"--wait", "--interval", "100ms", "--timeout", "1m", "-o", "json")
	if code != 0 || !strings.Contains(out, `"kind": "List"`) || !strings.Contains(out, `"name": "services-pp"`) {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, name := range []string{"a-svc", "b-svc"} {
		svc, err := e.pair.Member.Client().CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || svc.Labels[karmada.ManagedLabel] != "true" {
			t.Errorf("service %s: %v, labels %v", name, err, svc.Labels)
		}
	}
}
