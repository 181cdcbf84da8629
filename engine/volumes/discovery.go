package volumes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Undiscovered says why the controller has not discovered a plan's volumes.
type Undiscovered struct {
	Reason string `json:"reason"`
	// Conditions are the plan's conditions that stop discovery.
	Conditions []mtc.Condition `json:"conditions,omitempty"`
}

// String renders the reason and one line per condition.
func (u *Undiscovered) String() string {
	var b strings.Builder
	b.WriteString(u.Reason)
	for _, c := range u.Conditions {
		fmt.Fprintf(&b, "\n  %s %s: %s", c.Category, c.Type, c.Message)
	}
	return b.String()
}

// discoveryStoppers are the conditions under which the controller skips PV
// discovery altogether (MTC migplan pvlist.go updatePvs).
var discoveryStoppers = []string{
	mtc.ConditionInvalidSourceClusterRef,
	mtc.ConditionSourceClusterNotReady,
	mtc.ConditionInvalidDestinationClusterRef,
	mtc.ConditionDestinationClusterNotReady,
	mtc.ConditionNamespaceNotFoundOnSourceCluster,
	mtc.ConditionNamespaceLimitExceeded,
	mtc.ConditionNamespaceListEmpty,
}

// Explain says why PvsDiscovered is missing on p, from its conditions.
func Explain(p *mtc.MigPlan) *Undiscovered {
	cs := p.Status.Conditions
	if stop := stoppers(cs); len(stop) > 0 {
		return &Undiscovered{
			Reason:     "the controller does not discover volumes while the plan has these conditions; fix them first:",
			Conditions: stop,
		}
	}
	switch {
	case p.Spec.Closed:
		return &Undiscovered{Reason: "the plan is closed: the controller no longer discovers its volumes"}
	case cs.HasCondition(mtc.ConditionSuspended):
		return &Undiscovered{Reason: "PV discovery is suspended while a migration of the plan runs or after a final migration succeeded " +
			"(condition Suspended); set spec.refresh or roll back to resume it"}
	case len(cs) == 0:
		return &Undiscovered{Reason: fmt.Sprintf("the controller has not reconciled the plan yet: "+
			"check that the migration-controller pod runs in %s on the host cluster", orDefault(p.Namespace))}
	}
	return &Undiscovered{Reason: "PV discovery has not finished yet: the controller discovers volumes once both MigClusters " +
		"are Ready and the namespaces exist on the source; try again shortly"}
}

// stoppers returns the asserted conditions that keep discovery from running:
// the known ones, anything Critical (the controller stops reconciling), and
// ReconcileFailed.
func stoppers(cs mtc.Conditions) []mtc.Condition {
	var out []mtc.Condition
	for _, c := range cs {
		if !c.IsTrue() {
			continue
		}
		if c.Category == mtc.CategoryCritical || c.Type == mtc.ConditionReconcileFailed || contains(discoveryStoppers, c.Type) {
			out = append(out, c)
		}
	}
	return out
}

func orDefault(ns string) string {
	if ns == "" {
		return "the MTC namespace"
	}
	return ns
}

// NotDiscoveredError is returned when volumes cannot be chosen because the
// controller has not discovered them.
type NotDiscoveredError struct {
	Plan, Namespace string
	Why             *Undiscovered
}

func (e *NotDiscoveredError) Error() string {
	return fmt.Sprintf("MigPlan %s/%s: the controller has not discovered the plan's persistent volumes (no PvsDiscovered condition): %s",
		e.Namespace, e.Plan, e.Why)
}

// ErrNotDiscovered matches a *NotDiscoveredError with errors.Is.
var ErrNotDiscovered = errors.New("persistent volumes not discovered")

// Is makes errors.Is(err, ErrNotDiscovered) true.
func (e *NotDiscoveredError) Is(target error) bool { return target == ErrNotDiscovered }

func notDiscovered(p *mtc.MigPlan) error {
	return &NotDiscoveredError{Plan: p.Name, Namespace: p.Namespace, Why: Explain(p)}
}

// WaitDiscovered polls the plan until the controller has discovered its
// volumes, and returns it. When ctx ends first, the error is a
// *NotDiscoveredError that says why. The caller bounds the wait with ctx.
func WaitDiscovered(ctx context.Context, ri dynamic.ResourceInterface, plan string, interval time.Duration) (*mtc.MigPlan, error) {
	if interval <= 0 {
		interval = time.Second
	}
	var last *mtc.MigPlan
	err := wait.PollUntilContextCancel(ctx, interval, true, func(ctx context.Context) (bool, error) {
		p, err := kube.Get[mtc.MigPlan](ctx, ri, plan)
		if err != nil {
			return false, permanent(err)
		}
		last = p
		return discovered(p), nil
	})
	switch {
	case err == nil:
		return last, nil
	case last != nil && ctx.Err() != nil:
		return last, notDiscovered(last)
	}
	return last, fmt.Errorf("wait for the volumes of MigPlan %s to be discovered: %w", plan, err)
}

// permanent returns err when polling longer cannot help (the plan is gone,
// or we may not read it) and nil for transient errors, so polling goes on
// until ctx ends.
func permanent(err error) error {
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		return err
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
