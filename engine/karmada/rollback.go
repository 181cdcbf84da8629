package karmada

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// RollbackConfig is what `karmada rollback` asks for.
type RollbackConfig struct {
	// Policy names the PropagationPolicy in Namespace and/or the
	// ClusterPropagationPolicy (see findPolicies).
	Policy    string
	Namespace string
	DryRun    DryRun
	// Wait for Karmada to release the member objects, then verify them and
	// report the leftovers; without it only their existence is checked.
	Wait bool
	// Timeout bounds each wait (default 5m).
	Timeout time.Duration
	// Interval between observations (default 2s).
	Interval time.Duration
	// Progress, when set, sees every step as it is taken.
	Progress func(RollbackEvent)
}

func (c *RollbackConfig) defaults() {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.Interval <= 0 {
		c.Interval = 2 * time.Second
	}
	if c.DryRun == "" {
		c.DryRun = DryRunNone
	}
}

// Rollback steps, in the order they are taken.
const (
	StepPreserve       = "preserve"
	StepWaitPreserved  = "wait"
	StepDeleteTemplate = "delete template"
	StepVerify         = "verify"
	StepDeletePolicy   = "delete policy"
)

// RollbackEvent is one step taken.
type RollbackEvent struct {
	Step   string `json:"step"`
	Object string `json:"object,omitempty"`
	Result string `json:"result"`
}

// RollbackPolicy is a policy being rolled back.
type RollbackPolicy struct {
	Ref      PolicyRef `json:"ref"`
	Preserve bool      `json:"preserveResourcesOnDeletion"`
	Clusters []string  `json:"clusters,omitempty"`
}

// RollbackPlan is what rollback will do, read before any write.
type RollbackPlan struct {
	Policies  []RollbackPolicy `json:"policies"`
	Templates []PolicyTemplate `json:"templates"`
	// Kept are selected templates rollback leaves alone, with the reason.
	Kept []Skipped `json:"kept,omitempty"`
}

// Steps describes the plan in the safe order it is carried out.
func (p *RollbackPlan) Steps() []string {
	var out []string
	for _, pol := range p.Policies {
		if pol.Preserve {
			out = append(out, fmt.Sprintf("%s already has preserveResourcesOnDeletion=true", pol.Ref))
		} else {
			out = append(out, fmt.Sprintf("set preserveResourcesOnDeletion=true on %s", pol.Ref))
		}
	}
	if len(p.Templates) > 0 {
		out = append(out, fmt.Sprintf("wait until every ResourceBinding and Work of the %d template(s) shows preserveResourcesOnDeletion=true", len(p.Templates)))
		for _, t := range p.Templates {
			out = append(out, "delete the resource template "+t.Ref.String())
		}
		out = append(out, "verify that the member objects still exist and their pods were not restarted")
	}
	for _, k := range p.Kept {
		out = append(out, fmt.Sprintf("keep %s: %s", k.Ref, k.Reason))
	}
	for _, pol := range p.Policies {
		out = append(out, "delete "+pol.Ref.String())
	}
	return out
}

// PlanRollback reads the policies and the templates they select. A plan
// with no policy means there is nothing (left) to roll back.
func PlanRollback(ctx context.Context, k *Cluster, cfg RollbackConfig) (*RollbackPlan, error) {
	if cfg.Policy == "" || cfg.Namespace == "" {
		return nil, errors.New("the policy name and namespace are required")
	}
	policies, err := findPolicies(ctx, k, cfg.Policy, cfg.Namespace)
	if err != nil {
		return nil, err
	}
	plan := &RollbackPlan{}
	for _, p := range policies {
		plan.Policies = append(plan.Policies, RollbackPolicy{Ref: p.ref, Preserve: p.spec.PreservesResourcesOnDeletion(), Clusters: p.spec.TargetClusterNames()})
	}
	templates, skipped, err := policyTemplates(ctx, k, policies)
	if err != nil {
		return nil, err
	}
	plan.Kept = skipped
	for _, t := range templates {
		if t.Ref.APIVersion == "v1" && t.Ref.Kind == "Namespace" {
			// Karmada's namespace-sync Work ignores the preserve flag:
			// deleting this template would delete the member namespace.
			plan.Kept = append(plan.Kept, Skipped{Ref: t.Ref, Reason: "deleting a Namespace template deletes the namespace on the member clusters (namespace propagation ignores preserveResourcesOnDeletion); delete it by hand only after removing the Karmada labels from the member namespace"})
			continue
		}
		plan.Templates = append(plan.Templates, t)
	}
	return plan, nil
}

// MemberCheck is the state of one member object after the rollback.
type MemberCheck struct {
	Cluster string    `json:"cluster"`
	Ref     ObjectRef `json:"ref"`
	Exists  bool      `json:"exists"`
	Pods    *PodCheck `json:"pods,omitempty"`
	// Leftovers are Karmada labels and annotations still on the object
	// (reported with --wait, once Karmada has released it).
	Leftovers []string `json:"leftovers,omitempty"`
}

// RollbackResult is what rollback did and found.
type RollbackResult struct {
	Events  []RollbackEvent `json:"events"`
	Members []MemberCheck   `json:"members,omitempty"`
	// Unverified names member clusters rollback could not reach.
	Unverified []string `json:"unverified,omitempty"`
}

// ApplyRollback carries out the plan in the safe order: preserve on the
// policies; wait until every binding and Work reflects it; delete the
// templates; verify the member objects; delete the policies last (deleting
// a policy rolls nothing back, and doing it first would leave the bindings
// with whatever preserve value they had). Every step is idempotent, so a
// rerun after an interruption finishes the job. members may be nil.
func ApplyRollback(ctx context.Context, k *Cluster, members MemberAccess, plan *RollbackPlan, cfg RollbackConfig) (*RollbackResult, error) {
	cfg.defaults()
	r := &rollback{k: k, members: members, plan: plan, cfg: cfg, res: &RollbackResult{}}
	if cfg.DryRun != DryRunNone {
		return r.res, r.dryRun(ctx)
	}
	if err := r.preserve(ctx); err != nil {
		return r.res, err
	}
	clusters, err := r.waitPreserved(ctx)
	if err != nil {
		return r.res, err
	}
	before, err := r.observeMembers(ctx, clusters)
	if err != nil {
		return r.res, err
	}
	if err := r.deleteTemplates(ctx); err != nil {
		return r.res, err
	}
	if err := r.verify(ctx, before); err != nil {
		return r.res, err
	}
	return r.res, r.deletePolicies(ctx)
}

type rollback struct {
	k       *Cluster
	members MemberAccess
	plan    *RollbackPlan
	cfg     RollbackConfig
	res     *RollbackResult
}

func (r *rollback) event(step, object, result string) {
	e := RollbackEvent{Step: step, Object: object, Result: result}
	r.res.Events = append(r.res.Events, e)
	if r.cfg.Progress != nil {
		r.cfg.Progress(e)
	}
}

// dryRun sends the writes with dryRun=All (server) or nothing (client).
func (r *rollback) dryRun(ctx context.Context) error {
	suffix := " (" + string(r.cfg.DryRun) + " dry run)"
	for _, p := range r.plan.Policies {
		if !p.Preserve && r.cfg.DryRun == DryRunServer {
			if err := r.patchPreserve(ctx, p.Ref, true); err != nil {
				return err
			}
		}
		r.event(StepPreserve, p.Ref.String(), "preserveResourcesOnDeletion=true"+suffix)
	}
	for _, t := range r.plan.Templates {
		if r.cfg.DryRun == DryRunServer {
			if _, err := r.deleteTemplate(ctx, t, true); err != nil {
				return err
			}
		}
		r.event(StepDeleteTemplate, t.Ref.String(), Deleted+suffix)
	}
	for _, p := range r.plan.Policies {
		if r.cfg.DryRun == DryRunServer {
			if err := r.deletePolicy(ctx, p.Ref, true); err != nil {
				return err
			}
		}
		r.event(StepDeletePolicy, p.Ref.String(), Deleted+suffix)
	}
	return nil
}

func (r *rollback) preserve(ctx context.Context) error {
	for i, p := range r.plan.Policies {
		if p.Preserve {
			r.event(StepPreserve, p.Ref.String(), "preserveResourcesOnDeletion already true")
			continue
		}
		if err := r.patchPreserve(ctx, p.Ref, false); err != nil {
			return err
		}
		r.plan.Policies[i].Preserve = true
		r.event(StepPreserve, p.Ref.String(), "preserveResourcesOnDeletion set to true")
	}
	return nil
}

// patchPreserve sets preserveResourcesOnDeletion with a JSON patch guarded
// by resourceVersion (retried on conflict), so nothing else in the policy
// is rewritten.
func (r *rollback) patchPreserve(ctx context.Context, ref PolicyRef, dry bool) error {
	ri := r.k.Dynamic.Resource(PropagationPolicies).Namespace(ref.Namespace)
	if ref.Cluster() {
		ri = r.k.Dynamic.Resource(ClusterPropagationPolicies)
	}
	err := kube.GuardedPatch(ctx, ri, ref.Name, dry, func(p *policyv1alpha1.PropagationPolicy, _ string) ([]kube.JSONPatchOp, error) {
		if p.Spec.PreservesResourcesOnDeletion() {
			return nil, nil
		}
		op := "add" // "add" replaces an existing member too (RFC 6902)
		return []kube.JSONPatchOp{{Op: op, Path: "/spec/preserveResourcesOnDeletion", Value: true}}, nil
	})
	if err != nil {
		return fmt.Errorf("set preserveResourcesOnDeletion on %s on %s (nothing was deleted): %w", ref, r.k.Name, err)
	}
	return nil
}

func (r *rollback) deleteTemplates(ctx context.Context) error {
	var failed []error
	for _, t := range r.plan.Templates {
		result, err := r.deleteTemplate(ctx, t, false)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		r.event(StepDeleteTemplate, t.Ref.String(), result)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d template(s) could not be deleted; the policies were kept, run the command again: %w", len(failed), errors.Join(failed...))
	}
	return nil
}

// deleteTemplate deletes exactly the template that was planned: the UID
// precondition keeps a template re-created meanwhile.
func (r *rollback) deleteTemplate(ctx context.Context, t PolicyTemplate, dry bool) (string, error) {
	opts := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &t.UID}}
	if dry {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	err := r.k.resource(t.mapping, t.Ref.Namespace).Delete(ctx, t.Ref.Name, opts)
	switch {
	case err == nil:
		return Deleted, nil
	case apierrors.IsNotFound(err):
		return Gone, nil
	case apierrors.IsConflict(err):
		return "re-created meanwhile, left in place", nil
	}
	return "", fmt.Errorf("delete the template of %s on %s: %w", t.Ref, r.k.Name, err)
}

func (r *rollback) deletePolicies(ctx context.Context) error {
	for _, p := range r.plan.Policies {
		if err := r.deletePolicy(ctx, p.Ref, false); err != nil {
			return err
		}
		r.event(StepDeletePolicy, p.Ref.String(), Deleted)
	}
	return nil
}

func (r *rollback) deletePolicy(ctx context.Context, ref PolicyRef, dry bool) error {
	ri := r.k.Dynamic.Resource(PropagationPolicies).Namespace(ref.Namespace)
	if ref.Cluster() {
		ri = r.k.Dynamic.Resource(ClusterPropagationPolicies)
	}
	opts := metav1.DeleteOptions{}
	if dry {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := ri.Delete(ctx, ref.Name, opts); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete %s on %s (the templates are already deleted; run the command again): %w", ref, r.k.Name, err)
	}
	return nil
}

func (r *rollback) templateRefs() []ObjectRef {
	out := make([]ObjectRef, 0, len(r.plan.Templates))
	for _, t := range r.plan.Templates {
		out = append(out, t.Ref)
	}
	return out
}

// clustersOf is the union of the policies' cluster names and the bindings'
// scheduled clusters.
func (r *rollback) clustersOf(extra []string) []string {
	set := map[string]bool{}
	for _, p := range r.plan.Policies {
		for _, c := range p.Clusters {
			set[c] = true
		}
	}
	for _, c := range extra {
		set[c] = true
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
