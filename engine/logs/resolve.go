package logs

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// clusterTarget is one cluster whose pods are watched.
type clusterTarget struct {
	name        string
	target      *cluster.Target
	host        bool
	source      bool
	destination bool
	namespaces  []string
}

// scopeSource lists (and watches) one kind that feeds the scope.
type scopeSource struct {
	kind    objKind
	cluster string
	lw      *listWatch
}

func (s scopeSource) key() string { return s.cluster + "/" + string(s.kind) }

// resolution is what Run learns before streaming.
type resolution struct {
	plan     *mtc.MigPlan
	targets  []*clusterTarget
	sources  []scopeSource
	migs     []objInfo // every MigMigration in the namespace
	migsRV   string
	migLW    *listWatch
	planName string
}

// resolve finds the plan (through the migration when one is named), its
// clusters, and the namespaces to watch on each. Failing to reach the source
// or destination is reported, not fatal: the other clusters' logs still
// stream.
func resolve(ctx context.Context, access *cluster.Access, cfg *Config, h *health) (*resolution, error) {
	host := access.Host()
	res := &resolution{}
	res.migLW = dynamicLW(host.Dynamic, kube.MigMigrations, cfg.Namespace, "", fmt.Sprintf("MigMigrations in %s on the host cluster", cfg.Namespace))
	objs, rv, err := res.migLW.listAll(ctx)
	if err != nil {
		return nil, err
	}
	res.migsRV = rv
	for _, o := range objs {
		res.migs = append(res.migs, objInfoFrom(kindMigration, o.(*unstructured.Unstructured)))
	}
	res.planName = cfg.Plan
	if cfg.Migration != "" {
		i := slices.IndexFunc(res.migs, func(o objInfo) bool { return o.Name == cfg.Migration })
		if i < 0 {
			return nil, apierrors.NewNotFound(mtc.Resource("migmigrations"), cfg.Migration)
		}
		if res.planName = res.migs[i].Plan; res.planName == "" {
			return nil, fmt.Errorf("MigMigration %s/%s has no spec.migPlanRef: it belongs to no plan", cfg.Namespace, cfg.Migration)
		}
	}
	res.plan, err = kube.Get[mtc.MigPlan](ctx, host.Dynamic.Resource(kube.MigPlans).Namespace(cfg.Namespace), res.planName)
	if err != nil {
		return nil, fmt.Errorf("read MigPlan %s/%s on the host cluster: %w", cfg.Namespace, res.planName, err)
	}
	res.targets = planTargets(ctx, access, res.plan, h)
	res.setNamespaces(cfg)
	res.sources = res.scopeSources(cfg)
	return res, nil
}

// planTargets returns the host, source and destination clusters, the host
// once even when it is also the source or destination.
func planTargets(ctx context.Context, access *cluster.Access, plan *mtc.MigPlan, h *health) []*clusterTarget {
	src, dst, err := access.Plan(ctx, plan)
	if err != nil {
		// Find out which side failed and keep the other.
		h.report(Event{Kind: Incomplete, Err: err, Message: "the logs of that cluster are left out"})
		src = sideTarget(ctx, access, plan.Spec.SrcMigClusterRef)
		dst = sideTarget(ctx, access, plan.Spec.DestMigClusterRef)
	}
	hostT := &clusterTarget{name: access.Host().Name, target: access.Host(), host: true}
	out := []*clusterTarget{hostT}
	for _, side := range []struct {
		t   *cluster.Target
		src bool
	}{{src, true}, {dst, false}} {
		if side.t == nil {
			continue
		}
		ct := hostT
		if !side.t.IsHost {
			ct = &clusterTarget{name: side.t.Name, target: side.t}
			if i := slices.IndexFunc(out, func(c *clusterTarget) bool { return c.name == side.t.Name }); i >= 0 {
				ct = out[i]
			} else {
				out = append(out, ct)
			}
		} else {
			hostT.name = side.t.Name // the host is better known by its MigCluster name
		}
		if side.src {
			ct.source = true
		} else {
			ct.destination = true
		}
	}
	return out
}

func sideTarget(ctx context.Context, access *cluster.Access, ref *corev1.ObjectReference) *cluster.Target {
	if ref == nil || ref.Name == "" {
		return nil
	}
	t, err := access.MigCluster(ctx, ref.Name)
	if err != nil {
		return nil
	}
	return t
}

// setNamespaces decides where each cluster's pods are watched: MTC's
// namespace for the controller, Velero, restic and the registry; the plan's
// namespaces on the side they live for transfer and stage pods; hook
// execution namespaces for hook pods.
func (res *resolution) setNamespaces(cfg *Config) {
	srcNS := res.plan.Spec.SourceNamespaces()
	dstNS := res.plan.Spec.DestinationNamespaces()
	var hookNS []string
	for _, hk := range res.plan.Spec.Hooks {
		if hk.ExecutionNamespace != "" {
			hookNS = append(hookNS, hk.ExecutionNamespace)
		}
	}
	for _, t := range res.targets {
		var ns []string
		if cfg.Components.needs(Controller, Velero, Restic, Registry) {
			ns = append(ns, cfg.Namespace)
		}
		if cfg.Components.needs(Rsync, Stunnel, Stage) {
			if t.source {
				ns = append(ns, srcNS...)
			}
			if t.destination {
				ns = append(ns, dstNS...)
			}
		}
		if cfg.Components.Has(Hooks) && (t.source || t.destination) {
			ns = append(ns, hookNS...)
		}
		slices.Sort(ns)
		t.namespaces = slices.Compact(ns)
	}
}

// scopeSources lists the kinds that name a migration's children: DVMs on the
// host, Backups on the source and Restores on the destination (Velero's
// objects of the plan, by MTC's migrated-by-migplan label).
func (res *resolution) scopeSources(cfg *Config) []scopeSource {
	var host, src, dst *clusterTarget
	for _, t := range res.targets {
		if t.host {
			host = t
		}
		if t.source {
			src = t
		}
		if t.destination {
			dst = t
		}
	}
	planSel := mtc.MigratedByMigPlanLabel + "=" + string(res.plan.UID)
	out := []scopeSource{{kind: kindDVM, cluster: host.name,
		lw: dynamicLW(host.target.Dynamic, kube.DirectVolumeMigs, cfg.Namespace, "", fmt.Sprintf("DirectVolumeMigrations in %s on cluster %q", cfg.Namespace, host.name))}}
	if src != nil {
		out = append(out, scopeSource{kind: kindBackup, cluster: src.name,
			lw: dynamicLW(src.target.Dynamic, kube.VeleroBackups, cfg.Namespace, planSel, fmt.Sprintf("Velero Backups in %s on cluster %q", cfg.Namespace, src.name))})
	}
	if dst != nil {
		out = append(out, scopeSource{kind: kindRestore, cluster: dst.name,
			lw: dynamicLW(dst.target.Dynamic, kube.VeleroRestores, cfg.Namespace, planSel, fmt.Sprintf("Velero Restores in %s on cluster %q", cfg.Namespace, dst.name))})
	}
	return out
}

func dynamicLW(dc dynamic.Interface, gvr schema.GroupVersionResource, ns, selector, what string) *listWatch {
	ri := dc.Resource(gvr).Namespace(ns)
	return &listWatch{
		what:     what,
		selector: selector,
		list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return ri.List(ctx, o)
		},
		watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return ri.Watch(ctx, o)
		},
	}
}
