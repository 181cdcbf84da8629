// Package cluster reaches the clusters a migration involves. The host cluster
// comes from the user's kubeconfig; source and destination clusters are
// reached the way the MTC controller reaches them, through their MigCluster
// objects (spec.url, the saToken of spec.serviceAccountSecretRef, and
// spec.caBundle or spec.insecure), unless the user names kubeconfig contexts
// for them instead.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// HostName names the host cluster when no MigCluster describes it.
const HostName = "host"

// Options configures Access.
type Options struct {
	// Host is the rest.Config of the cluster running the MTC controller.
	Host *rest.Config
	// Namespace holds the MigCluster objects (openshift-migration).
	Namespace string
	// Source and Destination, when set, replace MigCluster-based access for
	// the plan's source or destination (--source-context/--destination-context).
	Source, Destination *rest.Config
}

// Access resolves Targets for the host and for MigClusters.
type Access struct {
	opts Options
	host *Target
}

// New returns an Access for opts. It makes no API call.
func New(opts Options) (*Access, error) {
	if opts.Host == nil {
		return nil, errors.New("cluster access needs the host cluster's configuration")
	}
	if opts.Namespace == "" {
		opts.Namespace = "openshift-migration"
	}
	host, err := NewTarget(HostName, opts.Host, true)
	if err != nil {
		return nil, err
	}
	return &Access{opts: opts, host: host}, nil
}

// Namespace is where the MTC resources live.
func (a *Access) Namespace() string { return a.opts.Namespace }

// Host is the cluster of the user's kubeconfig context.
func (a *Access) Host() *Target { return a.host }

// MigClusterResource is the dynamic client for MigClusters on the host.
func (a *Access) migClusters() dynamic.ResourceInterface {
	return a.host.Dynamic.Resource(kube.MigClusters).Namespace(a.opts.Namespace)
}

// MigCluster returns a Target for the named MigCluster.
func (a *Access) MigCluster(ctx context.Context, name string) (*Target, error) {
	mc, err := kube.Get[mtc.MigCluster](ctx, a.migClusters(), name)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &Error{Cluster: name, Problem: fmt.Sprintf("MigCluster %s/%s not found", a.opts.Namespace, name),
				Fix: "check the name with 'kubectl mig cluster list', or add it with 'kubectl mig cluster add'", Err: err}
		}
		return nil, fmt.Errorf("read MigCluster %s/%s on the host cluster: %w", a.opts.Namespace, name, err)
	}
	return a.targetFor(ctx, mc, nil)
}

// Plan returns the source and destination Targets of a MigPlan, honouring
// the Source/Destination overrides.
func (a *Access) Plan(ctx context.Context, plan *mtc.MigPlan) (src, dst *Target, err error) {
	src, err = a.planSide(ctx, plan.Spec.SrcMigClusterRef, a.opts.Source, "source", plan.Name)
	if err != nil {
		return nil, nil, err
	}
	dst, err = a.planSide(ctx, plan.Spec.DestMigClusterRef, a.opts.Destination, "destination", plan.Name)
	if err != nil {
		return nil, nil, err
	}
	return src, dst, nil
}

func (a *Access) planSide(ctx context.Context, ref *corev1.ObjectReference, override *rest.Config, side, plan string) (*Target, error) {
	if ref == nil || ref.Name == "" {
		if override != nil {
			return NewTarget(side, override, false)
		}
		return nil, &Error{Cluster: side, Problem: fmt.Sprintf("MigPlan %s has no %s cluster reference", plan, side),
			Fix: fmt.Sprintf("set the plan's %s cluster, or pass --%s-context", side, side)}
	}
	if override != nil {
		return NewTarget(ref.Name, override, false)
	}
	t, err := a.MigCluster(ctx, ref.Name)
	if err != nil {
		return nil, fmt.Errorf("%s cluster of MigPlan %s: %w", side, plan, err)
	}
	return t, nil
}

// All returns the host and every non-host MigCluster, sorted by name. A
// MigCluster that cannot be reached is reported in errs and left out, so
// callers (gather, diagnose) go on with the others.
func (a *Access) All(ctx context.Context) (targets []*Target, errs []error) {
	targets = []*Target{a.host}
	list, err := kube.List[mtc.MigCluster](ctx, a.migClusters(), metav1.ListOptions{})
	if err != nil {
		return targets, []error{fmt.Errorf("list MigClusters in %s on the host cluster: %w", a.opts.Namespace, err)}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	for i := range list {
		mc := &list[i]
		if mc.Spec.IsHostCluster {
			a.host.Name = mc.Name // the host is better known by its MigCluster name
			continue
		}
		t, err := a.targetFor(ctx, mc, nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		targets = append(targets, t)
	}
	return targets, errs
}

// targetFor builds the Target of a MigCluster: the host config for the host
// cluster, else URL + token + CA as the controller does.
func (a *Access) targetFor(ctx context.Context, mc *mtc.MigCluster, override *rest.Config) (*Target, error) {
	if override != nil {
		return NewTarget(mc.Name, override, mc.Spec.IsHostCluster)
	}
	if mc.Spec.IsHostCluster {
		return NewTarget(mc.Name, a.opts.Host, true)
	}
	token, err := a.saToken(ctx, mc)
	if err != nil {
		return nil, err
	}
	cfg, err := RESTConfig(mc, token)
	if err != nil {
		return nil, err
	}
	return NewTarget(mc.Name, cfg, false)
}
