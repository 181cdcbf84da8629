package collect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

func TestClassify(t *testing.T) {
	gr := schema.GroupResource{Resource: "secrets"}
	tests := []struct {
		name string
		err  error
		want mustgather.FaultKind
	}{
		{"forbidden", apierrors.NewForbidden(gr, "", errors.New("no")), mustgather.FaultForbidden},
		{"unauthorized", apierrors.NewUnauthorized("token expired"), mustgather.FaultUnauthorized},
		{"not found", apierrors.NewNotFound(gr, "x"), mustgather.FaultNotFound},
		{"deadline", fmt.Errorf("list: %w", context.DeadlineExceeded), mustgather.FaultTimeout},
		{"server timeout", apierrors.NewTimeoutError("slow", 1), mustgather.FaultTimeout},
		{"canceled", context.Canceled, mustgather.FaultCanceled},
		{"refused", &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, mustgather.FaultUnreachable},
		{"reset mid-stream", fmt.Errorf("read: %w", syscall.ECONNRESET), mustgather.FaultUnreachable},
		{"cluster down", errClusterDown, mustgather.FaultUnreachable},
		{"other", errors.New("boom"), mustgather.FaultOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}

func TestBreaker(t *testing.T) {
	var b breaker
	refused := fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
	for i := 0; i < downAfter-1; i++ {
		b.observe(refused)
	}
	b.observe(apierrors.NewForbidden(schema.GroupResource{}, "", errors.New("no"))) // the server answered: reset
	for i := 0; i < downAfter-1; i++ {
		b.observe(refused)
		if !b.allow() {
			t.Fatalf("down after %d failures", i+1)
		}
	}
	b.observeStream(fmt.Errorf("stalled: %w", context.DeadlineExceeded)) // a stalled log is not the API server's fault
	b.observe(refused)
	first, second := b.allow(), b.allow()
	if first || second {
		t.Fatal("still up after downAfter consecutive failures")
	}
	f, ok := b.skippedFault("source")
	if !ok || f.Kind != mustgather.FaultUnreachable || !strings.Contains(f.Message, "2 further requests") {
		t.Errorf("skipped fault: %+v", f)
	}
}

func TestLogTargets(t *testing.T) {
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	waiting := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	terminated := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}
	pod := func(node string, init []corev1.ContainerStatus, cs ...corev1.ContainerStatus) *corev1.Pod {
		p := &corev1.Pod{Spec: corev1.PodSpec{NodeName: node}}
		for _, s := range init {
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: s.Name})
		}
		for _, s := range cs {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: s.Name})
		}
		p.Status.InitContainerStatuses, p.Status.ContainerStatuses = init, cs
		return p
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want string
	}{
		{"unscheduled", pod("", nil, corev1.ContainerStatus{Name: "c", State: running}), ""},
		{"running", pod("n", nil, corev1.ContainerStatus{Name: "c", State: running}), "c/current"},
		{"restarted", pod("n", nil, corev1.ContainerStatus{Name: "c", State: running, RestartCount: 2,
			LastTerminationState: terminated}), "c/current c/previous"},
		{"crash looping, waiting", pod("n", nil, corev1.ContainerStatus{Name: "c", State: waiting, RestartCount: 5,
			LastTerminationState: terminated}), "c/previous"},
		{"never started", pod("n", nil, corev1.ContainerStatus{Name: "c", State: waiting}), ""},
		{"init and main", pod("n", []corev1.ContainerStatus{{Name: "init", State: terminated}},
			corev1.ContainerStatus{Name: "rsync", State: running}, corev1.ContainerStatus{Name: "stunnel", State: terminated}),
			"init/current rsync/current stunnel/current"},
		{"no status yet", pod("n", nil, corev1.ContainerStatus{Name: "c"}), ""},
	}
	tests[len(tests)-1].pod.Status.ContainerStatuses = nil
	tests[len(tests)-1].want = "c/current"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range logTargets(tt.pod) {
				got = append(got, l.container+"/"+string(l.kind))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestIdleWatch(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	w := newIdleWatch(50*time.Millisecond, cancel)
	defer w.stop()
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), errStalled) {
		t.Fatalf("cause %v", context.Cause(ctx))
	}
	if err := causeOf(ctx, context.Canceled); classify(err) != mustgather.FaultTimeout {
		t.Errorf("a stall classifies as %s (%v)", classify(err), err)
	}
}

func TestRedactURL(t *testing.T) {
	if got := redactURL("https://user:pw@thanos.example.com/api?token=x#f"); got != "https://thanos.example.com/api" {
		t.Errorf("got %s", got)
	}
}

func TestRenderSummary(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	m := mustgather.Manifest{Tool: mustgather.Tool{Name: "kubectl-mig", Version: "v1"}, StartedAt: now, FinishedAt: now.Add(3 * time.Second),
		Partial: true, Clusters: []mustgather.ClusterInfo{{Name: "host", Host: true, Reachable: true, Version: "v1.30.0",
			MTCNamespaces: []string{"openshift-migration"}, Namespaces: []string{"openshift-migration", "shop"}}},
		Faults: []mustgather.Fault{{Cluster: "source", Step: "connect", Kind: mustgather.FaultUnauthorized, Message: "token\nexpired"}}}
	plans := []mustgather.PlanIndex{{Name: "p", Namespace: "openshift-migration",
		Source: mustgather.PlanCluster{MigCluster: "source"}, Destination: mustgather.PlanCluster{MigCluster: "host", Cluster: "host"},
		Namespaces: []mustgather.NamespacePair{{Source: "a", Destination: "b"}}}}
	s := renderSummary(m, plans, metricsSummary{Note: "no Prometheus found"})
	for _, want := range []string{"**partial**: 1 faults", "| host | - | true | v1.30.0 | true | openshift-migration | 2 (+0",
		"| openshift-migration/p | source (not gathered) | host | a→b |", "[unauthorized] source connect: token expired",
		"Prometheus: no Prometheus found"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}
