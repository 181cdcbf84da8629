package migration

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/plan"
)

// ErrFinished is returned when canceling a migration that already completed.
var ErrFinished = errors.New("the migration has already finished")

// Get reads one MigMigration from the host cluster.
func Get(ctx context.Context, host dynamic.Interface, ns, name string) (*mtc.MigMigration, error) {
	m, err := kube.Get[mtc.MigMigration](ctx, host.Resource(kube.MigMigrations).Namespace(ns), name)
	if err != nil {
		return nil, fmt.Errorf("read MigMigration %s/%s on the host cluster: %w", ns, name, err)
	}
	return m, nil
}

// Cancel asks the controller to cancel a running migration (merge patch of
// spec.canceled, which the controller turns into the Cancel itinerary:
// delete Velero objects, stage pods and DVM resources, unquiesce the
// source). It reports whether cancel had already been requested.
func Cancel(ctx context.Context, host dynamic.Interface, ns, name string, dryRun bool) (already bool, err error) {
	m, err := Get(ctx, host, ns, name)
	if err != nil {
		return false, err
	}
	if o := m.Outcome(); o.Terminal() {
		return false, fmt.Errorf("MigMigration %s/%s: %w (%s): nothing to cancel", ns, name, ErrFinished, o)
	}
	if m.Spec.Canceled {
		return true, nil
	}
	ri := host.Resource(kube.MigMigrations).Namespace(ns)
	if err := kube.MergePatch(ctx, ri, name, map[string]any{"spec": map[string]any{"canceled": true}}, dryRun); err != nil {
		return false, fmt.Errorf("cancel MigMigration %s/%s: %w", ns, name, err)
	}
	return false, nil
}

// Summary is one row of `migration list`.
type Summary struct {
	Progress
	Created     metav1.Time  `json:"created"`
	Started     *metav1.Time `json:"started,omitempty"`
	QuiescePods bool         `json:"quiescePods"`
	Canceled    bool         `json:"canceled"`
}

// List returns the migrations in ns, newest first; plan filters by plan name
// when not empty. One LIST.
func List(ctx context.Context, host dynamic.Interface, ns, planName string) ([]Summary, error) {
	migs, err := kube.List[mtc.MigMigration](ctx, host.Resource(kube.MigMigrations).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigMigrations in %s on the host cluster: %w", ns, err)
	}
	plan.SortNewestFirst(migs)
	out := make([]Summary, 0, len(migs))
	for i := range migs {
		m := &migs[i]
		if planName != "" && (m.Spec.MigPlanRef == nil || m.Spec.MigPlanRef.Name != planName) {
			continue
		}
		out = append(out, Summary{
			Progress: Snapshot(m), Created: m.CreationTimestamp, Started: m.Status.StartTimestamp,
			QuiescePods: m.Spec.QuiescePods, Canceled: m.Spec.Canceled,
		})
	}
	return out, nil
}

// Names lists migration names in ns (for shell completion).
func Names(ctx context.Context, host dynamic.Interface, ns string) ([]string, error) {
	return kube.Names(ctx, host.Resource(kube.MigMigrations).Namespace(ns), metav1.ListOptions{})
}
