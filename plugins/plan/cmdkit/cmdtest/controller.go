package cmdtest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Controller writes what the MTC controller would write on one cluster.
type Controller struct {
	C  *testenv.Cluster
	NS string
}

// Create creates an object from a map (apiVersion, kind, metadata, spec,
// status); status is written afterwards as the controller would.
func (c *Controller) Create(ctx context.Context, gvr schema.GroupVersionResource, obj map[string]any) error {
	u := &unstructured.Unstructured{Object: obj}
	status, hasStatus := obj["status"]
	delete(u.Object, "status")
	ns := u.GetNamespace()
	ri := c.C.Dynamic().Resource(gvr).Namespace(ns)
	if ns == "" {
		if _, err := c.C.Dynamic().Resource(gvr).Create(ctx, u, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create %s %s: %w", gvr.Resource, u.GetName(), err)
		}
	} else if _, err := ri.Create(ctx, u, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create %s %s/%s: %w", gvr.Resource, ns, u.GetName(), err)
	}
	if hasStatus {
		return c.C.PatchStatus(ctx, gvr, ns, u.GetName(), status)
	}
	return nil
}

// Status writes status on an object in the MTC namespace.
func (c *Controller) Status(ctx context.Context, gvr schema.GroupVersionResource, name string, status map[string]any) error {
	return c.C.PatchStatus(ctx, gvr, c.NS, name, status)
}

// Patch applies a merge patch to an object in the MTC namespace.
func (c *Controller) Patch(ctx context.Context, gvr schema.GroupVersionResource, name string, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = c.C.Dynamic().Resource(gvr).Namespace(c.NS).Patch(ctx, name, types.MergePatchType, data, metav1.PatchOptions{})
	return err
}

// Get reads an object in the MTC namespace.
func (c *Controller) Get(ctx context.Context, gvr schema.GroupVersionResource, name string) (*unstructured.Unstructured, error) {
	return c.C.Dynamic().Resource(gvr).Namespace(c.NS).Get(ctx, name, metav1.GetOptions{})
}

// WaitFor polls until the named object exists and cond holds (nil: exists).
func (c *Controller) WaitFor(ctx context.Context, gvr schema.GroupVersionResource, name string,
	cond func(*unstructured.Unstructured) bool) (*unstructured.Unstructured, error) {
	var got *unstructured.Unstructured
	err := wait.PollUntilContextCancel(ctx, 50*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		u, err := c.Get(ctx, gvr, name)
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		got = u
		return cond == nil || cond(u), nil
	})
	return got, err
}

// Condition builds one MTC condition.
func Condition(typ, category, reason, message string) map[string]any {
	c := map[string]any{"type": typ, "status": "True", "category": category, "message": message,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
	if reason != "" {
		c["reason"] = reason
	}
	return c
}

// Conditions builds a status.conditions list.
func Conditions(cs ...map[string]any) []any {
	out := make([]any, 0, len(cs))
	for _, c := range cs {
		out = append(out, c)
	}
	return out
}

// ReadyPlanStatus is the status of a plan the controller validated.
func ReadyPlanStatus(extra ...map[string]any) map[string]any {
	cs := []map[string]any{
		Condition("Ready", "Required", "", "The migration plan is ready."),
		Condition("StorageEnsured", "Required", "Done", "The storage resources have been created."),
		Condition("PvsDiscovered", "Required", "Done", "The `persistentVolumes` list has been updated with discovered PVs."),
	}
	return map[string]any{"conditions": Conditions(append(cs, extra...)...)}
}

// ReadyStatus is the status of a Ready MigStorage, MigHook or MigCluster.
func ReadyStatus(message string) map[string]any {
	return map[string]any{"conditions": Conditions(Condition("Ready", "Required", "", message))}
}

// Step is one pipeline step of a MigMigration status.
func Step(name, message string, started, completed bool, progress ...string) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	s := map[string]any{"name": name, "message": message}
	if started {
		s["started"] = now
	}
	if completed {
		s["completed"] = now
	}
	if len(progress) > 0 {
		p := make([]any, 0, len(progress))
		for _, l := range progress {
			p = append(p, l)
		}
		s["progress"] = p
	}
	return s
}

// Pipeline builds status.pipeline.
func Pipeline(steps ...map[string]any) []any {
	out := make([]any, 0, len(steps))
	for _, s := range steps {
		out = append(out, s)
	}
	return out
}

// Running is the status of a migration in a phase at step n of total.
func Running(itinerary, phase string, n, total int, pipeline []any, extra ...map[string]any) map[string]any {
	cs := append([]map[string]any{Condition("Running", "Advisory", phase, fmt.Sprintf("Step: %d/%d", n, total))}, extra...)
	return map[string]any{"phase": phase, "itinerary": itinerary, "pipeline": pipeline,
		"startTimestamp": time.Now().UTC().Format(time.RFC3339), "conditions": Conditions(cs...)}
}

// Completed is the final status of a migration; outcome conditions first.
func Completed(itinerary string, pipeline []any, errs []string, conds ...map[string]any) map[string]any {
	st := map[string]any{"phase": "Completed", "itinerary": itinerary, "pipeline": pipeline, "conditions": Conditions(conds...)}
	if len(errs) > 0 {
		e := make([]any, 0, len(errs))
		for _, s := range errs {
			e = append(e, s)
		}
		st["errors"] = e
	}
	return st
}

// Drive waits for the MigMigration to be created, then writes each status
// in turn, pausing between them so a follower sees the steps.
func (c *Controller) Drive(ctx context.Context, name string, pause time.Duration, statuses ...map[string]any) error {
	if _, err := c.WaitFor(ctx, kube.MigMigrations, name, nil); err != nil {
		return fmt.Errorf("wait for MigMigration %s: %w", name, err)
	}
	for _, st := range statuses {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		if err := c.Status(ctx, kube.MigMigrations, name, st); err != nil {
			return err
		}
	}
	return nil
}

// ServeRefresh waits for spec.refresh on the plan and answers as the
// controller does: spec.refresh back to false, with the new status, in one
// write.
func (c *Controller) ServeRefresh(ctx context.Context, plan string, status map[string]any) error {
	if _, err := c.WaitFor(ctx, kube.MigPlans, plan, func(u *unstructured.Unstructured) bool {
		r, _, _ := unstructured.NestedBool(u.Object, "spec", "refresh")
		return r
	}); err != nil {
		return fmt.Errorf("wait for spec.refresh on %s: %w", plan, err)
	}
	return c.Patch(ctx, kube.MigPlans, plan, map[string]any{"spec": map[string]any{"refresh": false}, "status": status})
}
