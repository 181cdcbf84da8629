package karmadatest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Pair is a Karmada control plane and one member cluster with the
// simulated controllers running between them.
type Pair struct {
	Karmada, Member *testenv.Cluster
	// MemberName is the member's name in Karmada (its Cluster object).
	MemberName string
	Controller *Controller
}

// StartPair starts both API servers at once (it halves the set-up time),
// installs the Karmada CRDs on the control plane, joins the member under
// memberName and starts the Controller. Everything stops when the test
// ends. Like testenv.NewCluster it skips the test when the binaries are
// missing.
func StartPair(t testing.TB, memberName string) *Pair {
	t.Helper()
	bins := testenv.RequireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	names := []string{"karmada", memberName}
	clusters := make([]*testenv.Cluster, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clusters[i], errs[i] = testenv.StartCluster(ctx, name, testenv.WithBinaries(bins))
		}()
	}
	wg.Wait()
	for i, c := range clusters {
		if c != nil {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("cluster %s logs:\n%s", c.Name(), c.LogTails(30))
				}
				c.Stop()
			})
		}
		if errs[i] != nil {
			t.Fatalf("start cluster %s: %v", names[i], errs[i])
		}
	}
	p := &Pair{Karmada: clusters[0], Member: clusters[1], MemberName: memberName}
	defs, err := crds.Karmada()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Karmada.InstallCRDs(ctx, defs...); err != nil {
		t.Fatal(err)
	}
	if err := testenv.JoinKarmadaMember(ctx, p.Karmada, p.Member, memberName); err != nil {
		t.Fatal(err)
	}
	p.Controller = Start(context.Background(), Config{
		Karmada: p.Karmada.Dynamic(), KarmadaMapper: p.Karmada.RESTMapper(),
		Member: p.Member.Dynamic(), MemberMapper: p.Member.RESTMapper(),
		ClusterName: memberName, Interval: 50 * time.Millisecond, Logf: t.Logf,
	})
	t.Cleanup(p.Controller.Stop)
	return p
}

// CreateApp creates, on the member, an application as a Deployment
// controller would leave it: Deployment name (label app=name) with two
// running pods (the second restarted once) and a Service name-svc.
func (p *Pair) CreateApp(t testing.TB, ns, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs := p.Member.Client()
	if err := p.Member.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": name}
	replicas := int32(2)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels,
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "4"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", name, i), Namespace: ns, Labels: labels},
			Spec: corev1.PodSpec{NodeName: p.Member.NodeName(),
				Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
		}
		created, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		created.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
			Name: "web", Ready: true, RestartCount: int32(i), Image: "nginx:1.27",
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		}}}
		if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-svc", Namespace: ns},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
