package kubelet_test

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const ns = "logs-test"

// TestKubelet runs the stand-in behind a real apiserver; one cluster serves
// all cases (each pod has its own name).
func TestKubelet(t *testing.T) {
	c := testenv.NewCluster(t, "kubelet")
	if err := c.EnsureNamespace(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	t.Run("reads", func(t *testing.T) { testReads(t, c) })
	t.Run("follow until pod deleted", func(t *testing.T) { testFollow(t, c) })
	t.Run("follow until log ended", func(t *testing.T) { testFollowEndLog(t, c) })
}

// testReads reads logs the way kubectl does (pods/log through the
// apiserver's proxy) with the query parameters kubectl offers.
func testReads(t *testing.T, c *testenv.Cluster) {
	ctx := context.Background()
	cs := c.Client()
	createPod(t, cs, c.NodeName(), "app", runningStatus("main"))
	createPod(t, cs, c.NodeName(), "starting", corev1.PodStatus{
		Phase: corev1.PodPending,
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Image: "registry.example/app:1",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}},
		}},
	})
	base := time.Now().Add(-10 * time.Minute).UTC()
	var content strings.Builder
	for i, msg := range []string{"one", "two", "three", "four", "five"} {
		content.WriteString(base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano) + " " + msg + "\n")
	}
	kl := c.Kubelet()
	if err := kl.SetLog(ns, "app", "main", strings.NewReader(content.String())); err != nil {
		t.Fatal(err)
	}
	if err := kl.SetPreviousLog(ns, "app", "main", strings.NewReader("crashed: out of memory\n")); err != nil {
		t.Fatal(err)
	}
	sinceTime := metav1.NewTime(base.Add(150 * time.Second))
	tests := []struct {
		name    string
		pod     string
		opts    corev1.PodLogOptions
		want    string
		wantErr string
	}{
		{name: "all", pod: "app", want: "one\ntwo\nthree\nfour\nfive\n"},
		{name: "tailLines", pod: "app", opts: corev1.PodLogOptions{TailLines: ptr[int64](2)}, want: "four\nfive\n"},
		{name: "previous", pod: "app", opts: corev1.PodLogOptions{Previous: true}, want: "crashed: out of memory\n"},
		{name: "sinceTime", pod: "app", opts: corev1.PodLogOptions{SinceTime: &sinceTime}, want: "four\nfive\n"},
		{name: "sinceSeconds", pod: "app", opts: corev1.PodLogOptions{SinceSeconds: ptr[int64](7*60 + 30)}, want: "four\nfive\n"},
		{name: "limitBytes", pod: "app", opts: corev1.PodLogOptions{LimitBytes: ptr[int64](6)}, want: "one\ntw"},
		{
			name: "timestamps", pod: "app", opts: corev1.PodLogOptions{Timestamps: true, TailLines: ptr[int64](1)},
			want: base.Add(4*time.Minute).Format(time.RFC3339Nano) + " five\n",
		},
		{name: "waiting container", pod: "starting", wantErr: `container "main" in pod "starting" is waiting to start: ImagePullBackOff`},
		{name: "no previous", pod: "starting", opts: corev1.PodLogOptions{Previous: true}, wantErr: `previous terminated container "main" in pod "starting" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Container = "main"
			got, err := readLogs(ctx, cs, tt.pod, &opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// testFollow appends while a follower reads, then deletes the pod, which
// ends the stream.
func testFollow(t *testing.T, c *testenv.Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs := c.Client()
	createPod(t, cs, c.NodeName(), "server", runningStatus("main"))
	kl := c.Kubelet()
	if err := kl.AppendLog(ns, "server", "main", "started"); err != nil {
		t.Fatal(err)
	}
	stream, err := cs.CoreV1().Pods(ns).GetLogs("server", &corev1.PodLogOptions{Container: "main", Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	lines := bufio.NewReader(stream)
	expectLine(t, lines, "started")
	for _, msg := range []string{"request 1", "request 2"} {
		if err := kl.AppendLog(ns, "server", "main", msg); err != nil {
			t.Fatal(err)
		}
		expectLine(t, lines, msg)
	}
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "server", metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(lines)
	if err != nil {
		t.Fatalf("stream did not end cleanly after pod deletion: %v", err)
	}
	if len(rest) != 0 {
		t.Errorf("unexpected trailing output %q", rest)
	}
}

// testFollowEndLog ends a follow stream with EndLog (container exited).
func testFollowEndLog(t *testing.T, c *testenv.Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	createPod(t, c.Client(), c.NodeName(), "job", runningStatus("main"))
	stream, err := c.Client().CoreV1().Pods(ns).GetLogs("job", &corev1.PodLogOptions{Container: "main", Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	lines := bufio.NewReader(stream)
	if err := c.Kubelet().AppendLog(ns, "job", "main", "done"); err != nil {
		t.Fatal(err)
	}
	expectLine(t, lines, "done")
	c.Kubelet().EndLog(ns, "job", "main")
	if rest, err := io.ReadAll(lines); err != nil || len(rest) != 0 {
		t.Fatalf("after EndLog: rest %q, err %v", rest, err)
	}
}

// readLogs reads a log as kubectl logs does: a streamed GET of pods/log.
func readLogs(ctx context.Context, cs kubernetes.Interface, pod string, opts *corev1.PodLogOptions) ([]byte, error) {
	rc, err := cs.CoreV1().Pods(ns).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func expectLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading %q: %v", want, err)
	}
	if strings.TrimSuffix(got, "\n") != want {
		t.Fatalf("got line %q, want %q", got, want)
	}
}

func createPod(t *testing.T, cs kubernetes.Interface, node, name string, status corev1.PodStatus) {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: "main", Image: "registry.example/app:1"}},
		},
	}
	created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = status
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func runningStatus(container string) corev1.PodStatus {
	now := metav1.Now()
	return corev1.PodStatus{
		Phase: corev1.PodRunning, HostIP: "127.0.0.1", PodIP: "10.128.0.10", StartTime: &now,
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: container, Ready: true, Image: "registry.example/app:1", ImageID: "registry.example/app@sha256:0",
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		}},
	}
}

func ptr[T any](v T) *T { return &v }
