package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/plan"
)

// Options describe the MigMigration to create.
type Options struct {
	// Namespace holds the MTC resources.
	Namespace string
	Plan      string
	// Name of the MigMigration; empty means generated from the plan name.
	Name            string
	Stage           bool
	QuiescePods     bool
	KeepAnnotations bool
	Verify          bool
	Rollback        bool
}

// Build returns the MigMigration for o, in the shape of MTC's documented
// manifest. Without a name it uses generateName "<plan>-<kind>-".
func Build(o Options) *mtc.MigMigration {
	m := &mtc.MigMigration{
		TypeMeta: metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigMigration},
		ObjectMeta: metav1.ObjectMeta{
			Name:      o.Name,
			Namespace: o.Namespace,
			Labels:    map[string]string{"controller-tools.k8s.io": "1.0"},
		},
		Spec: mtc.MigMigrationSpec{
			MigPlanRef:      &corev1.ObjectReference{Name: o.Plan, Namespace: o.Namespace},
			Stage:           o.Stage,
			QuiescePods:     o.QuiescePods,
			KeepAnnotations: o.KeepAnnotations,
			Verify:          o.Verify,
			Rollback:        o.Rollback,
		},
	}
	if o.Name == "" {
		prefix := o.Plan
		if len(prefix) > 40 {
			prefix = strings.TrimRight(prefix[:40], "-.")
		}
		m.GenerateName = prefix + "-" + strings.ToLower(m.Spec.ExpectedItinerary()) + "-"
	}
	return m
}

// RefusedError says why the plan cannot run a migration now.
type RefusedError struct {
	Plan string
	// Closed: the plan is closed; otherwise it is not Ready.
	Closed bool
	Reason string
	// Blockers are the plan's Critical and Error conditions.
	Blockers []mtc.Condition
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "MigPlan %s cannot run a migration: %s", e.Plan, e.Reason)
	for _, c := range e.Blockers {
		fmt.Fprintf(&b, "\n  - %s (%s): %s", c.Type, c.Category, c.Message)
	}
	return b.String()
}

// ErrPlanClosed and ErrPlanNotReady classify a RefusedError.
var (
	ErrPlanClosed   = errors.New("plan closed")
	ErrPlanNotReady = errors.New("plan not ready")
)

// Is lets errors.Is match ErrPlanClosed and ErrPlanNotReady.
func (e *RefusedError) Is(target error) bool {
	switch target {
	case ErrPlanClosed:
		return e.Closed
	case ErrPlanNotReady:
		return !e.Closed
	}
	return false
}

// CheckPlan refuses what the controller would refuse: a closed plan
// (PlanClosed) or one without the Ready condition (PlanNotReady), listing
// the plan's blocking conditions.
func CheckPlan(p *mtc.MigPlan) error {
	switch {
	case p.Spec.Closed:
		return &RefusedError{Plan: p.Name, Closed: true, Reason: "it is closed (spec.closed: true); create a new plan"}
	case !p.Status.Conditions.IsReady():
		reason := "it is not Ready"
		if len(p.Status.Conditions.Blockers()) == 0 {
			reason += " yet (no blocking condition: the controller may still be validating it; try 'plan validate')"
		}
		return &RefusedError{Plan: p.Name, Reason: reason, Blockers: p.Status.Conditions.Blockers()}
	}
	return nil
}

// Create checks the plan and creates the MigMigration on the host cluster.
// With serverDryRun the API server validates it without persisting it.
func Create(ctx context.Context, host dynamic.Interface, o Options, serverDryRun bool) (*mtc.MigMigration, error) {
	p, err := plan.Get(ctx, host, o.Namespace, o.Plan)
	if err != nil {
		return nil, err
	}
	if err := CheckPlan(p); err != nil {
		return nil, err
	}
	u, err := kube.ToUnstructured(Build(o))
	if err != nil {
		return nil, err
	}
	opts := metav1.CreateOptions{}
	if serverDryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := host.Resource(kube.MigMigrations).Namespace(o.Namespace).Create(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("create MigMigration for plan %s in %s on the host cluster: %w", o.Plan, o.Namespace, err)
	}
	return kube.FromUnstructured[mtc.MigMigration](out)
}
