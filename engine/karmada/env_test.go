package karmada

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-mig/kubectl-mig/engine/karmada/karmadatest"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const memberName = "member1"

// pair is a Karmada control plane, one member cluster, and the simulated
// Karmada controllers between them. Tests share one pair and keep apart by
// namespace.
type pair struct {
	karmada, member *testenv.Cluster
	k, m            *Cluster
	ctrl            *karmadatest.Controller
	kp              *karmadatest.Pair
}

func newPair(t *testing.T) *pair {
	t.Helper()
	kp := karmadatest.StartPair(t, memberName)
	return &pair{
		karmada: kp.Karmada, member: kp.Member, ctrl: kp.Controller, kp: kp,
		k: &Cluster{Name: "karmada", Dynamic: kp.Karmada.Dynamic(), Mapper: kp.Karmada.RESTMapper(), Discovery: kp.Karmada.Client().Discovery()},
		m: &Cluster{Name: memberName, Dynamic: kp.Member.Dynamic(), Mapper: kp.Member.RESTMapper(), Discovery: kp.Member.Client().Discovery()},
	}
}

// members gives access to the one member cluster.
func (p *pair) members(_ context.Context, name string) (*Cluster, error) {
	if name == memberName {
		return p.m, nil
	}
	return nil, fmt.Errorf("%w %s", ErrNoMemberAccess, name)
}

// app creates an application on the member (see karmadatest.CreateApp).
func (p *pair) app(t *testing.T, ns, name string) { p.kp.CreateApp(t, ns, name) }

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds (or a minute passes).
func eventually(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	ctx := testCtx(t)
	var last error
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		last = err
		return ok && err == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: %v (last error: %v)", what, err, last)
	}
}
