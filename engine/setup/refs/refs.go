// Package refs finds which MigPlans use a MigCluster, MigStorage or MigHook,
// with one LIST of plans, so that list commands can show it and remove
// commands can refuse to pull an object out from under a plan.
package refs

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Index maps object names to the plans (sorted) that reference them.
type Index struct {
	Clusters map[string][]string
	Storages map[string][]string
	Hooks    map[string][]string
	// HookUses are "plan/phase" entries per hook.
	HookUses map[string][]string
}

// Plans lists the plans in ns once and indexes their references. References
// to objects in another namespace are ignored: MTC resolves them there.
func Plans(ctx context.Context, host dynamic.Interface, ns string) (*Index, error) {
	plans, err := kube.List[mtc.MigPlan](ctx, host.Resource(kube.MigPlans).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigPlans in %s on the host cluster: %w", ns, err)
	}
	idx := &Index{Clusters: map[string][]string{}, Storages: map[string][]string{}, Hooks: map[string][]string{},
		HookUses: map[string][]string{}}
	for i := range plans {
		p := &plans[i]
		add(idx.Clusters, p.Spec.SrcMigClusterRef, ns, p.Name)
		add(idx.Clusters, p.Spec.DestMigClusterRef, ns, p.Name)
		add(idx.Storages, p.Spec.MigStorageRef, ns, p.Name)
		for _, h := range p.Spec.Hooks {
			add(idx.Hooks, h.Reference, ns, p.Name)
			add(idx.HookUses, h.Reference, ns, p.Name+"/"+h.Phase)
		}
	}
	for _, m := range []map[string][]string{idx.Clusters, idx.Storages, idx.Hooks, idx.HookUses} {
		for k, v := range m {
			m[k] = uniqSorted(v)
		}
	}
	return idx, nil
}

func add(m map[string][]string, ref *corev1.ObjectReference, ns, plan string) {
	if ref == nil || ref.Name == "" || (ref.Namespace != "" && ref.Namespace != ns) {
		return
	}
	m[ref.Name] = append(m[ref.Name], plan)
}

func uniqSorted(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}
