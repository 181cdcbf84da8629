package plan

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Build returns the MigPlan for s (after WithDefaults), in the shape of
// MTC's documented manifest. It does not validate.
func Build(s Spec) *mtc.MigPlan {
	ref := func(name string) *corev1.ObjectReference {
		return &corev1.ObjectReference{Name: name, Namespace: s.Namespace}
	}
	p := &mtc.MigPlan{
		TypeMeta: metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigPlan},
		ObjectMeta: metav1.ObjectMeta{
			Name:      s.Name,
			Namespace: s.Namespace,
			Labels:    map[string]string{"controller-tools.k8s.io": "1.0"},
		},
		Spec: mtc.MigPlanSpec{
			Namespaces:              append([]string(nil), s.Namespaces...),
			SrcMigClusterRef:        ref(s.Source),
			DestMigClusterRef:       ref(s.Destination),
			MigStorageRef:           ref(s.Storage),
			IndirectImageMigration:  s.IndirectImages,
			IndirectVolumeMigration: s.IndirectVolumes,
		},
	}
	for _, h := range s.Hooks {
		p.Spec.Hooks = append(p.Spec.Hooks, mtc.MigPlanHook{
			Reference:          ref(h.Name),
			Phase:              h.Phase,
			ExecutionNamespace: h.ExecutionNamespace,
			ServiceAccount:     h.ServiceAccount,
		})
	}
	return p
}

// ServerChecks lists, in words, the checks CheckReferences performs; a
// client-side dry run reports them as skipped.
func ServerChecks(s Spec) []string {
	out := []string{
		fmt.Sprintf("no MigPlan %s/%s exists yet", s.Namespace, s.Name),
		fmt.Sprintf("MigCluster %s/%s (source) exists", s.Namespace, s.Source),
		fmt.Sprintf("MigCluster %s/%s (destination) exists", s.Namespace, s.Destination),
		fmt.Sprintf("MigStorage %s/%s exists", s.Namespace, s.Storage),
	}
	for _, h := range s.Hooks {
		out = append(out, fmt.Sprintf("MigHook %s/%s exists", s.Namespace, h.Name))
	}
	return out
}

// CheckReferences runs the checks that need the host cluster: the plan name
// is free and every referenced MigCluster, MigStorage and MigHook exists
// (errors) and is Ready (warnings: the controller would report the plan not
// ready until they are). One LIST per kind.
func CheckReferences(ctx context.Context, host dynamic.Interface, s Spec) (Problems, error) {
	var ps Problems
	_, err := host.Resource(kube.MigPlans).Namespace(s.Namespace).Get(ctx, s.Name, metav1.GetOptions{})
	switch {
	case err == nil:
		ps = append(ps, errorf("AlreadyExists", "NAME", "MigPlan %s/%s already exists: choose another name or delete it first", s.Namespace, s.Name))
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("read MigPlan %s/%s on the host cluster: %w", s.Namespace, s.Name, err)
	}
	clusters, err := readiness[mtc.MigCluster](ctx, host, s.Namespace, kube.MigClusters,
		func(c *mtc.MigCluster) (string, mtc.Conditions) { return c.Name, c.Status.Conditions })
	if err != nil {
		return nil, err
	}
	ps = append(ps, refRule(clusters, "--source", "MigCluster", s.Source, mtc.ConditionInvalidSourceClusterRef, mtc.ConditionSourceClusterNotReady)...)
	ps = append(ps, refRule(clusters, "--destination", "MigCluster", s.Destination, mtc.ConditionInvalidDestinationClusterRef, mtc.ConditionDestinationClusterNotReady)...)
	storages, err := readiness[mtc.MigStorage](ctx, host, s.Namespace, kube.MigStorages,
		func(st *mtc.MigStorage) (string, mtc.Conditions) { return st.Name, st.Status.Conditions })
	if err != nil {
		return nil, err
	}
	ps = append(ps, refRule(storages, "--storage", "MigStorage", s.Storage, mtc.ConditionInvalidStorageRef, mtc.ConditionStorageNotReady)...)
	if len(s.Hooks) == 0 {
		return ps, nil
	}
	hooks, err := readiness[mtc.MigHook](ctx, host, s.Namespace, kube.MigHooks,
		func(h *mtc.MigHook) (string, mtc.Conditions) { return h.Name, h.Status.Conditions })
	if err != nil {
		return nil, err
	}
	for _, h := range s.Hooks {
		ps = append(ps, refRule(hooks, "--hook", "MigHook", h.Name, mtc.ConditionInvalidHookRef, mtc.ConditionHookNotReady)...)
	}
	return ps, nil
}

// readiness lists a kind and maps each name to whether it is Ready.
func readiness[T any](ctx context.Context, host dynamic.Interface, ns string, gvr schema.GroupVersionResource,
	key func(*T) (string, mtc.Conditions)) (map[string]bool, error) {
	items, err := kube.List[T](ctx, host.Resource(gvr).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list %s in %s on the host cluster: %w", gvr.Resource, ns, err)
	}
	out := make(map[string]bool, len(items))
	for i := range items {
		name, conds := key(&items[i])
		out[name] = conds.IsReady()
	}
	return out, nil
}

func refRule(ready map[string]bool, field, kind, name, missingCode, notReadyCode string) Problems {
	r, ok := ready[name]
	switch {
	case name == "":
		return nil // reported by the client-side rules
	case !ok:
		return Problems{errorf(missingCode, field, "%s %q does not exist: create it first, or check the name and -n", kind, name)}
	case !r:
		return Problems{warnf(notReadyCode, field, "%s %q is not Ready yet: the plan will not become Ready until it is", kind, name)}
	}
	return nil
}

// Create sends p to the host cluster. With serverDryRun the API server
// validates and defaults it without persisting anything.
func Create(ctx context.Context, host dynamic.Interface, p *mtc.MigPlan, serverDryRun bool) (*mtc.MigPlan, error) {
	u, err := kube.ToUnstructured(p)
	if err != nil {
		return nil, err
	}
	opts := metav1.CreateOptions{}
	if serverDryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := host.Resource(kube.MigPlans).Namespace(p.Namespace).Create(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("create MigPlan %s/%s on the host cluster: %w", p.Namespace, p.Name, err)
	}
	return kube.FromUnstructured[mtc.MigPlan](out)
}
