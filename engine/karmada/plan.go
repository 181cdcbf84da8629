package karmada

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	"github.com/kubectl-mig/kubectl-mig/engine/karmada/prune"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// MigrateConfig is what `karmada migrate` asks for.
type MigrateConfig struct {
	// Cluster is the member cluster's name in Karmada (its Cluster object).
	Cluster string
	// Namespace holds the namespaced objects to take over, and the
	// PropagationPolicy.
	Namespace string
	Selection Selection
	// PolicyName names the PropagationPolicy and, when cluster-scoped
	// objects are selected, the ClusterPropagationPolicy.
	PolicyName string
	// PreserveResourcesOnDeletion is written on the policies (true unless
	// the user opts out), so a rollback cannot delete member objects.
	PreserveResourcesOnDeletion bool
}

// MigrationPlan is everything migrate will write, computed before any
// write. Refusals are returned as a *RefusalError instead.
type MigrationPlan struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	// CreateNamespace is set when the namespace does not exist on Karmada:
	// it is created with namespace.karmada.io/skip-auto-propagation so that
	// Karmada does not push it to every member cluster.
	CreateNamespace bool       `json:"createNamespace,omitempty"`
	Templates       []Template `json:"templates"`
	Policies        []Policy   `json:"policies"`
	Skipped         []Skipped  `json:"skipped,omitempty"`
	Warnings        []string   `json:"warnings,omitempty"`

	kinds    []planKind
	baseline *baseline
}

// Template is one resource template.
type Template struct {
	Ref ObjectRef `json:"ref"`
	// Exists: a template is already on Karmada; it is left alone.
	Exists bool `json:"exists,omitempty"`
	// Differs: the existing template is not what the member object holds,
	// so Karmada will overwrite the member object with it.
	Differs bool `json:"differs,omitempty"`
	// ClaimedBy is the policy that already propagates the template.
	ClaimedBy *PolicyRef `json:"claimedBy,omitempty"`
	// Object is the pruned member object (what is created when !Exists).
	Object *unstructured.Unstructured `json:"-"`

	member  Mapping
	karmada Mapping
	state   memberState
}

type planKind struct {
	member, karmada Mapping
	byKind          bool
	templates       []*Template
}

// RefusalError lists why migrate (or rollback) will not change anything.
type RefusalError struct {
	Action   string
	Problems []string
}

func (e *RefusalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to %s, nothing was changed:", e.Action)
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p)
	}
	return b.String()
}

// PlanMigration reads the member cluster and Karmada and returns what
// migrate would write, or a *RefusalError naming every problem found. It
// writes nothing.
func PlanMigration(ctx context.Context, k, member *Cluster, cfg MigrateConfig) (*MigrationPlan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	refuse := &RefusalError{Action: "migrate"}
	if why := namespaceRefusal(cfg.Namespace); why != "" {
		refuse.Problems = append(refuse.Problems, fmt.Sprintf("namespace %s: %s", cfg.Namespace, why))
		return nil, refuse
	}
	sel, err := selectFromMember(ctx, member, cfg.Namespace, cfg.Selection)
	if err != nil {
		return nil, err
	}
	refuse.Problems = append(refuse.Problems, sel.problems...)
	plan := &MigrationPlan{Cluster: cfg.Cluster, Namespace: cfg.Namespace, Skipped: sel.skipped, Warnings: sel.warnings}
	if len(sel.kinds) == 0 && len(refuse.Problems) == 0 {
		return nil, fmt.Errorf("nothing to take over: %s selects no object in namespace %s on %s%s",
			describeSelection(cfg.Selection), cfg.Namespace, member.Name, skippedNote(sel.skipped))
	}
	p := planner{k: k, member: member, cfg: cfg, plan: plan, refuse: refuse}
	if err := p.mapKinds(ctx, sel.kinds); err != nil {
		return nil, err
	}
	if err := p.checkKarmada(ctx); err != nil {
		return nil, err
	}
	if len(refuse.Problems) > 0 {
		return nil, refuse
	}
	if plan.baseline, err = takeBaseline(ctx, member, plan.Templates); err != nil {
		return nil, err
	}
	return plan, nil
}

func (c *MigrateConfig) validate() error {
	switch {
	case c.Cluster == "":
		return errors.New("the member cluster name is required")
	case c.Namespace == "":
		return errors.New("the namespace is required")
	case c.PolicyName == "":
		return errors.New("the policy name is required")
	}
	if msgs := validation.IsDNS1123Subdomain(c.PolicyName); len(msgs) > 0 {
		return fmt.Errorf("policy name %q: %s", c.PolicyName, strings.Join(msgs, "; "))
	}
	if msgs := validation.IsValidLabelValue(c.PolicyName); len(msgs) > 0 {
		return fmt.Errorf("policy name %q (also a label value): %s", c.PolicyName, strings.Join(msgs, "; "))
	}
	return c.Selection.validate()
}

type planner struct {
	k, member *Cluster
	cfg       MigrateConfig
	plan      *MigrationPlan
	refuse    *RefusalError
}

// mapKinds checks that Karmada serves every selected kind and prunes the
// member objects into templates.
func (p *planner) mapKinds(ctx context.Context, kinds []memberKind) error {
	for _, mk := range kinds {
		km, err := p.k.mapping(mk.mapping.GVK)
		if meta.IsNoMatchError(err) {
			p.refuse.Problems = append(p.refuse.Problems, fmt.Sprintf(
				"the Karmada API server does not serve %s (%d selected on %s): install its CRD on Karmada first, the same version as on the member",
				gvkString(mk.mapping.GVK), len(mk.objects), p.member.Name))
			continue
		}
		if err != nil {
			return err
		}
		pk := planKind{member: mk.mapping, karmada: km, byKind: mk.byKind}
		for _, o := range mk.objects {
			tmpl, err := prune.Template(o, true)
			if err != nil {
				return err
			}
			t := &Template{Ref: RefOf(o), Object: tmpl, member: mk.mapping, karmada: km, state: stateOf(o)}
			pk.templates = append(pk.templates, t)
		}
		p.plan.kinds = append(p.plan.kinds, pk)
	}
	return nil
}

// checkKarmada compares the templates with what Karmada holds: existing
// templates and their claims, policies that would compete, the namespace.
func (p *planner) checkKarmada(ctx context.Context) error {
	namespaced, clusterScoped := false, false
	for i := range p.plan.kinds {
		pk := &p.plan.kinds[i]
		if pk.karmada.Namespaced {
			namespaced = true
		} else {
			clusterScoped = true
		}
		if err := p.compareTemplates(ctx, pk); err != nil {
			return err
		}
	}
	if namespaced {
		if err := p.checkNamespace(ctx); err != nil {
			return err
		}
	}
	nsForPolicies := ""
	if namespaced {
		nsForPolicies = p.cfg.Namespace
	}
	policies, err := listPolicies(ctx, p.k, nsForPolicies, clusterScoped)
	if err != nil {
		return err
	}
	p.plan.Policies = buildPolicies(p.cfg.PolicyName, p.cfg.Namespace, p.cfg.Cluster, p.cfg.PreserveResourcesOnDeletion, p.plan.kinds)
	p.checkPolicies(policies)
	for _, pk := range p.plan.kinds {
		for _, t := range pk.templates {
			p.plan.Templates = append(p.plan.Templates, *t)
		}
	}
	p.warnNamespaces()
	return nil
}

// compareTemplates lists the kind's templates on Karmada (one LIST) and
// marks the existing ones; with a kind selector it also reports templates
// that exist only on Karmada, which the policy would propagate too.
func (p *planner) compareTemplates(ctx context.Context, pk *planKind) error {
	existing := map[string]*unstructured.Unstructured{}
	err := kube.EachPage(ctx, p.k.resource(pk.karmada, p.cfg.Namespace), metav1.ListOptions{}, func(items []unstructured.Unstructured) error {
		for i := range items {
			existing[items[i].GetName()] = &items[i]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s on %s: %w", pk.karmada.Resource.GroupResource(), p.k.Name, err)
	}
	selected := map[string]bool{}
	for _, t := range pk.templates {
		selected[t.Ref.Name] = true
		cur, ok := existing[t.Ref.Name]
		if !ok {
			if t.state.managed {
				p.refuse.Problems = append(p.refuse.Problems, fmt.Sprintf(
					"%s on %s is already managed by Karmada (label %s=true) but this Karmada has no template for it: another control plane may manage it; remove the label only if nothing does",
					t.Ref, p.member.Name, karmada.ManagedLabel))
			}
			continue
		}
		t.Exists = true
		t.ClaimedBy = claimOf(cur)
		// Pruned alike, so that what Karmada's own API server allocated
		// (a Service template's cluster IP) does not count as a difference.
		pruned, err := prune.Template(cur, false)
		if err != nil {
			return err
		}
		t.Differs = !sameContent(pruned, t.Object)
	}
	if pk.byKind {
		var extra []string
		for name, cur := range existing {
			if !selected[name] && claimOf(cur) == nil {
				extra = append(extra, name)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			p.plan.Warnings = append(p.plan.Warnings, fmt.Sprintf(
				"the kind selector for %s also selects %d template(s) that exist only on Karmada (%s): they will be propagated to %s too",
				KindString(pk.karmada.GVK), len(extra), strings.Join(extra, ", "), p.cfg.Cluster))
		}
	}
	return nil
}

// sameContent compares everything but metadata and status: what Karmada
// would write onto the member object.
func sameContent(a, b *unstructured.Unstructured) bool {
	strip := func(u *unstructured.Unstructured) map[string]any {
		out := map[string]any{}
		for k, v := range u.Object {
			if k != "metadata" && k != "status" && k != "apiVersion" && k != "kind" {
				out[k] = v
			}
		}
		return out
	}
	return equality.Semantic.DeepEqual(strip(a), strip(b))
}

func (p *planner) checkNamespace(ctx context.Context) error {
	_, err := p.k.Dynamic.Resource(Namespaces).Get(ctx, p.cfg.Namespace, metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case ignoreNotFound(err) == nil:
		p.plan.CreateNamespace = true
		return nil
	}
	return fmt.Errorf("read namespace %s on %s: %w", p.cfg.Namespace, p.k.Name, err)
}

// checkPolicies refuses when the templates are, or would be, claimed by
// another policy: the detector never hands a claimed template to a new
// policy (without preemption), and an unclaimed template goes to the best
// matching PropagationPolicy of its namespace, which may not be ours.
func (p *planner) checkPolicies(existing []*policy) {
	ours := map[PolicyRef]*Policy{}
	for i := range p.plan.Policies {
		ours[p.plan.Policies[i].Ref] = &p.plan.Policies[i]
	}
	for _, ex := range existing {
		if want, ok := ours[ex.ref]; ok {
			if diff := policyDifference(ex, want); diff != "" {
				p.refuse.Problems = append(p.refuse.Problems, fmt.Sprintf(
					"%s already exists and differs: %s; choose another name (--name), or roll it back first", ex.ref, diff))
			} else {
				want.Exists = true
			}
		}
	}
	competing := map[PolicyRef][]string{}
	for _, pk := range p.plan.kinds {
		for _, t := range pk.templates {
			if t.ClaimedBy != nil {
				if _, isOurs := ours[*t.ClaimedBy]; !isOurs {
					p.refuse.Problems = append(p.refuse.Problems, fmt.Sprintf(
						"the template of %s is already claimed by %s: a claimed template stays with its policy; migrate it with that policy (conflictResolution: Overwrite) or release it first",
						t.Ref, t.ClaimedBy))
				}
				continue
			}
			key := templateKey{ref: t.Ref, labels: t.Object.GetLabels()}
			for _, ex := range existing {
				// Only PropagationPolicies compete for namespaced templates
				// (the detector tries them before any cluster policy), only
				// ClusterPropagationPolicies for cluster-scoped ones.
				if _, isOurs := ours[ex.ref]; isOurs || ex.ref.Cluster() == pk.karmada.Namespaced {
					continue
				}
				if ex.selects(key) {
					competing[ex.ref] = append(competing[ex.ref], t.Ref.String())
				}
			}
		}
	}
	refs := make([]PolicyRef, 0, len(competing))
	for r := range competing {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	for _, r := range refs {
		p.refuse.Problems = append(p.refuse.Problems, fmt.Sprintf(
			"%s already selects %s: Karmada could let it claim the templates instead; narrow its resourceSelectors or migrate with it",
			r, abbreviate(competing[r], 5)))
	}
}

func (p *planner) warnNamespaces() {
	for _, t := range p.plan.Templates {
		if t.Ref.Kind == "Namespace" && t.Ref.APIVersion == "v1" {
			p.plan.Warnings = append(p.plan.Warnings, fmt.Sprintf(
				"taking over Namespace %s: once Karmada manages it, deleting its template on Karmada deletes the namespace on %s and everything in it (namespace propagation ignores preserveResourcesOnDeletion); rollback leaves Namespace templates in place for that reason",
				t.Ref.Name, p.cfg.Cluster))
		}
	}
}

func describeSelection(s Selection) string {
	switch s.Mode() {
	case "all-kinds":
		return "--all-kinds"
	case "app":
		return "--resource"
	}
	var ks []string
	for _, k := range s.Kinds {
		ks = append(ks, k.String())
	}
	return "--kind " + strings.Join(ks, ", ")
}

func skippedNote(s []Skipped) string {
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d object(s) skipped, e.g. %s: %s)", len(s), s[0].Ref, s[0].Reason)
}

func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
