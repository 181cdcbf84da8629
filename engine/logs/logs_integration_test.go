package logs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/logs"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
)

const (
	ns        = "openshift-migration"
	plan      = "inventory-plan"
	migration = "inventory-final"
	ctrlPod   = "migration-controller-6c8d7f9b5-p9d4h"
)

// collector is a Sink and event receiver tests can wait on.
type collector struct {
	mu     sync.Mutex
	lines  []logs.Line
	events []logs.Event
	change chan struct{}
}

func newCollector() *collector { return &collector{change: make(chan struct{}, 1)} }

func (c *collector) WriteLine(l logs.Line) error {
	c.mu.Lock()
	c.lines = append(c.lines, l)
	c.mu.Unlock()
	c.poke()
	return nil
}

func (c *collector) Flush() error { return nil }

func (c *collector) event(ev logs.Event) {
	c.mu.Lock()
	c.events = append(c.events, ev)
	c.mu.Unlock()
	c.poke()
}

func (c *collector) poke() {
	select {
	case c.change <- struct{}{}:
	default:
	}
}

func (c *collector) snapshot() ([]logs.Line, []logs.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lines), slices.Clone(c.events)
}

// waitFor waits until cond holds on what was collected (or the test's
// generous deadline passes, which fails the test).
func (c *collector) waitFor(t *testing.T, what string, cond func([]logs.Line, []logs.Event) bool) {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		lines, events := c.snapshot()
		if cond(lines, events) {
			return
		}
		select {
		case <-c.change:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; lines:\n%s\nevents:\n%v", what, render(lines), events)
		}
	}
}

func hasText(sub string) func([]logs.Line, []logs.Event) bool {
	return func(lines []logs.Line, _ []logs.Event) bool {
		return slices.ContainsFunc(lines, func(l logs.Line) bool { return strings.Contains(l.Text, sub) })
	}
}

func hasEvent(kind logs.EventKind, pod string) func([]logs.Line, []logs.Event) bool {
	return func(_ []logs.Line, events []logs.Event) bool {
		return slices.ContainsFunc(events, func(e logs.Event) bool { return e.Kind == kind && (pod == "" || e.Pod == pod) })
	}
}

func render(lines []logs.Line) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s %s/%s/%s/%s %s\n", l.Time.Format(time.RFC3339Nano), l.Cluster, l.Component, l.Pod, l.Container, l.Text)
	}
	return b.String()
}

func assertOrdered(t *testing.T, lines []logs.Line) {
	t.Helper()
	for i := 1; i < len(lines); i++ {
		if lines[i].Time.Before(lines[i-1].Time) {
			t.Fatalf("line %d is older than line %d:\n%s", i, i-1, render(lines))
		}
	}
}

func run(t *testing.T, ctx context.Context, access *cluster.Access, cfg logs.Config) (*collector, logs.Summary, error) {
	t.Helper()
	c := newCollector()
	cfg.Namespace, cfg.Sink, cfg.Events = ns, c, c.event
	if cfg.Tail == 0 {
		cfg.Tail = -1
	}
	sum, err := logs.Run(ctx, access, cfg)
	return c, sum, err
}

// TestLogs runs the engine on the failed-dvm-rsync-pending scenario: host
// (controller, Velero, the Pending rsync-server) and source (Velero, the
// failed and the Pending rsync client pods, a stage pod), the source reached
// through its MigCluster. The last subtest stops the source cluster.
func TestLogs(t *testing.T) {
	env := scenario.Start(t, "failed-dvm-rsync-pending")
	access, err := cluster.New(cluster.Options{Host: env.Host.Config(), Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("filtering and merge order", func(t *testing.T) { testFiltering(t, access) })
	t.Run("tail after filtering", func(t *testing.T) { testTail(t, access) })
	t.Run("follow pods appearing and disappearing", func(t *testing.T) { testFollow(t, env, access) })
	t.Run("follow objects created later", func(t *testing.T) { testFollowNewObjects(t, env, access) })
	t.Run("until complete", func(t *testing.T) { testUntilComplete(t, env, access) })
	t.Run("unreachable cluster", func(t *testing.T) { testUnreachable(t, env, access) })
}

func testFiltering(t *testing.T, access *cluster.Access) {
	c, sum, err := run(t, context.Background(), access, logs.Config{Plan: plan, AllHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	lines, events := c.snapshot()
	assertOrdered(t, lines)
	text := render(lines)
	for _, want := range []string{
		`host/controller/` + ctrlPod + `/mtc {"level":"info","ts":`, // whole zap lines
		`"msg":"Reconcile","migPlan":"inventory-plan"`,              // the plan
		`"msg":"[COMPLETED]","phase":"Completed","migMigration":"inventory-final"`,
		`"logger":"directvolume","msg":"Rsync Transfer Pod(s) on destination cluster`, // the DVM
		`host/velero/velero-7f9b6c8d4-z6b2n/velero time=`,                             // a restore
		`msg="starting restore" controller=restore`,                                   //
		`source/velero/velero-5d8c7b6f9-w3k7m/velero time=`,                           // a backup
		`msg="Executing takePVSnapshot" backup=openshift-migration/inventory-final-stage-n5w9k`,
		`source/rsync/rsync-7n4xd/rsync rsync: [Receiver] failed to connect to localhost`, // whole transfer pod logs
		`source/stunnel/rsync-7n4xd/stunnel LOG3[0]: s_connect: connect 52.18.104.7:443: Connection refused (111)`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{
		"Starting discovery web server",             // discovery, not about the plan
		"Starting Velero server",                    // Velero start-up
		"Error checking repository for stale locks", // noise about the repository
		"Found 1 backups in the backup location",    // backup sync, names no object of ours
	} {
		if strings.Contains(text, unwanted) {
			t.Errorf("unrelated line %q was kept:\n%s", unwanted, text)
		}
	}
	if n := strings.Count(text, "source/stunnel/rsync-7n4xd/stunnel "); n != 6 {
		t.Errorf("stunnel lines = %d, want all 6", n)
	}
	// The Pending pods have no log: each is reported once, with the reason.
	waiting := map[string]string{}
	for _, ev := range events {
		if ev.Kind == logs.ContainerWaiting {
			for _, c := range ev.Containers {
				waiting[ev.Cluster+"/"+ev.Pod+"/"+c] = ev.Message
			}
		}
	}
	want := map[string]string{
		"source/rsync-4kzt8/rsync":   "ContainerCreating",
		"source/rsync-4kzt8/stunnel": "ContainerCreating",
		"host/rsync-server/rsync":    "Unschedulable: 0/1 nodes are available: 1 node(s) didn't match node selector.",
		"host/rsync-server/stunnel":  "Unschedulable: 0/1 nodes are available: 1 node(s) didn't match node selector.",
	}
	for k, v := range want {
		if waiting[k] != v {
			t.Errorf("waiting %s = %q, want %q (all: %v)", k, waiting[k], v, waiting)
		}
	}
	if sum.Problems != 0 || sum.Lines != len(lines) {
		t.Errorf("summary = %+v with %d lines; events %v", sum, len(lines), events)
	}
}

func testTail(t *testing.T, access *cluster.Access) {
	c, _, err := run(t, context.Background(), access, logs.Config{Migration: migration, AllHistory: true, Tail: 1,
		Components: logs.ComponentSet{logs.Velero: true, logs.Rsync: true}})
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := c.snapshot()
	// The source Velero's last line is about the repository, so its last
	// line about the migration comes before it.
	want := []struct{ where, text string }{
		{"source/velero-5d8c7b6f9-w3k7m", `msg="Backup completed" backup=openshift-migration/inventory-final-stage-n5w9k`},
		{"host/velero-7f9b6c8d4-z6b2n", `msg="restore completed" controller=restore`},
		{"source/rsync-7n4xd", `rsync error: error in socket IO (code 10)`},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), render(lines))
	}
	for i, w := range want {
		if l := lines[i]; l.Cluster+"/"+l.Pod != w.where || !strings.Contains(l.Text, w.text) {
			t.Fatalf("line %d is not %s %q:\n%s", i, w.where, w.text, render(lines))
		}
	}
}

func testFollow(t *testing.T, env *scenario.Env, access *cluster.Access) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCollector()
	done := make(chan error, 1)
	go func() {
		_, err := logs.Run(ctx, access, logs.Config{Namespace: ns, Plan: plan, Follow: true, Tail: -1,
			Sink: c, Events: c.event})
		done <- err
	}()
	c.waitFor(t, "the backlog", hasText("[COMPLETED]"))

	host := env.Host.Kubelet()
	appendLine(t, host.AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"Reconcile","migMigration":"someone-else"}`))
	appendLine(t, host.AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"live one","migMigration":"inventory-final"}`))
	c.waitFor(t, "a live controller line", hasText("live one"))

	// A new rsync client pod appears on the source, logs, and is deleted.
	dvmUID, _ := env.Scenario.UID("host", "DirectVolumeMigration", ns, "inventory-final-6wmzq")
	planUID, _ := env.Scenario.UID("host", "MigPlan", ns, plan)
	createRunningPod(t, env.Source.Client(), env.Source.NodeName(), "inventory", "rsync-new1", map[string]string{
		mtc.DVMAppLabel: mtc.DVMAppValue, mtc.DVMOwnerLabel: mtc.DVMOwnerValue, mtc.PartOfLabel: mtc.PartOfValue,
		"directvolumemigration": string(dvmUID), mtc.MigratedByMigPlanLabel: string(planUID),
	}, "rsync", "stunnel")
	c.waitFor(t, "the new pod to be followed", hasEvent(logs.PodAdded, "rsync-new1"))
	appendLine(t, env.Source.Kubelet().AppendLog("inventory", "rsync-new1", "rsync", "sent 1.2M bytes  received 35 bytes"))
	c.waitFor(t, "the new pod's line", hasText("sent 1.2M bytes"))
	err := env.Source.Client().CoreV1().Pods("inventory").Delete(context.Background(), "rsync-new1", metav1.DeleteOptions{})
	appendLine(t, err)
	c.waitFor(t, "the pod's removal", hasEvent(logs.PodGone, "rsync-new1"))
	appendLine(t, host.AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"live two","dvm":"inventory-final-6wmzq"}`))
	c.waitFor(t, "a line after the pod went", hasText("live two"))

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	lines, events := c.snapshot()
	assertOrdered(t, lines)
	if hasText("someone-else")(lines, nil) {
		t.Error("a line about another migration was kept")
	}
	if n := countEvents(events, logs.PodGone, "rsync-new1"); n != 1 {
		t.Errorf("PodGone reported %d times, want once: %v", n, events)
	}
	if n := countEvents(events, logs.ContainerWaiting, ""); n != 2 {
		t.Errorf("waiting pods reported %d times, want 2 (the pods found at start): %v", n, events)
	}
}

// testFollowNewObjects: a DVM created while following (named unlike its
// migration) is learnt from the watch: its rsync pod is followed, and
// controller lines naming it are kept.
func testFollowNewObjects(t *testing.T, env *scenario.Env, access *cluster.Access) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCollector()
	done := make(chan error, 1)
	go func() {
		_, err := logs.Run(ctx, access, logs.Config{Namespace: ns, Migration: migration, Follow: true, Tail: -1,
			Components: logs.ComponentSet{logs.Controller: true, logs.Rsync: true}, Sink: c, Events: c.event})
		done <- err
	}()
	c.waitFor(t, "the backlog", hasText("[COMPLETED]"))
	migUID, _ := env.Scenario.UID("host", "MigMigration", ns, migration)
	planUID, _ := env.Scenario.UID("host", "MigPlan", ns, plan)
	dvm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "migration.openshift.io/v1alpha1", "kind": "DirectVolumeMigration",
		"metadata": map[string]any{"name": "late-dvm", "namespace": ns,
			"labels": map[string]any{"migmigration": string(migUID), mtc.PartOfLabel: mtc.PartOfValue}},
		"spec": map[string]any{},
	}}
	created, err := env.Host.Dynamic().Resource(kube.DirectVolumeMigs).Namespace(ns).Create(context.Background(), dvm, metav1.CreateOptions{})
	appendLine(t, err)
	createRunningPod(t, env.Source.Client(), env.Source.NodeName(), "inventory", "rsync-late1", map[string]string{
		mtc.DVMAppLabel: mtc.DVMAppValue, mtc.DVMOwnerLabel: mtc.DVMOwnerValue, mtc.PartOfLabel: mtc.PartOfValue,
		"directvolumemigration": string(created.GetUID()), mtc.MigratedByMigPlanLabel: string(planUID),
	}, "rsync")
	c.waitFor(t, "the new DVM's pod to be followed", hasEvent(logs.PodAdded, "rsync-late1"))
	appendLine(t, env.Host.Kubelet().AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"late DVM started","dvm":"late-dvm"}`))
	c.waitFor(t, "the controller line about the new DVM", hasText("late DVM started"))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	appendLine(t, env.Source.Client().CoreV1().Pods("inventory").Delete(context.Background(), "rsync-late1", metav1.DeleteOptions{}))
}

func testUntilComplete(t *testing.T, env *scenario.Env, access *cluster.Access) {
	ctx := context.Background()
	setPhase := func(phase string) {
		t.Helper()
		if err := env.Host.PatchStatus(ctx, kube.MigMigrations, ns, migration, map[string]any{"phase": phase}); err != nil {
			t.Fatal(err)
		}
	}
	setPhase("WaitForDirectVolumeMigrationToComplete") // running again (failing)
	c := newCollector()
	type result struct {
		sum logs.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := logs.Run(ctx, access, logs.Config{Namespace: ns, Migration: migration, UntilComplete: true, Tail: -1,
			Components: logs.ComponentSet{logs.Controller: true}, Drain: 200 * time.Millisecond, Sink: c, Events: c.event})
		done <- result{sum, err}
	}()
	c.waitFor(t, "the backlog", hasText("Marking migration as FAILED"))
	appendLine(t, env.Host.Kubelet().AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"[RUN] (Step 4/4) Cleaning up","migMigration":"inventory-final"}`))
	c.waitFor(t, "a live line", hasText("Cleaning up"))
	setPhase(mtc.PhaseCompleted)
	res := <-done
	if res.err != nil || !res.sum.Completed {
		t.Fatalf("Run = %+v, %v; want it to end by itself on completion", res.sum, res.err)
	}
	_, events := c.snapshot()
	if !slices.ContainsFunc(events, func(e logs.Event) bool {
		return e.Kind == logs.MigrationCompleted && strings.Contains(e.Message, "completed: Failed")
	}) {
		t.Fatalf("no completion event with the outcome: %v", events)
	}
}

func testUnreachable(t *testing.T, env *scenario.Env, access *cluster.Access) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCollector()
	done := make(chan logs.Summary, 1)
	go func() {
		sum, err := logs.Run(ctx, access, logs.Config{Namespace: ns, Plan: plan, Follow: true, Tail: -1, Sink: c, Events: c.event})
		if err != nil {
			t.Errorf("Run = %v", err)
		}
		done <- sum
	}()
	c.waitFor(t, "the source's backlog", hasText("Connection reset: 0 byte(s) sent to TLS"))
	env.Source.Stop()
	c.waitFor(t, "the source to be reported unreachable", hasEvent(logs.ClusterUnreachable, ""))
	appendLine(t, env.Host.Kubelet().AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"still here","migMigration":"inventory-final"}`))
	c.waitFor(t, "the host's logs to go on", hasText("still here"))
	appendLine(t, env.Host.Kubelet().AppendLog(ns, ctrlPod, "mtc", `{"level":"info","msg":"still here again","migMigration":"inventory-final"}`))
	c.waitFor(t, "the host's logs to go on", hasText("still here again"))
	cancel()
	sum := <-done
	_, events := c.snapshot()
	var unreachable []logs.Event
	for _, e := range events {
		if e.Kind == logs.ClusterUnreachable {
			unreachable = append(unreachable, e)
		}
		if e.Kind == logs.StreamFailed || e.Kind == logs.Incomplete {
			t.Errorf("the unreachable cluster caused more reports: %v", e)
		}
	}
	if len(unreachable) != 1 || unreachable[0].Cluster != "source" {
		t.Fatalf("unreachable events = %v, want one for source", unreachable)
	}
	if sum.Problems != 1 {
		t.Errorf("problems = %d, want 1", sum.Problems)
	}
}

func countEvents(events []logs.Event, kind logs.EventKind, pod string) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind && (pod == "" || e.Pod == pod) {
			n++
		}
	}
	return n
}

func appendLine(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// createRunningPod creates a pod on the stand-in kubelet's node and marks its
// containers running, as the kubelet would.
func createRunningPod(t *testing.T, cs kubernetes.Interface, node, namespace, name string, labels map[string]string, containers ...string) {
	t.Helper()
	ctx := context.Background()
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels},
		Spec: corev1.PodSpec{NodeName: node, RestartPolicy: corev1.RestartPolicyNever}}
	status := corev1.PodStatus{Phase: corev1.PodRunning}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c, Image: "registry.example/rsync:1"})
		status.ContainerStatuses = append(status.ContainerStatuses, corev1.ContainerStatus{Name: c, Ready: true,
			Image: "registry.example/rsync:1", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}})
	}
	created, err := cs.CoreV1().Pods(namespace).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = status
	if _, err := cs.CoreV1().Pods(namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
