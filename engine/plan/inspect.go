package plan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Summary is one row of `plan list`.
type Summary struct {
	Name        string      `json:"name"`
	Namespace   string      `json:"namespace"`
	Ready       bool        `json:"ready"`
	Closed      bool        `json:"closed"`
	Source      string      `json:"source"`
	Destination string      `json:"destination"`
	Storage     string      `json:"storage"`
	Namespaces  []string    `json:"namespaces"`
	Created     metav1.Time `json:"created"`
	// Type is the reason of MigrationTypeIdentified (NamespaceMigrationPlan,
	// StateMigrationPlan, StorageConversionPlan), when known.
	Type       string `json:"type,omitempty"`
	Migrations int    `json:"migrations"`
	// LastMigration and LastResult describe the newest migration, e.g.
	// "Final Succeeded" or "Rollback Running".
	LastMigration string `json:"lastMigration,omitempty"`
	LastResult    string `json:"lastResult,omitempty"`
	// Blockers are the Critical and Error conditions keeping it not Ready.
	Blockers []mtc.Condition `json:"blockers,omitempty"`
	// Object is the MigPlan itself, for -o json|yaml.
	Object *mtc.MigPlan `json:"-"`
}

// MigrationInfo is a migration of a plan, newest first in Details.
type MigrationInfo struct {
	Name string `json:"name"`
	// Kind is Stage, Final or Rollback.
	Kind     string       `json:"kind"`
	Outcome  mtc.Outcome  `json:"outcome"`
	Phase    string       `json:"phase,omitempty"`
	Step     string       `json:"step,omitempty"`
	Created  metav1.Time  `json:"created"`
	Started  *metav1.Time `json:"started,omitempty"`
	Canceled bool         `json:"canceled,omitempty"`
}

// ConditionGroup holds the asserted conditions of one category.
type ConditionGroup struct {
	Category   string          `json:"category"`
	Conditions []mtc.Condition `json:"conditions"`
}

// PVInfo is a discovered persistent volume and what the plan will do with it.
type PVInfo struct {
	Name         string   `json:"name"`
	Capacity     string   `json:"capacity,omitempty"`
	StorageClass string   `json:"storageClass,omitempty"`
	PVC          string   `json:"pvc"`
	Action       string   `json:"action"`
	CopyMethod   string   `json:"copyMethod,omitempty"`
	TargetClass  string   `json:"targetStorageClass,omitempty"`
	Verify       bool     `json:"verify,omitempty"`
	Supported    []string `json:"supportedActions,omitempty"`
}

// Details is everything `plan describe` shows.
type Details struct {
	Summary
	Conditions             []ConditionGroup            `json:"conditions"`
	Hooks                  []mtc.MigPlanHook           `json:"hooks,omitempty"`
	PVs                    []PVInfo                    `json:"persistentVolumes,omitempty"`
	MigrationList          []MigrationInfo             `json:"migrationList,omitempty"`
	UnhealthyNamespaces    []mtc.UnhealthyNamespace    `json:"unhealthyNamespaces,omitempty"`
	IncompatibleNamespaces []mtc.IncompatibleNamespace `json:"incompatibleNamespaces,omitempty"`
	IndirectVolumes        bool                        `json:"indirectVolumeMigration"`
	IndirectImages         bool                        `json:"indirectImageMigration"`
}

// CategoryOrder is the order conditions are shown in: what blocks first.
var CategoryOrder = []string{mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn, mtc.CategoryRequired, mtc.CategoryAdvisory}

// Names lists the plan names in ns (for shell completion).
func Names(ctx context.Context, host dynamic.Interface, ns string) ([]string, error) {
	return kube.Names(ctx, host.Resource(kube.MigPlans).Namespace(ns), metav1.ListOptions{})
}

// Get reads one plan from the host cluster.
func Get(ctx context.Context, host dynamic.Interface, ns, name string) (*mtc.MigPlan, error) {
	p, err := kube.Get[mtc.MigPlan](ctx, host.Resource(kube.MigPlans).Namespace(ns), name)
	if err != nil {
		return nil, fmt.Errorf("read MigPlan %s/%s on the host cluster: %w", ns, name, err)
	}
	return p, nil
}

// List returns a summary of every plan in ns, sorted by name, with one LIST
// of plans and one LIST of migrations.
func List(ctx context.Context, host dynamic.Interface, ns string) ([]Summary, error) {
	plans, err := kube.List[mtc.MigPlan](ctx, host.Resource(kube.MigPlans).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigPlans in %s on the host cluster: %w", ns, err)
	}
	byPlan, err := migrationsByPlan(ctx, host, ns)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(plans))
	for i := range plans {
		out = append(out, summarize(&plans[i], byPlan[plans[i].Name]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Describe gathers the details of one plan.
func Describe(ctx context.Context, host dynamic.Interface, ns, name string) (*Details, error) {
	p, err := Get(ctx, host, ns, name)
	if err != nil {
		return nil, err
	}
	byPlan, err := migrationsByPlan(ctx, host, ns)
	if err != nil {
		return nil, err
	}
	return Detail(p, byPlan[p.Name]), nil
}

// Detail builds Details from a plan and its migrations (pure).
func Detail(p *mtc.MigPlan, migs []mtc.MigMigration) *Details {
	d := &Details{
		Summary:                summarize(p, migs),
		Conditions:             GroupConditions(p.Status.Conditions),
		Hooks:                  p.Spec.Hooks,
		UnhealthyNamespaces:    p.Status.Namespaces,
		IncompatibleNamespaces: p.Status.IncompatibleNamespaces,
		IndirectVolumes:        p.Spec.IndirectVolumeMigration,
		IndirectImages:         p.Spec.IndirectImageMigration,
	}
	for _, pv := range p.Spec.PersistentVolumes {
		d.PVs = append(d.PVs, PVInfo{
			Name: pv.Name, Capacity: pv.Capacity.String(), StorageClass: pv.StorageClass,
			PVC: pv.PVC.Namespace + "/" + pv.PVC.Name, Action: orDash(pv.Selection.Action),
			CopyMethod: pv.Selection.CopyMethod, TargetClass: pv.Selection.StorageClass,
			Verify: pv.Selection.Verify, Supported: pv.Supported.Actions,
		})
	}
	for i := range migs {
		d.MigrationList = append(d.MigrationList, migrationInfo(&migs[i]))
	}
	return d
}

// GroupConditions groups the asserted conditions by category, in
// CategoryOrder; unknown categories come last.
func GroupConditions(cs mtc.Conditions) []ConditionGroup {
	var groups []ConditionGroup
	seen := map[string]bool{}
	add := func(cat string) {
		var list []mtc.Condition
		for _, c := range cs {
			if c.Category == cat && c.IsTrue() {
				list = append(list, c)
			}
		}
		if len(list) > 0 {
			groups = append(groups, ConditionGroup{Category: cat, Conditions: list})
		}
		seen[cat] = true
	}
	for _, cat := range CategoryOrder {
		add(cat)
	}
	for _, c := range cs {
		if !seen[c.Category] {
			add(c.Category)
		}
	}
	return groups
}

func summarize(p *mtc.MigPlan, migs []mtc.MigMigration) Summary {
	s := Summary{
		Name: p.Name, Namespace: p.Namespace,
		Ready: p.Status.Conditions.IsReady(), Closed: p.Spec.Closed,
		Source: refName(p.Spec.SrcMigClusterRef), Destination: refName(p.Spec.DestMigClusterRef),
		Storage: refName(p.Spec.MigStorageRef), Namespaces: p.Spec.Namespaces,
		Created: p.CreationTimestamp, Migrations: len(migs),
		Blockers: p.Status.Conditions.Blockers(), Object: p,
	}
	if c := p.Status.Conditions.Find(mtc.ConditionMigrationTypeIdentified); c.IsTrue() {
		s.Type = c.Reason
	}
	if len(migs) > 0 {
		last := &migs[0] // newest first
		s.LastMigration = last.Name
		s.LastResult = last.Spec.ExpectedItinerary() + " " + string(last.Outcome())
	}
	return s
}

func migrationInfo(m *mtc.MigMigration) MigrationInfo {
	mi := MigrationInfo{
		Name: m.Name, Kind: m.Spec.ExpectedItinerary(), Outcome: m.Outcome(), Phase: m.Status.Phase,
		Created: m.CreationTimestamp, Started: m.Status.StartTimestamp, Canceled: m.Spec.Canceled,
	}
	if c := m.Status.Conditions.Find(mtc.ConditionRunning); c.IsTrue() {
		mi.Step = strings.TrimSpace(strings.TrimPrefix(c.Message, "Step:"))
	}
	return mi
}

// migrationsByPlan lists the migrations in ns once and groups them by plan,
// newest first.
func migrationsByPlan(ctx context.Context, host dynamic.Interface, ns string) (map[string][]mtc.MigMigration, error) {
	migs, err := kube.List[mtc.MigMigration](ctx, host.Resource(kube.MigMigrations).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigMigrations in %s on the host cluster: %w", ns, err)
	}
	SortNewestFirst(migs)
	out := map[string][]mtc.MigMigration{}
	for _, m := range migs {
		if m.Spec.MigPlanRef == nil {
			continue
		}
		out[m.Spec.MigPlanRef.Name] = append(out[m.Spec.MigPlanRef.Name], m)
	}
	return out, nil
}

// SortNewestFirst orders migrations by creation time, newest first, then by
// name for a stable order.
func SortNewestFirst(migs []mtc.MigMigration) {
	sort.SliceStable(migs, func(i, j int) bool {
		a, b := migs[i].CreationTimestamp, migs[j].CreationTimestamp
		if !a.Equal(&b) {
			return b.Before(&a)
		}
		return migs[i].Name > migs[j].Name
	})
}

func refName(r *corev1.ObjectReference) string {
	if r == nil {
		return ""
	}
	return r.Name
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
