package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
)

// MergePatch applies a JSON merge patch built from patch (any value that
// marshals to a JSON object). Merge patches only touch the fields they name,
// so the controller's writes to other fields survive.
func MergePatch(ctx context.Context, ri dynamic.ResourceInterface, name string, patch any, dryRun bool) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode patch for %s: %w", name, err)
	}
	_, err = ri.Patch(ctx, name, types.MergePatchType, data, patchOptions(dryRun))
	return err
}

// JSONPatchOp is one RFC 6902 operation.
type JSONPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// JSONPatch applies RFC 6902 operations. Callers that must not lose a racing
// write put a "test" of metadata.resourceVersion first: the server then
// refuses the patch with a conflict-like error, and GuardedPatch retries.
func JSONPatch(ctx context.Context, ri dynamic.ResourceInterface, name string, ops []JSONPatchOp, dryRun bool) error {
	data, err := json.Marshal(ops)
	if err != nil {
		return fmt.Errorf("encode patch for %s: %w", name, err)
	}
	_, err = ri.Patch(ctx, name, types.JSONPatchType, data, patchOptions(dryRun))
	return err
}

// GuardedPatch reads the object, lets build compute operations from that
// fresh copy, and applies them guarded by its resourceVersion; when someone
// (usually the controller) wrote in between, it starts again from a fresh
// copy. build returning no operations means nothing to do.
func GuardedPatch[T any](ctx context.Context, ri dynamic.ResourceInterface, name string, dryRun bool,
	build func(obj *T, rv string) ([]JSONPatchOp, error)) error {
	return retry.OnError(retry.DefaultRetry, isLostRace, func() error {
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		obj, err := FromUnstructured[T](u)
		if err != nil {
			return err
		}
		rv := u.GetResourceVersion()
		ops, err := build(obj, rv)
		if err != nil || len(ops) == 0 {
			return err
		}
		guard := JSONPatchOp{Op: "test", Path: "/metadata/resourceVersion", Value: rv}
		err = JSONPatch(ctx, ri, name, append([]JSONPatchOp{guard}, ops...), dryRun)
		if err != nil && lostRace(ctx, ri, name, rv, err) {
			return fmt.Errorf("%s changed while we patched it: %w", name, errLostRace)
		}
		return err
	})
}

// errLostRace marks a guarded patch refused because the object moved on.
var errLostRace = errors.New("object modified concurrently")

// lostRace tells a failed "test" of resourceVersion from a genuinely bad
// patch. The API server answers both with a bare 422 whose detail it does not
// send back, so we look at whether the object's resourceVersion moved.
func lostRace(ctx context.Context, ri dynamic.ResourceInterface, name, rv string, err error) bool {
	if apierrors.IsConflict(err) {
		return true
	}
	if !apierrors.IsInvalid(err) {
		return false
	}
	cur, getErr := ri.Get(ctx, name, metav1.GetOptions{})
	return getErr == nil && cur.GetResourceVersion() != rv
}

func patchOptions(dryRun bool) metav1.PatchOptions {
	if dryRun {
		return metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}}
	}
	return metav1.PatchOptions{}
}

func isLostRace(err error) bool { return errors.Is(err, errLostRace) }
