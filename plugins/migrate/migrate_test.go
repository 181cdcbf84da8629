package migrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/migrate"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
)

const ns = cmdtest.Namespace

// pause between the statuses the simulated controller writes, so that the
// follower's watch sees each of them.
const pause = 300 * time.Millisecond

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func createPlan(t *testing.T, h *cmdtest.Harness, name string, status map[string]any, closed bool) {
	t.Helper()
	must(t, h.Host.Create(context.Background(), kube.MigPlans, map[string]any{
		"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"srcMigClusterRef":  map[string]any{"name": "source", "namespace": ns},
			"destMigClusterRef": map[string]any{"name": "host", "namespace": ns},
			"migStorageRef":     map[string]any{"name": "s3", "namespace": ns},
			"namespaces":        []any{"shop"},
			"closed":            closed,
		},
		"status": status,
	}))
}

func migrationCount(t *testing.T, h *cmdtest.Harness) int {
	t.Helper()
	l, err := h.Pair.Host.Dynamic().Resource(kube.MigMigrations).Namespace(ns).List(context.Background(), metav1.ListOptions{})
	must(t, err)
	return len(l.Items)
}

// drive runs the simulated controller for one migration in the background
// and returns a function that waits for it.
func drive(t *testing.T, h *cmdtest.Harness, name string, statuses ...map[string]any) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan error, 1)
	go func() { done <- h.Host.Drive(ctx, name, pause, statuses...) }()
	return func() {
		t.Helper()
		defer cancel()
		must(t, <-done)
	}
}

func pipeline(current string, failed bool, progress ...string) []any {
	steps := []map[string]any{cmdtest.Step("Prepare", "Completed", true, true)}
	switch current {
	case "Backup":
		steps = append(steps, cmdtest.Step("Backup", "", true, false, progress...))
	case "DirectVolume":
		steps = append(steps, cmdtest.Step("Backup", "Completed", true, true,
			"Backup openshift-migration/m-initial-x: 10 out of estimated total of 10 objects backed up (4s)"))
		s := cmdtest.Step("DirectVolume", "", true, failed, progress...)
		if failed {
			s["failed"], s["message"] = true, "Failed"
		}
		steps = append(steps, s)
	}
	return cmdtest.Pipeline(steps...)
}

func running(phase string, n int, current string, progress ...string) map[string]any {
	return cmdtest.Running("Final", phase, n, 4, pipeline(current, false, progress...))
}

func TestMigrate(t *testing.T) {
	h := cmdtest.New(t)
	createPlan(t, h, "shop", cmdtest.ReadyPlanStatus(), false)
	createPlan(t, h, "blocked", map[string]any{"conditions": cmdtest.Conditions(
		cmdtest.Condition("NamespaceNotFoundOnSourceCluster", "Critical", "NotFound", "Namespaces [shop] not found on the source cluster."))}, false)
	createPlan(t, h, "done", cmdtest.ReadyPlanStatus(), true)

	t.Run("refused when the plan is not Ready or closed", func(t *testing.T) {
		r := h.Run("migrate", "blocked")
		if r.Code != 1 || !strings.Contains(r.Err, "not Ready") || !strings.Contains(r.Err, "NamespaceNotFoundOnSourceCluster") ||
			!strings.Contains(r.Err, "Namespaces [shop] not found") {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		r = h.Run("migrate", "done")
		if r.Code != 1 || !strings.Contains(r.Err, "closed") {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		if r := h.Run("migrate", "ghost"); r.Code != 1 || !strings.Contains(r.Err, `"ghost" does not exist`) {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		if n := migrationCount(t, h); n != 0 {
			t.Fatalf("%d migrations created", n)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"migrate", "shop", "--stage", "--quiesce"},
			{"migrate", "shop", "--strict"},
			{"migrate", "shop", "--timeout", "1m"},
			{"migrate", "shop", "--wait", "--dry-run=server"},
			{"migrate", "shop", "--dry-run=sometimes"},
		} {
			if r := h.Run(args...); r.Code != 2 {
				t.Errorf("%v: exit %d: %s", args, r.Code, r.Err)
			}
		}
	})

	t.Run("dry runs create nothing", func(t *testing.T) {
		r := h.Run("migrate", "shop", "--stage", "--dry-run=client", "-o", "yaml")
		if r.Code != 0 || !strings.Contains(r.Out, "generateName: shop-stage-") || !strings.Contains(r.Out, "stage: true") ||
			strings.Contains(r.Out, "quiescePods") {
			t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
		}
		r = h.Run("migrate", "shop", "--name", "m0", "--dry-run=server")
		if r.Code != 0 || strings.TrimSpace(r.Out) != "migmigration.migration.openshift.io/m0 created (server dry run)" {
			t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
		}
		if n := migrationCount(t, h); n != 0 {
			t.Fatalf("%d migrations created by dry runs", n)
		}
	})

	t.Run("wait follows to Succeeded", func(t *testing.T) {
		wait := drive(t, h, "m1",
			running("Started", 1, ""),
			running("InitialBackupCreated", 2, "Backup", "Backup openshift-migration/m1-initial-x: 3 out of estimated total of 10 objects backed up (2s)"),
			running("WaitForDirectVolumeMigrationToComplete", 3, "DirectVolume", "[data] shop/rsync-abc: Running - Attempt 1 of 20 40% (Transfer rate 12MB/s) (10s)"),
			cmdtest.Completed("Final", pipeline("DirectVolume", false, "[data] shop/rsync-abc: Completed - Attempt 1 of 20 100%"), nil,
				cmdtest.Condition("Succeeded", "Advisory", "Completed", "The migration has completed successfully.")))
		r := h.Run("migrate", "shop", "--name", "m1", "--wait", "--timeout", "1m")
		wait()
		if r.Code != 0 {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		if r.Out != "migmigration.migration.openshift.io/m1 created\nmigmigration.migration.openshift.io/m1 Succeeded\n" {
			t.Errorf("stdout:\n%s", r.Out)
		}
		for _, want := range []string{"[2/4] Final: InitialBackupCreated (step Backup)", "3 out of estimated total of 10 objects",
			"DirectVolume: [data] shop/rsync-abc: Running", "Final: Succeeded"} {
			if !strings.Contains(r.Err, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.Err)
			}
		}
		m, err := h.Host.Get(context.Background(), kube.MigMigrations, "m1")
		must(t, err)
		if q, _, _ := unstructured.NestedBool(m.Object, "spec", "quiescePods"); !q {
			t.Error("cutover without quiescePods")
		}
	})

	t.Run("wait reports Failed", func(t *testing.T) {
		wait := drive(t, h, "m2",
			running("WaitForDirectVolumeMigrationToComplete", 3, "DirectVolume", "[data] shop/rsync-abc: Failed - Attempt 20 of 20 0% (20s)"),
			cmdtest.Completed("Failed", pipeline("DirectVolume", true, "[data] shop/rsync-abc: Failed - Attempt 20 of 20 0% (20s)"),
				[]string{"DVM failed: rsync operation for PVC shop/data failed after 20 attempts"},
				cmdtest.Condition("Failed", "Advisory", "WaitForDirectVolumeMigrationToComplete", "The migration has failed.  See: Errors."),
				cmdtest.Condition("DirectVolumeMigrationFailed", "Warn", "", "DirectVolumeMigration (dvm): openshift-migration/m2-x failed.")))
		r := h.Run("migrate", "shop", "--name", "m2", "--wait")
		wait()
		if r.Code != migrate.ExitFailed {
			t.Fatalf("exit %d, want %d\nout: %s\nerr: %s", r.Code, migrate.ExitFailed, r.Out, r.Err)
		}
		for _, want := range []string{"m2 Failed at step DirectVolume (phase WaitForDirectVolumeMigrationToComplete)",
			"  - DVM failed: rsync operation for PVC shop/data failed after 20 attempts", "DirectVolumeMigrationFailed",
			"kubectl mig diagnose --migration m2"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.Out)
			}
		}
		if !strings.Contains(r.Err, "Error: DVM failed") {
			t.Errorf("stderr lacks the error as it appeared:\n%s", r.Err)
		}
	})

	warned := func(name string) []map[string]any {
		w := cmdtest.Condition("VeleroFinalRestorePartiallyFailed", "Warn", "", "Final Restore openshift-migration/"+name+"-final-x: partially failed on destination cluster")
		return []map[string]any{
			running("FinalRestoreCreated", 3, "DirectVolume"),
			cmdtest.Running("Final", "Verification", 4, 4, pipeline("DirectVolume", false), w),
			cmdtest.Completed("Final", pipeline("DirectVolume", false), nil,
				cmdtest.Condition("SucceededWithWarnings", "Advisory", "Completed", "The migration has completed with warnings, please look at `Warn` conditions."), w),
		}
	}

	t.Run("wait reports SucceededWithWarnings", func(t *testing.T) {
		wait := drive(t, h, "m3", warned("m3")...)
		r := h.Run("migrate", "shop", "--name", "m3", "--wait")
		wait()
		if r.Code != 0 || !strings.Contains(r.Out, "m3 SucceededWithWarnings:\n  - VeleroFinalRestorePartiallyFailed: Final Restore") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		if !strings.Contains(r.Err, "Warning: VeleroFinalRestorePartiallyFailed") {
			t.Errorf("stderr lacks the warning as it appeared:\n%s", r.Err)
		}
		wait = drive(t, h, "m4", warned("m4")...)
		r = h.Run("migrate", "shop", "--name", "m4", "--wait", "--strict")
		wait()
		if r.Code != migrate.ExitWarnings {
			t.Fatalf("--strict: exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			if err := h.Host.Drive(ctx, "m5", pause, running("InitialBackupCreated", 2, "Backup")); err != nil {
				done <- err
				return
			}
			if _, err := h.Host.WaitFor(ctx, kube.MigMigrations, "m5", func(u *unstructured.Unstructured) bool {
				c, _, _ := unstructured.NestedBool(u.Object, "spec", "canceled")
				return c
			}); err != nil {
				done <- err
				return
			}
			done <- h.Host.Drive(ctx, "m5", pause,
				cmdtest.Running("Cancel", "DeleteBackups", 2, 12, nil, cmdtest.Condition("Canceling", "Advisory", "Cancel", "The migration is being canceled.")),
				cmdtest.Completed("Cancel", nil, nil, cmdtest.Condition("Canceled", "Advisory", "Cancel", "The migration has been canceled.")))
		}()
		follow := make(chan cmdtest.Result, 1)
		go func() { follow <- h.Run("migrate", "shop", "--name", "m5", "--wait") }()
		_, err := h.Host.WaitFor(ctx, kube.MigMigrations, "m5", func(u *unstructured.Unstructured) bool {
			p, _, _ := unstructured.NestedString(u.Object, "status", "phase")
			return p != ""
		})
		must(t, err)
		if r := h.Run("migrate", "cancel", "m5", "--dry-run=server"); r.Code != 0 || !strings.Contains(r.Out, "(server dry run)") {
			t.Fatalf("dry run: exit %d %s %s", r.Code, r.Out, r.Err)
		}
		r := h.Run("migrate", "cancel", "m5", "--wait")
		must(t, <-done)
		if r.Code != 0 || !strings.Contains(r.Out, "m5 cancel requested\n") || !strings.Contains(r.Out, "m5 Canceled") {
			t.Fatalf("cancel: exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
		f := <-follow
		if f.Code != migrate.ExitCanceled || !strings.Contains(f.Out, "m5 Canceled") {
			t.Fatalf("follower: exit %d\nout: %s\nerr: %s", f.Code, f.Out, f.Err)
		}
		if r := h.Run("migrate", "cancel", "m5"); r.Code != 1 || !strings.Contains(r.Err, "already finished") {
			t.Fatalf("cancel finished migration: exit %d %s", r.Code, r.Err)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		r := h.Run("migrate", "shop", "--name", "m6", "--wait", "--timeout", "2s")
		if r.Code != migrate.ExitTimeout || !strings.Contains(r.Err, "timed out after 2s") || !strings.Contains(r.Err, "goes on running") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
	})

	t.Run("blocked for good", func(t *testing.T) {
		wait := drive(t, h, "m7", map[string]any{"conditions": cmdtest.Conditions(
			cmdtest.Condition("HasFinalMigration", "Critical", "", "The associated MigPlan already has a final migration, subject: openshift-migration/shop."))})
		r := h.Run("migrate", "shop", "--name", "m7", "--wait")
		wait()
		if r.Code != migrate.ExitBlocked || !strings.Contains(r.Out, "HasFinalMigration") || !strings.Contains(r.Err, "Blocked: HasFinalMigration") {
			t.Fatalf("exit %d\nout: %s\nerr: %s", r.Code, r.Out, r.Err)
		}
	})

	t.Run("migration list", func(t *testing.T) {
		r := h.Run("migration", "list", "--plan", "shop")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		lines := strings.Split(strings.TrimSpace(r.Out), "\n")
		if len(lines) != 8 || !strings.HasPrefix(lines[0], "NAME") {
			t.Fatalf("table:\n%s", r.Out)
		}
		for _, want := range []string{"m1 ", "Succeeded", "m2 ", "Failed", "m5 ", "Canceled", "m7 ", "Blocked"} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("list lacks %q:\n%s", want, r.Out)
			}
		}
		r = h.Run("migration", "list", "-o", "name")
		if strings.Count(r.Out, "migmigration.migration.openshift.io/") != 7 {
			t.Fatalf("names:\n%s", r.Out)
		}
		r = h.Run("migration", "list", "-o", "wide")
		if !strings.Contains(r.Out, "FAILED STEP") || !strings.Contains(r.Out, "DirectVolume") {
			t.Fatalf("wide:\n%s", r.Out)
		}
		r = h.Run("__complete", "migrate", "cancel", "m")
		if !strings.Contains(r.Out, "m1\n") || !strings.Contains(r.Out, "m7\n") {
			t.Fatalf("completion: %q", r.Out)
		}
	})
}

func TestMigrationDescribeScenario(t *testing.T) {
	h := cmdtest.New(t)
	h.LoadScenario("failed-dvm-rsync-pending")
	r := h.Run("migration", "describe", "inventory-final")
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	for _, want := range []string{
		"Outcome:", "Failed", "DirectVolume", "DVM failed: rsync operation for PVC inventory/data-mysql-0 failed after 20 attempts",
		"MigMigration openshift-migration/inventory-final [Failed] on host (!)",
		"Backup openshift-migration/inventory-final-initial-t8r4c [Completed] on source",
		"57/57 items",
		"$ kubectl describe backups.velero.io inventory-final-initial-t8r4c -n openshift-migration",
		"Restore openshift-migration/inventory-final-stage-x2f6v [Completed] on host",
		"DirectVolumeMigration openshift-migration/inventory-final-6wmzq",
		"RsyncClientPodsPending",
		"DirectVolumeMigrationProgress openshift-migration/",
		"[Failed 0%]", "exit code 10", "[Pending]",
		"Pod inventory/rsync-server [Pending] on host (!)",
		"$ kubectl logs rsync-server -n inventory -c rsync",
		"$ kubectl mig diagnose --migration inventory-final",
	} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("describe lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", r.Out, r.Err)
	}
	js := h.Run("migration", "describe", "inventory-final", "-o", "json")
	if js.Code != 0 || !strings.Contains(js.Out, `"kind": "DirectVolumeMigrationProgress"`) {
		t.Fatalf("json: exit %d\n%s", js.Code, js.Out)
	}
}
