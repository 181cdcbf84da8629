package gathertest

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// EnvExporterAddr, when set, makes a test binary serve the stand-in
// exporter on that address instead of running tests (see ServeExporter).
const EnvExporterAddr = "KUBECTL_MIG_GATHERTEST_EXPORTER"

// MaybeServeExporter is for TestMain: in a helper process started by
// StartNetnsExporter it serves the exporter until killed and reports true.
func MaybeServeExporter() bool {
	addr := os.Getenv(EnvExporterAddr)
	if addr == "" {
		return false
	}
	e := NewExporter()
	srv := &http.Server{Addr: addr, Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(os.Stderr, srv.ListenAndServe())
	return true
}

// NetnsExporter is the exporter running in a network namespace of its own,
// reachable from the host (and so from the API server) at IP:2112 over a
// veth pair. The API server refuses loopback endpoints; this address it
// accepts.
type NetnsExporter struct {
	IP string
}

// StartNetnsExporter creates the namespace and the veth pair, starts this
// test binary inside it as the exporter (TestMain must call
// MaybeServeExporter), and removes everything when the test ends. It skips
// the test where network namespaces cannot be made (not root, no ip(8)),
// unless KUBECTL_MIG_REQUIRE_TESTBIN is set.
func StartNetnsExporter(t testing.TB) *NetnsExporter {
	t.Helper()
	skip := func(why string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf("cannot make a network namespace for the service-proxy test host: "+why, args...)
		if os.Getenv(testenv.EnvRequireTestbin) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if os.Geteuid() != 0 {
		skip("not root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		skip("ip(8) not found (apt-get install iproute2)")
	}
	id := fmt.Sprintf("%04x", mrand.IntN(1<<16))
	ns, host, peer := "kmg-"+id, "kmgh"+id, "kmgn"+id
	subnet := fmt.Sprintf("10.253.%d", mrand.IntN(250)+1)
	ip := func(args ...string) error {
		out, err := exec.Command("ip", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := ip("netns", "add", ns); err != nil {
		skip("%v", err)
	}
	t.Cleanup(func() {
		_ = ip("netns", "del", ns)
		_ = ip("link", "del", host)
	})
	for _, args := range [][]string{
		{"link", "add", host, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", ns},
		{"addr", "add", subnet + ".1/24", "dev", host},
		{"link", "set", host, "up"},
		{"netns", "exec", ns, "ip", "addr", "add", subnet + ".2/24", "dev", peer},
		{"netns", "exec", ns, "ip", "link", "set", peer, "up"},
		{"netns", "exec", ns, "ip", "link", "set", "lo", "up"},
	} {
		if err := ip(args...); err != nil {
			skip("%v", err)
		}
	}
	addr := subnet + ".2:2112"
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), EnvExporterAddr+"="+addr)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("exporter in netns %s not reachable at %s: %v", ns, addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &NetnsExporter{IP: subnet + ".2"}
}

// ControllerPod is the pod standing for the migration controller behind
// the exporter: the API server proxies only to endpoints that are pods
// whose IP matches.
const ControllerPod = "migration-controller-netns"

// Expose creates, in namespace ns of c, the controller pod (IP: the
// exporter's; a short log for its "mtc" container), the headless Service the
// MTC operator creates for the controller's metrics (mig-controller-metrics,
// port "metrics" 2112), and Endpoints plus an EndpointSlice targeting the
// pod (no controller-manager runs to make them).
func (e *NetnsExporter) Expose(ctx context.Context, c *testenv.Cluster, ns string) error {
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		return err
	}
	if err := e.controllerPod(ctx, c, ns); err != nil {
		return err
	}
	const name = "mig-controller-metrics"
	target := &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: ControllerPod}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "migration"}},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone,
			Ports: []corev1.ServicePort{{Name: "metrics", Port: 2112, Protocol: corev1.ProtocolTCP}}},
	}
	if _, err := c.Client().CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create service: %w", err)
	}
	// The API server's service proxy reads v1 Endpoints (deprecated for
	// clients, still what ResourceLocation uses).
	ep := &corev1.Endpoints{ //nolint:staticcheck // see above
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Subsets: []corev1.EndpointSubset{{ //nolint:staticcheck // see above
			Addresses: []corev1.EndpointAddress{{IP: e.IP, TargetRef: target}},
			Ports:     []corev1.EndpointPort{{Name: "metrics", Port: 2112, Protocol: corev1.ProtocolTCP}},
		}},
	}
	if _, err := c.Client().CoreV1().Endpoints(ns).Create(ctx, ep, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create endpoints: %w", err)
	}
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name + "-1", Namespace: ns, Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{e.IP}, TargetRef: target, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("metrics"), Port: ptr.To(int32(2112)), Protocol: ptr.To(corev1.ProtocolTCP)}},
	}
	if _, err := c.Client().DiscoveryV1().EndpointSlices(ns).Create(ctx, slice, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create endpointslice: %w", err)
	}
	return nil
}

func (e *NetnsExporter) controllerPod(ctx context.Context, c *testenv.Cluster, ns string) error {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: ControllerPod, Namespace: ns,
			Labels: map[string]string{"app": "migration", "control-plane": "controller-manager"}},
		Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{{Name: "mtc", Image: "registry.redhat.io/rhmtc/openshift-migration-controller-rhel8:v1.8"}}},
	}
	if _, err := c.Client().CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create the controller pod: %w", err)
	}
	now := metav1.Now()
	status := corev1.PodStatus{Phase: corev1.PodRunning, PodIP: e.IP, PodIPs: []corev1.PodIP{{IP: e.IP}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "mtc", Ready: true, Image: pod.Spec.Containers[0].Image,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}}}
	if err := c.PatchStatus(ctx, podsGVR, ns, ControllerPod, status); err != nil {
		return err
	}
	return c.Kubelet().SetLog(ns, ControllerPod, "mtc", strings.NewReader(now.UTC().Format(time.RFC3339Nano)+" metrics server listening on :2112\n"))
}
