package plan_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
)

const ns = cmdtest.Namespace

// fixtures creates the MigStorage and MigHooks the plans reference.
func fixtures(t *testing.T, h *cmdtest.Harness) {
	t.Helper()
	ctx := context.Background()
	must(t, h.Host.Create(ctx, kube.MigStorages, map[string]any{
		"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigStorage",
		"metadata": map[string]any{"name": "s3", "namespace": ns},
		"spec":     map[string]any{"backupStorageProvider": "aws", "backupStorageConfig": map[string]any{"awsBucketName": "b"}},
		"status":   cmdtest.ReadyStatus("The storage is ready."),
	}))
	for _, name := range []string{"flush", "warmup"} {
		must(t, h.Host.Create(ctx, kube.MigHooks, map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigHook",
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec":     map[string]any{"custom": true, "image": "quay.io/konveyor/hook-runner:latest", "targetCluster": "source"},
			"status":   cmdtest.ReadyStatus("The hook is ready."),
		}))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func planCount(t *testing.T, h *cmdtest.Harness) int {
	t.Helper()
	l, err := h.Pair.Host.Dynamic().Resource(kube.MigPlans).Namespace(ns).List(context.Background(), metav1.ListOptions{})
	must(t, err)
	return len(l.Items)
}

func getPlan(t *testing.T, h *cmdtest.Harness, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := h.Host.Get(context.Background(), kube.MigPlans, name)
	must(t, err)
	return u
}

func TestPlanCommands(t *testing.T) {
	h := cmdtest.New(t)
	fixtures(t, h)
	base := []string{"plan", "create", "shop", "--source", "source", "--destination", "host", "--storage", "s3"}

	t.Run("invalid inputs are rejected and nothing is created", func(t *testing.T) {
		tests := []struct {
			name string
			args []string
			code int
			want string
		}{
			{"empty namespaces", []string{}, 2, "NamespaceListEmpty"},
			{"bad name", []string{"--namespaces", "Shop_1"}, 2, "NamespaceNotDNSCompliant"},
			{"bad mapping", []string{"--namespaces", "a:b:c"}, 2, "InvalidNamespaceMapping"},
			{"empty destination", []string{"--namespaces", "a:"}, 2, "InvalidNamespaceMapping"},
			{"duplicate source", []string{"--namespaces", "a,a:b"}, 2, "DuplicateNamespaceOnSourceCluster"},
			{"duplicate destination", []string{"--namespaces", "a:c,b:c"}, 2, "DuplicateNamespaceOnDestinationCluster"},
			{"five hooks", []string{"--namespaces", "a", "--hook", "PreBackup=flush", "--hook", "PostBackup=flush",
				"--hook", "PreRestore=flush", "--hook", "PostRestore=flush", "--hook", "PostRestore=warmup"}, 2, "TooManyHooks"},
			{"duplicate phase", []string{"--namespaces", "a", "--hook", "PreBackup=flush", "--hook", "PreBackup=warmup"}, 2, "HookPhaseDuplicate"},
			{"unknown phase", []string{"--namespaces", "a", "--hook", "MidBackup=flush"}, 2, "HookPhaseUnknown"},
			{"bad hook syntax", []string{"--namespaces", "a", "--hook", "PreBackup"}, 2, "PHASE=HOOK"},
			{"bad hook namespace", []string{"--namespaces", "a", "--hook", "PreBackup=flush,namespace=Bad_NS"}, 2, "InvalidHookNSName"},
			{"bad hook service account", []string{"--namespaces", "a", "--hook", "PreBackup=flush,service-account=SA!"}, 2, "InvalidHookSAName"},
			{"missing source cluster", []string{"--namespaces", "a", "--source", "nowhere"}, 1, "MigCluster \"nowhere\" does not exist"},
			{"missing destination cluster", []string{"--namespaces", "a", "--destination", "nowhere"}, 1, "InvalidDestinationClusterRef"},
			{"missing storage", []string{"--namespaces", "a", "--storage", "gcs"}, 1, "InvalidStorageRef"},
			{"missing hook", []string{"--namespaces", "a", "--hook", "PreBackup=ghost"}, 1, "InvalidHookRef"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := h.Run(append(append([]string{}, base...), tt.args...)...)
				if r.Code != tt.code || !strings.Contains(r.Err, tt.want) {
					t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", r.Code, r.Err, tt.code, tt.want)
				}
				if r.Out != "" {
					t.Errorf("stdout = %q, want nothing", r.Out)
				}
				if n := planCount(t, h); n != 0 {
					t.Fatalf("%d plans exist after a rejected create", n)
				}
			})
		}
	})

	t.Run("client dry run needs no cluster", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "kubeconfig")
		cfg := clientcmdapi.NewConfig()
		cfg.Clusters["gone"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
		cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "x"}
		cfg.Contexts["gone"] = &clientcmdapi.Context{Cluster: "gone", AuthInfo: "u"}
		cfg.CurrentContext = "gone"
		must(t, clientcmd.WriteToFile(*cfg, bad))
		args := append(append([]string{}, base...), "--namespaces", "shop,db:db-new", "--hook", "PreBackup=flush", "--dry-run=client", "-o", "yaml")
		r := cmdtest.Exec(context.Background(), bad, nil, args...)
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		for _, want := range []string{"kind: MigPlan", "name: shop", "- db:db-new", "phase: PreBackup", "serviceAccount: migration-controller"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.Out)
			}
		}
		for _, want := range []string{"skipped", "MigCluster openshift-migration/source (source) exists", "MigHook openshift-migration/flush exists"} {
			if !strings.Contains(r.Err, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.Err)
			}
		}
	})

	t.Run("server dry run creates nothing", func(t *testing.T) {
		r := h.Run(append(append([]string{}, base...), "--namespaces", "shop", "--dry-run=server")...)
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migplan.migration.openshift.io/shop created (server dry run)" {
			t.Fatalf("exit %d, out %q, err %q", r.Code, r.Out, r.Err)
		}
		if n := planCount(t, h); n != 0 {
			t.Fatalf("%d plans after a server dry run", n)
		}
	})

	t.Run("create and wait until Ready", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := h.Host.WaitFor(ctx, kube.MigPlans, "shop", nil)
			if err == nil {
				err = h.Host.Status(ctx, kube.MigPlans, "shop", cmdtest.ReadyPlanStatus(
					cmdtest.Condition("MigrationTypeIdentified", "Advisory", "NamespaceMigrationPlan", "identified"),
					cmdtest.Condition("SourcePodsNotHealthy", "Warn", "NotHealthy", "Source namespace(s) contain unhealthy pods.")))
			}
			done <- err
		}()
		r := h.Run(append(append([]string{}, base...), "--namespaces", "shop,db:db-new", "--hook", "PreBackup=flush,namespace=shop",
			"--indirect-images", "--wait-ready", "--timeout", "30s")...)
		must(t, <-done)
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migplan.migration.openshift.io/shop created" || !strings.Contains(r.Err, "plan shop is Ready") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		p := getPlan(t, h, "shop")
		hooks, _, _ := unstructured.NestedSlice(p.Object, "spec", "hooks")
		indirect, _, _ := unstructured.NestedBool(p.Object, "spec", "indirectImageMigration")
		if len(hooks) != 1 || !indirect {
			t.Fatalf("spec = %v", p.Object["spec"])
		}
	})

	t.Run("create a plan that never becomes Ready", func(t *testing.T) {
		ctx := context.Background()
		go func() {
			if _, err := h.Host.WaitFor(ctx, kube.MigPlans, "broken", nil); err == nil {
				_ = h.Host.Status(ctx, kube.MigPlans, "broken", map[string]any{"conditions": cmdtest.Conditions(
					cmdtest.Condition("NamespaceNotFoundOnSourceCluster", "Critical", "NotFound", "Namespaces [ghost] not found on the source cluster."))})
			}
		}()
		r := h.Run("plan", "create", "broken", "--source", "source", "--destination", "host", "--storage", "s3",
			"--namespaces", "ghost", "--wait-ready", "--timeout", "3s")
		if r.Code != 1 || !strings.Contains(r.Err, "NamespaceNotFoundOnSourceCluster") || !strings.Contains(r.Out, "broken created") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
	})

	t.Run("an existing name is refused", func(t *testing.T) {
		r := h.Run(append(append([]string{}, base...), "--namespaces", "shop")...)
		if r.Code != 1 || !strings.Contains(r.Err, "already exists") {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
	})

	t.Run("list", func(t *testing.T) {
		r := h.Run("plan", "list")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		lines := strings.Split(strings.TrimSpace(r.Out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "LAST RESULT") {
			t.Fatalf("table:\n%s", r.Out)
		}
		if f := strings.Fields(lines[2]); f[0] != "shop" || f[1] != "True" || f[2] != "source" || f[3] != "host" || f[4] != "s3" || f[5] != "shop,db:db-new" || f[6] != "0" {
			t.Fatalf("shop row = %v", f)
		}
		if f := strings.Fields(lines[1]); f[0] != "broken" || f[1] != "False" {
			t.Fatalf("broken row = %v", f)
		}
		wide := h.Run("plan", "list", "-o", "wide")
		if !strings.Contains(wide.Out, "NamespaceNotFoundOnSourceCluster") || !strings.Contains(wide.Out, "NamespaceMigrationPlan") {
			t.Fatalf("wide:\n%s", wide.Out)
		}
		js := h.Run("plan", "list", "-o", "json")
		var list struct {
			Kind  string           `json:"kind"`
			Items []map[string]any `json:"items"`
		}
		must(t, json.Unmarshal([]byte(js.Out), &list))
		if list.Kind != "List" || len(list.Items) != 2 {
			t.Fatalf("json: %s", js.Out)
		}
		names := h.Run("plan", "list", "-o", "name")
		if names.Out != "migplan.migration.openshift.io/broken\nmigplan.migration.openshift.io/shop\n" {
			t.Fatalf("names: %q", names.Out)
		}
		jp := h.Run("plan", "list", "-o", "jsonpath={.items[*].metadata.name}")
		if jp.Out != "broken shop" {
			t.Fatalf("jsonpath: %q", jp.Out)
		}
		if bad := h.Run("plan", "list", "-o", "xml"); bad.Code != 2 {
			t.Fatalf("-o xml: exit %d %s", bad.Code, bad.Err)
		}
	})

	t.Run("describe", func(t *testing.T) {
		r := h.Run("plan", "describe", "shop")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		for _, want := range []string{"Name:", "shop", "Namespaces:", "db -> db-new", "Warn:", "SourcePodsNotHealthy",
			"Required:", "StorageEnsured", "Hooks:", "PreBackup", "flush", "Images:", "indirect", "Migrations:"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("describe lacks %q:\n%s", want, r.Out)
			}
		}
		if strings.Index(r.Out, "Warn:") > strings.Index(r.Out, "Required:") {
			t.Errorf("Warn conditions should come before Required ones:\n%s", r.Out)
		}
		js := h.Run("plan", "describe", "broken", "-o", "json")
		var d map[string]any
		must(t, json.Unmarshal([]byte(js.Out), &d))
		if d["name"] != "broken" || d["ready"] != false {
			t.Fatalf("json: %s", js.Out)
		}
		missing := h.Run("plan", "describe", "ghost")
		if missing.Code != 1 || !strings.Contains(missing.Err, `"ghost" does not exist`) {
			t.Fatalf("exit %d: %s", missing.Code, missing.Err)
		}
	})

	t.Run("validate", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			done <- h.Host.ServeRefresh(ctx, "broken", cmdtest.ReadyPlanStatus())
		}()
		r := h.Run("plan", "validate", "broken", "--timeout", "30s")
		must(t, <-done)
		if r.Code != 0 || !strings.Contains(r.Out, "plan broken is Ready") || !strings.Contains(r.Out, "cleared conditions: NamespaceNotFoundOnSourceCluster") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		go func() {
			done <- h.Host.ServeRefresh(ctx, "broken", map[string]any{"conditions": cmdtest.Conditions(
				cmdtest.Condition("InvalidStorageRef", "Critical", "NotFound", "The `spec.migStorageRef` must reference a valid `migstorage`."))})
		}()
		r = h.Run("plan", "validate", "broken", "--timeout", "30s")
		must(t, <-done)
		if r.Code != 1 || !strings.Contains(r.Out, "NOT Ready") || !strings.Contains(r.Out, "InvalidStorageRef") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		// Nobody answers: the wait ends with advice.
		r = h.Run("plan", "validate", "broken", "--timeout", "2s")
		if r.Code != 1 || !strings.Contains(r.Err, "migration-controller") {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		must(t, h.Host.Patch(ctx, kube.MigPlans, "broken", map[string]any{"spec": map[string]any{"refresh": false}}))
	})

	t.Run("close", func(t *testing.T) {
		for _, dry := range []string{"--dry-run=client", "--dry-run=server"} {
			r := h.Run("plan", "close", "broken", dry)
			if r.Code != 0 || !strings.Contains(r.Out, "closed (") {
				t.Fatalf("%s: exit %d out %q err %q", dry, r.Code, r.Out, r.Err)
			}
			if closed, _, _ := unstructured.NestedBool(getPlan(t, h, "broken").Object, "spec", "closed"); closed {
				t.Fatalf("%s closed the plan", dry)
			}
		}
		r := h.Run("plan", "close", "broken")
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migplan.migration.openshift.io/broken closed" {
			t.Fatalf("exit %d out %q err %q", r.Code, r.Out, r.Err)
		}
		if closed, _, _ := unstructured.NestedBool(getPlan(t, h, "broken").Object, "spec", "closed"); !closed {
			t.Fatal("plan not closed")
		}
		if r := h.Run("plan", "close", "broken"); !strings.Contains(r.Out, "already closed") {
			t.Fatalf("second close: %q", r.Out)
		}
		if r := h.Run("plan", "validate", "broken"); r.Code != 1 || !strings.Contains(r.Err, "closed") {
			t.Fatalf("validate closed plan: exit %d %s", r.Code, r.Err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		ctx := context.Background()
		must(t, h.Host.Create(ctx, kube.MigMigrations, map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigMigration",
			"metadata": map[string]any{"name": "shop-stage-1", "namespace": ns},
			"spec":     map[string]any{"stage": true, "migPlanRef": map[string]any{"name": "shop", "namespace": ns}},
			"status":   cmdtest.Running("Stage", "StageBackupCreated", 20, 30, nil),
		}))
		r := h.Run("plan", "delete", "shop")
		if r.Code != 1 || !strings.Contains(r.Err, "still running") || !strings.Contains(r.Err, "--force") {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		r = h.Run("plan", "delete", "shop", "--force", "--dry-run=server")
		if r.Code != 0 || !strings.Contains(r.Err, "would be deleted with it: shop-stage-1") || planCount(t, h) != 2 {
			t.Fatalf("dry run: exit %d out %q err %q", r.Code, r.Out, r.Err)
		}
		must(t, h.Host.Status(ctx, kube.MigMigrations, "shop-stage-1", cmdtest.Completed("Stage", nil, nil,
			cmdtest.Condition("Succeeded", "Advisory", "Completed", "The migration has completed successfully."))))
		r = h.Run("plan", "delete", "shop")
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migplan.migration.openshift.io/shop deleted" ||
			!strings.Contains(r.Err, "shop-stage-1 (Stage Succeeded)") {
			t.Fatalf("exit %d out %q err %q", r.Code, r.Out, r.Err)
		}
		if planCount(t, h) != 1 {
			t.Fatal("plan not deleted")
		}
	})

	t.Run("completion", func(t *testing.T) {
		r := h.Run("__complete", "plan", "describe", "")
		if !strings.Contains(r.Out, "broken\n") || !strings.Contains(r.Out, ":4") {
			t.Fatalf("completion: %q %q", r.Out, r.Err)
		}
	})
}

func TestPlanOnScenario(t *testing.T) {
	h := cmdtest.New(t)
	h.LoadScenario("failed-dvm-rsync-pending")
	r := h.Run("plan", "list")
	if r.Code != 0 || !strings.Contains(r.Out, "inventory-plan") || !strings.Contains(r.Out, "Final Failed") {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	r = h.Run("plan", "describe", "inventory-plan")
	for _, want := range []string{"pvc-0c7d2e91-5a4b-4f3c-8e6d-b1a2c3d4e5f6", "inventory/data-mysql-0", "copy", "filesystem",
		"nfs-archive", "move", "inventory-final", "Final", "Failed", "NamespaceMigrationPlan"} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("describe lacks %q:\n%s", want, r.Out)
		}
	}
}
