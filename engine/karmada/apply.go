package karmada

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
)

// DryRun is kubectl's --dry-run strategy.
type DryRun string

// Dry-run strategies.
const (
	DryRunNone   DryRun = "none"
	DryRunClient DryRun = "client"
	DryRunServer DryRun = "server"
)

// ParseDryRun accepts none, client and server ("" is none).
func ParseDryRun(s string) (DryRun, error) {
	switch DryRun(s) {
	case "", DryRunNone:
		return DryRunNone, nil
	case DryRunClient, DryRunServer:
		return DryRun(s), nil
	}
	return "", fmt.Errorf("--dry-run must be none, client or server, not %q", s)
}

func (d DryRun) options() []string {
	if d == DryRunServer {
		return []string{metav1.DryRunAll}
	}
	return nil
}

// Change outcomes.
const (
	Created   = "created"
	LeftAlone = "exists, left alone"
	Unchanged = "unchanged"
	Updated   = "updated"
	Deleted   = "deleted"
	Gone      = "already gone"
)

// Change is one write (or, in a dry run, one write that would be made).
type Change struct {
	// Object is the kubectl name: "deployment.apps shop/nginx".
	Object string `json:"object"`
	// What the object is to Karmada: "namespace", "resource template",
	// "policy".
	What   string `json:"what"`
	Result string `json:"result"`
	// Note explains a result ("differs from the member object", ...).
	Note string `json:"note,omitempty"`
}

// ApplyResult lists the changes in the order they were made.
type ApplyResult struct {
	Changes []Change `json:"changes"`
}

// ApplyMigration writes the plan to Karmada: the namespace if missing, the
// templates, then the policies, so that nothing is propagated before every
// template is in place. A template that fails to be created keeps the
// policies from being written (the member stays as it is); the other
// templates are still created, and a rerun finishes the job. progress, when
// set, sees every change as it is made.
func ApplyMigration(ctx context.Context, k *Cluster, plan *MigrationPlan, dry DryRun, progress func(Change)) (*ApplyResult, error) {
	res := &ApplyResult{}
	record := func(c Change) {
		res.Changes = append(res.Changes, c)
		if progress != nil {
			progress(c)
		}
	}
	opts := metav1.CreateOptions{FieldManager: FieldManager, DryRun: dry.options()}
	// In a server dry run a missing namespace is not really created, so
	// the server would refuse everything inside it: those objects are
	// checked on the client only.
	clientOnly := plan.CreateNamespace && dry == DryRunServer
	if plan.CreateNamespace {
		c, err := createNamespace(ctx, k, plan.Namespace, dry, opts)
		if err != nil {
			return res, err
		}
		record(c)
	}
	var failed []error
	for _, t := range plan.Templates {
		c, err := createTemplate(ctx, k, &t, dry, opts, clientOnly && t.karmada.Namespaced)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		record(c)
	}
	if len(failed) > 0 {
		return res, fmt.Errorf("%d template(s) could not be created, so no policy was written and %s is unchanged (run the command again once fixed): %w",
			len(failed), plan.Cluster, errors.Join(failed...))
	}
	for _, p := range plan.Policies {
		c, err := createPolicy(ctx, k, &p, dry, opts, clientOnly && !p.Ref.Cluster())
		if err != nil {
			return res, err
		}
		record(c)
	}
	return res, nil
}

func createNamespace(ctx context.Context, k *Cluster, ns string, dry DryRun, opts metav1.CreateOptions) (Change, error) {
	c := Change{Object: ns, What: "namespace", Result: Created,
		Note: "labelled " + karmada.NamespaceSkipAutoPropagationLabel + "=true, so that Karmada does not push it to the member clusters"}
	if dry == DryRunClient {
		return c, nil
	}
	_, err := k.Dynamic.Resource(Namespaces).Create(ctx, NamespaceObject(ns), opts)
	if apierrors.IsAlreadyExists(err) {
		c.Result, c.Note = LeftAlone, ""
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("create namespace %s on %s: %w", ns, k.Name, err)
	}
	return c, nil
}

// NamespaceObject is the namespace migrate creates on Karmada for the
// templates: labelled so that Karmada's namespace-sync controller leaves the
// member clusters' namespaces alone (it would otherwise push it to every
// member, with no conflict resolution and no preserve flag).
func NamespaceObject(ns string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata": map[string]any{
			"name":   ns,
			"labels": map[string]any{karmada.NamespaceSkipAutoPropagationLabel: "true"},
		},
	}}
}

func createTemplate(ctx context.Context, k *Cluster, t *Template, dry DryRun, opts metav1.CreateOptions, clientOnly bool) (Change, error) {
	c := Change{Object: t.Ref.String(), What: "resource template", Result: Created}
	if t.Exists {
		c.Result = LeftAlone
		if t.Differs {
			c.Note = "differs from the member object: Karmada will overwrite the member object with it"
		}
		return c, nil
	}
	if dry == DryRunClient || clientOnly {
		return c, nil
	}
	_, err := k.resource(t.karmada, t.Ref.Namespace).Create(ctx, t.Object, opts)
	if apierrors.IsAlreadyExists(err) {
		c.Result = LeftAlone // created meanwhile, by someone else or an earlier run
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("create the template of %s on %s: %w", t.Ref, k.Name, err)
	}
	return c, nil
}

func createPolicy(ctx context.Context, k *Cluster, p *Policy, dry DryRun, opts metav1.CreateOptions, clientOnly bool) (Change, error) {
	c := Change{Object: p.Ref.String(), What: "policy", Result: Created}
	if p.Exists {
		c.Result = Unchanged
		return c, nil
	}
	if dry == DryRunClient || clientOnly {
		return c, nil
	}
	obj, err := p.Object()
	if err != nil {
		return c, err
	}
	ri := k.Dynamic.Resource(PropagationPolicies).Namespace(p.Ref.Namespace)
	if p.Ref.Cluster() {
		ri = k.Dynamic.Resource(ClusterPropagationPolicies)
	}
	if _, err := ri.Create(ctx, obj, opts); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return c, fmt.Errorf("%s was created by someone else meanwhile: run the command again to compare it", p.Ref)
		}
		return c, fmt.Errorf("create %s on %s: %w", p.Ref, k.Name, err)
	}
	return c, nil
}

// Objects returns what the plan writes, in order, for -o yaml|json: the
// namespace, the templates to create, and the policies to create.
func (p *MigrationPlan) Objects() ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	if p.CreateNamespace {
		out = append(out, NamespaceObject(p.Namespace))
	}
	for _, t := range p.Templates {
		if !t.Exists {
			out = append(out, t.Object)
		}
	}
	for i := range p.Policies {
		if p.Policies[i].Exists {
			continue
		}
		o, err := p.Policies[i].Object()
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
