package rollback

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ObjectRef names an object found during verification.
type ObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Namespace + "/" + r.Kind + "/" + r.Name
}

// WorkloadStatus is a source workload that should run but does not (yet).
type WorkloadStatus struct {
	ObjectRef
	Desired int64 `json:"desired"`
	Ready   int64 `json:"ready"`
}

// Verification is what the MTC documentation asks to check after a
// rollback: migrated resources gone from the destination, the application
// running again on the source.
type Verification struct {
	Source      string `json:"sourceCluster"`
	Destination string `json:"destinationCluster"`
	// DestinationRemaining are objects still labelled
	// migrated-by-migplan=<plan UID> on the destination.
	DestinationRemaining []ObjectRef `json:"destinationRemaining,omitempty"`
	// SourceQuiesced are source workloads still carrying MTC's quiesce
	// annotations.
	SourceQuiesced []ObjectRef `json:"sourceQuiesced,omitempty"`
	// SourceNotReady are source workloads with fewer ready replicas than
	// desired.
	SourceNotReady []WorkloadStatus `json:"sourceNotReady,omitempty"`
	// SourceRunning counts the source workloads that are fully ready.
	SourceRunning int `json:"sourceRunning"`
	// Partial lists what could not be checked.
	Partial []string `json:"partial,omitempty"`
}

// OK reports whether everything checked is as it should be.
func (v *Verification) OK() bool {
	return len(v.DestinationRemaining) == 0 && len(v.SourceQuiesced) == 0 && len(v.SourceNotReady) == 0
}

// Verify checks the outcome of a rollback of p: one LIST per namespaced kind
// (and PersistentVolumes) on the destination with the label
// migrated-by-migplan=<plan UID>, counting what lies in the plan's
// destination namespaces or is cluster-scoped; and the
// workloads of the plan's namespaces on the source.
func Verify(ctx context.Context, cl Clusters, p *mtc.MigPlan) (*Verification, error) {
	v := &Verification{Source: cl.Source.Name, Destination: cl.Destination.Name}
	if err := v.destination(ctx, cl.Destination, p); err != nil {
		return nil, err
	}
	if err := v.source(ctx, cl.Source, namespaceSet(p.Spec.SourceNamespaces())); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *Verification) destination(ctx context.Context, t *cluster.Target, p *mtc.MigPlan) error {
	lists, err := discovery.ServerPreferredNamespacedResources(t.Kube.Discovery())
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return fmt.Errorf("discover resources on cluster %s: %w", t.Name, err)
	}
	if err != nil {
		v.Partial = append(v.Partial, fmt.Sprintf("some API groups of cluster %s could not be discovered: %v", t.Name, err))
	}
	type res struct {
		kind string
		gvr  schema.GroupVersionResource
	}
	var all []res
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !hasVerb(r.Verbs, "list") || r.Name == "events" {
				continue
			}
			all = append(all, res{r.Kind, gv.WithResource(r.Name)})
		}
	}
	all = append(all, res{"PersistentVolume", pvGVR}) // moved NFS volumes
	inPlan := map[string]bool{"": true}
	for _, n := range p.Spec.DestinationNamespaces() {
		inPlan[n] = true
	}
	sel := labels.Set{mtc.MigratedByMigPlanLabel: string(p.UID)}.String()
	found := make([][]ObjectRef, len(all))
	partial := make([]string, len(all))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for i, r := range all {
		g.Go(func() error {
			err := kube.EachPage(gctx, t.Dynamic.Resource(r.gvr), metav1.ListOptions{LabelSelector: sel}, func(items []unstructured.Unstructured) error {
				for _, u := range items {
					// MTC's own records (Velero Backups/Restores in its
					// namespace) carry the label too; only the plan's
					// namespaces and cluster-scoped objects were migrated.
					if inPlan[u.GetNamespace()] {
						found[i] = append(found[i], ObjectRef{Kind: r.kind, Namespace: u.GetNamespace(), Name: u.GetName()})
					}
				}
				return nil
			})
			switch {
			case err == nil:
			case apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err):
				partial[i] = fmt.Sprintf("could not list %s on cluster %s: %v", r.gvr.Resource, t.Name, err)
			default:
				return fmt.Errorf("list %s on cluster %s: %w", r.gvr.Resource, t.Name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i := range all {
		v.DestinationRemaining = append(v.DestinationRemaining, found[i]...)
		if partial[i] != "" {
			v.Partial = append(v.Partial, partial[i])
		}
	}
	sort.Slice(v.DestinationRemaining, func(i, j int) bool { return v.DestinationRemaining[i].String() < v.DestinationRemaining[j].String() })
	return nil
}

// readiness gives desired and ready replica counts of the kinds that run
// long-lived pods; Jobs and CronJobs are not expected to be "ready".
var readiness = map[string][2][]string{
	KindDeployment:       {{"spec", "replicas"}, {"status", "readyReplicas"}},
	KindDeploymentConfig: {{"spec", "replicas"}, {"status", "readyReplicas"}},
	KindStatefulSet:      {{"spec", "replicas"}, {"status", "readyReplicas"}},
	KindReplicaSet:       {{"spec", "replicas"}, {"status", "readyReplicas"}},
	KindDaemonSet:        {{"status", "desiredNumberScheduled"}, {"status", "numberReady"}},
}

func (v *Verification) source(ctx context.Context, t *cluster.Target, namespaces []string) error {
	objs, _, err := workloads(ctx, t, namespaces)
	if err != nil {
		return err
	}
	for _, o := range objs {
		ref := ObjectRef{Kind: o.kind, Namespace: o.u.GetNamespace(), Name: o.u.GetName()}
		if IsQuiesced(o.kind, &o.u) {
			v.SourceQuiesced = append(v.SourceQuiesced, ref)
			continue
		}
		paths, ok := readiness[o.kind]
		if !ok || (o.kind == KindReplicaSet && len(o.u.GetOwnerReferences()) > 0) {
			continue // owned ReplicaSets are judged through their Deployment
		}
		desired, _ := nestedInt(o.u.Object, paths[0]...)
		ready, _ := nestedInt(o.u.Object, paths[1]...)
		if desired > 0 && ready < desired {
			v.SourceNotReady = append(v.SourceNotReady, WorkloadStatus{ObjectRef: ref, Desired: desired, Ready: ready})
		} else if desired > 0 {
			v.SourceRunning++
		}
	}
	return nil
}

func hasVerb(verbs []string, want string) bool {
	for _, v := range verbs {
		if v == want {
			return true
		}
	}
	return false
}
