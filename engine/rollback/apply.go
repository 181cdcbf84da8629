package rollback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun sends every write as a server-side dry run: the API servers
	// validate and authorise it, nothing is persisted.
	DryRun bool
	// Concurrency bounds the writes in flight (default 4).
	Concurrency int
	// OnAction is called after each action, from one goroutine at a time.
	OnAction func(Action)
}

// ErrIncomplete is returned by Apply when some actions failed or were not
// reached; the plan's actions say which.
var ErrIncomplete = errors.New("the rollback is incomplete")

// Apply carries out the pending actions of pl on the clusters, updating each
// action's State in place. Every write is a patch computed from the live
// object and guarded by its resourceVersion (retried on conflict) or a
// UID-guarded delete, so running Apply again after an interruption finishes
// the job. It goes on past failures and returns ErrIncomplete if any.
func Apply(ctx context.Context, cl Clusters, pl *Plan, opts ApplyOptions) error {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	cb := &callbackMutex{fn: opts.OnAction}
	var g errgroup.Group
	g.SetLimit(opts.Concurrency)
	for i := range pl.Actions {
		a := &pl.Actions[i]
		if a.State != StatePending {
			continue
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				a.Error = "not done: " + err.Error()
				return nil //nolint:nilerr // recorded on the action; the others still run and the summary reports it
			}
			t := cl.Source
			if a.Side == Destination {
				t = cl.Destination
			}
			ri := t.Dynamic.Resource(a.gvr).Namespace(a.Namespace)
			applyOne(ctx, ri, a, pl.MigPlanUID, opts.DryRun)
			cb.call(*a)
			return nil
		})
	}
	_ = g.Wait()
	var failed, notDone int
	for _, a := range pl.Actions {
		switch a.State {
		case StateFailed:
			failed++
		case StatePending:
			notDone++
		}
	}
	switch {
	case ctx.Err() != nil && notDone > 0:
		return fmt.Errorf("%w: interrupted with %d action(s) not done (%w); run it again to finish", ErrIncomplete, notDone, ctx.Err())
	case failed > 0 || notDone > 0:
		return fmt.Errorf("%w: %d action(s) failed, %d not done", ErrIncomplete, failed, notDone)
	}
	return nil
}

// applyOne performs one action and records its outcome.
func applyOne(ctx context.Context, ri dynamic.ResourceInterface, a *Action, planUID types.UID, dryRun bool) {
	var (
		changed bool
		detail  string
		err     error
	)
	switch a.Verb {
	case VerbDeleteStagePod:
		changed, err = deleteExact(ctx, ri, a.Name, a.uid, dryRun)
		detail = "deleted"
		if dryRun {
			detail = "delete"
		}
		if !changed {
			detail = "already gone"
		}
	case VerbReleasePod:
		detail, changed, err = guardedPatch(ctx, ri, a.Name, dryRun, func(u *unstructured.Unstructured) (string, []kube.JSONPatchOp, error) {
			d, ops := ReleasePodChange(u, planUID)
			return d, ops, nil
		})
	case VerbUnquiesce:
		detail, changed, err = guardedPatch(ctx, ri, a.Name, dryRun, func(u *unstructured.Unstructured) (string, []kube.JSONPatchOp, error) {
			return UnquiesceChange(a.Kind, u, planUID)
		})
	case VerbRestoreReclaimPolicy:
		detail, changed, err = guardedPatch(ctx, ri, a.Name, dryRun, func(u *unstructured.Unstructured) (string, []kube.JSONPatchOp, error) {
			return ReclaimPolicyChange(u, planUID)
		})
	default:
		err = fmt.Errorf("unknown action %q", a.Verb)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		a.Error = "not done: " + ctx.Err().Error()
	case err != nil:
		a.State, a.Error = StateFailed, fmt.Sprintf("%s %s on cluster %s: %v", a.Verb, a.Ref(), a.Cluster, err)
	case !changed:
		a.State = StateAlreadyDone
		if detail == "" {
			detail = "nothing left to restore"
		}
		a.Detail = detail
	case dryRun:
		a.State, a.Detail = StateWouldDo, detail
	default:
		a.State, a.Detail = StateDone, detail
	}
}

// deleteExact deletes the object only if it is still the one planned (same
// UID); it reports false when it is already gone.
func deleteExact(ctx context.Context, ri dynamic.ResourceInterface, name string, uid types.UID, dryRun bool) (bool, error) {
	opts := metav1.DeleteOptions{}
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	err := ri.Delete(ctx, name, opts)
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	case apierrors.IsConflict(err):
		return false, nil // precondition failed: a new object took the name; ours is gone
	}
	return false, err
}

// guardedPatch reads the object, computes the operations from that fresh
// copy, and applies them after a resourceVersion test, starting again on a
// conflict. No operations means nothing to do (changed is false).
func guardedPatch(ctx context.Context, ri dynamic.ResourceInterface, name string, dryRun bool,
	build func(*unstructured.Unstructured) (string, []kube.JSONPatchOp, error)) (detail string, changed bool, err error) {
	err = retry.OnError(retry.DefaultRetry, lostRace, func() error {
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		d, ops, err := build(u)
		if err != nil {
			return err
		}
		detail, changed = d, len(ops) > 0
		if !changed {
			return nil
		}
		guard := kube.JSONPatchOp{Op: "test", Path: "/metadata/resourceVersion", Value: u.GetResourceVersion()}
		data, err := json.Marshal(append([]kube.JSONPatchOp{guard}, ops...))
		if err != nil {
			return err
		}
		popts := metav1.PatchOptions{}
		if dryRun {
			popts.DryRun = []string{metav1.DryRunAll}
		}
		_, err = ri.Patch(ctx, name, types.JSONPatchType, data, popts)
		if apierrors.IsInvalid(err) && changedSince(ctx, ri, name, u.GetResourceVersion()) {
			// A failed "test" operation comes back as a bare 422 Invalid
			// (the message does not say which operation failed), so check
			// whether the object moved on meanwhile.
			return errLostRace
		}
		return err
	})
	if apierrors.IsNotFound(err) {
		return "gone", false, nil
	}
	return detail, changed, err
}

// errLostRace marks a patch refused because the object changed after it was
// read.
var errLostRace = errors.New("the object changed while being patched")

// lostRace recognises a concurrent write: 409 Conflict, or a refused
// resourceVersion test (errLostRace).
func lostRace(err error) bool {
	return apierrors.IsConflict(err) || errors.Is(err, errLostRace)
}

// changedSince reports whether the object's resourceVersion differs from rv.
func changedSince(ctx context.Context, ri dynamic.ResourceInterface, name, rv string) bool {
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	return err == nil && u.GetResourceVersion() != rv
}
