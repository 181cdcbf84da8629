package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ErrClosed is returned when an operation needs an open plan.
var ErrClosed = errors.New("the plan is closed")

// RefreshResult is the plan's validation before and after a refresh.
type RefreshResult struct {
	Plan *mtc.MigPlan
	// Before and After are the asserted conditions.
	Before, After mtc.Conditions
	// Appeared and Cleared are the condition types that changed.
	Appeared, Cleared []string
}

// Ready reports whether the refreshed plan is Ready.
func (r *RefreshResult) Ready() bool { return r.After.IsReady() }

// RefreshOptions tunes Refresh.
type RefreshOptions struct {
	// Interval between reads while waiting (default 1s).
	Interval time.Duration
	// DryRun sends the patch as a server-side dry run and does not wait.
	DryRun bool
}

// Refresh asks the controller to re-validate the plan (spec.refresh: true,
// by merge patch so nothing the controller wrote is lost) and waits until it
// has: the controller clears spec.refresh in the same write that stores the
// new conditions. The caller bounds the wait with ctx.
func Refresh(ctx context.Context, host dynamic.Interface, ns, name string, opts RefreshOptions) (*RefreshResult, error) {
	ri := host.Resource(kube.MigPlans).Namespace(ns)
	before, err := Get(ctx, host, ns, name)
	if err != nil {
		return nil, err
	}
	if before.Spec.Closed {
		return nil, fmt.Errorf("MigPlan %s/%s: %w: the controller no longer validates closed plans", ns, name, ErrClosed)
	}
	if err := kube.MergePatch(ctx, ri, name, map[string]any{"spec": map[string]any{"refresh": true}}, opts.DryRun); err != nil {
		return nil, fmt.Errorf("set spec.refresh on MigPlan %s/%s: %w", ns, name, err)
	}
	res := &RefreshResult{Plan: before, Before: asserted(before.Status.Conditions)}
	if opts.DryRun {
		res.After = res.Before
		return res, nil
	}
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Second
	}
	var last *mtc.MigPlan
	err = wait.PollUntilContextCancel(ctx, interval, false, func(ctx context.Context) (bool, error) {
		p, err := kube.Get[mtc.MigPlan](ctx, ri, name)
		if err != nil {
			return false, permanent(err)
		}
		last = p
		return !p.Spec.Refresh, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the controller did not re-validate MigPlan %s/%s in time (spec.refresh is still true): "+
				"check that the migration-controller pod runs in %s on the host cluster", ns, name, ns)
		}
		return nil, fmt.Errorf("wait for MigPlan %s/%s to be re-validated: %w", ns, name, err)
	}
	res.Plan = last
	res.After = asserted(last.Status.Conditions)
	res.Appeared, res.Cleared = diffTypes(res.Before, res.After)
	return res, nil
}

// Close sets spec.closed: no further migrations run from the plan, and the
// controller removes the plan's helper resources. It reports whether the plan
// was already closed.
func Close(ctx context.Context, host dynamic.Interface, ns, name string, dryRun bool) (already bool, err error) {
	p, err := Get(ctx, host, ns, name)
	if err != nil {
		return false, err
	}
	if p.Spec.Closed {
		return true, nil
	}
	ri := host.Resource(kube.MigPlans).Namespace(ns)
	if err := kube.MergePatch(ctx, ri, name, map[string]any{"spec": map[string]any{"closed": true}}, dryRun); err != nil {
		return false, fmt.Errorf("close MigPlan %s/%s: %w", ns, name, err)
	}
	return false, nil
}

// ErrMigrationRunning is returned when deleting a plan whose migration runs.
var ErrMigrationRunning = errors.New("a migration of the plan is still running")

// DeleteResult says what went with the plan.
type DeleteResult struct {
	// Migrations are the plan's MigMigrations; MTC deletes them with it.
	Migrations []MigrationInfo
}

// Delete deletes the plan (and, through MTC, its migrations). It refuses
// when one of them is still running unless force is set: the controller
// would abandon the migration half-way.
func Delete(ctx context.Context, host dynamic.Interface, ns, name string, force, dryRun bool) (*DeleteResult, error) {
	p, err := Get(ctx, host, ns, name)
	if err != nil {
		return nil, err
	}
	byPlan, err := migrationsByPlan(ctx, host, ns)
	if err != nil {
		return nil, err
	}
	res := &DeleteResult{}
	var running []string
	for i := range byPlan[p.Name] {
		mi := migrationInfo(&byPlan[p.Name][i])
		res.Migrations = append(res.Migrations, mi)
		if !mi.Outcome.Terminal() && mi.Outcome != mtc.OutcomePending {
			running = append(running, mi.Name)
		}
	}
	if len(running) > 0 && !force {
		return res, fmt.Errorf("MigPlan %s/%s: %w (%v): cancel it first, or pass --force", ns, name, ErrMigrationRunning, running)
	}
	opts := metav1.DeleteOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := host.Resource(kube.MigPlans).Namespace(ns).Delete(ctx, name, opts); err != nil {
		return res, fmt.Errorf("delete MigPlan %s/%s: %w", ns, name, err)
	}
	return res, nil
}

func asserted(cs mtc.Conditions) mtc.Conditions {
	var out mtc.Conditions
	for _, c := range cs {
		if c.IsTrue() {
			out = append(out, c)
		}
	}
	return out
}

func diffTypes(before, after mtc.Conditions) (appeared, cleared []string) {
	for _, c := range after {
		if before.Find(c.Type) == nil {
			appeared = append(appeared, c.Type)
		}
	}
	for _, c := range before {
		if after.Find(c.Type) == nil {
			cleared = append(cleared, c.Type)
		}
	}
	return appeared, cleared
}

// ErrNotReady is returned by WaitReady when the plan is not Ready in time.
var ErrNotReady = errors.New("the plan did not become Ready")

// WaitReady polls the plan until the controller marks it Ready. When ctx
// ends first it returns the last plan read and an error wrapping
// ErrNotReady, so the caller can show the blocking conditions.
func WaitReady(ctx context.Context, host dynamic.Interface, ns, name string, interval time.Duration) (*mtc.MigPlan, error) {
	if interval <= 0 {
		interval = time.Second
	}
	var last *mtc.MigPlan
	err := wait.PollUntilContextCancel(ctx, interval, true, func(ctx context.Context) (bool, error) {
		p, err := kube.Get[mtc.MigPlan](ctx, host.Resource(kube.MigPlans).Namespace(ns), name)
		if err != nil {
			return false, permanent(err)
		}
		last = p
		return p.Status.Conditions.IsReady(), nil
	})
	switch {
	case err == nil:
		return last, nil
	case last != nil && ctx.Err() != nil:
		return last, fmt.Errorf("MigPlan %s/%s: %w", ns, name, ErrNotReady)
	}
	return last, fmt.Errorf("wait for MigPlan %s/%s: %w", ns, name, err)
}

// permanent returns err when waiting longer cannot help (the plan is gone,
// or we may not read it), and nil for transient errors (a timeout, a
// throttled request near the deadline), so that polling goes on.
func permanent(err error) error {
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		return err
	}
	return nil
}
