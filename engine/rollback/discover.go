package rollback

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// listConcurrency bounds the LISTs in flight per rollback.
const listConcurrency = 8

// workloadKind is a kind MTC quiesces and the versions it may be served at,
// preferred first (CronJobs are batch/v1beta1 on OpenShift 3).
type workloadKind struct {
	kind string
	gvrs []schema.GroupVersionResource
}

// workloadKinds in the order MTC quiesces them.
var workloadKinds = []workloadKind{
	{KindCronJob, []schema.GroupVersionResource{
		{Group: "batch", Version: "v1", Resource: "cronjobs"}, {Group: "batch", Version: "v1beta1", Resource: "cronjobs"}}},
	{KindDeploymentConfig, []schema.GroupVersionResource{kube.DeploymentConfigs}},
	{KindDeployment, []schema.GroupVersionResource{{Group: "apps", Version: "v1", Resource: "deployments"}}},
	{KindStatefulSet, []schema.GroupVersionResource{{Group: "apps", Version: "v1", Resource: "statefulsets"}}},
	{KindReplicaSet, []schema.GroupVersionResource{{Group: "apps", Version: "v1", Resource: "replicasets"}}},
	{KindDaemonSet, []schema.GroupVersionResource{{Group: "apps", Version: "v1", Resource: "daemonsets"}}},
	{KindJob, []schema.GroupVersionResource{{Group: "batch", Version: "v1", Resource: "jobs"}}},
}

var (
	podsGVR       = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	pvGVR         = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}
	configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secretsGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	servicesGVR   = schema.GroupVersionResource{Version: "v1", Resource: "services"}
)

// object is a listed object with what it is.
type object struct {
	kind string
	gvr  schema.GroupVersionResource
	u    unstructured.Unstructured
}

// served returns, per kind, the first version the cluster serves; kinds it
// does not serve (DeploymentConfig outside OpenShift) are left out and named
// in missing.
func served(t *cluster.Target, kinds []workloadKind) (out []workloadKind, missing []string, err error) {
	cache := map[string]map[string]bool{}
	has := func(gvr schema.GroupVersionResource) (bool, error) {
		gv := gvr.GroupVersion().String()
		if _, ok := cache[gv]; !ok {
			cache[gv] = map[string]bool{}
			list, err := t.Kube.Discovery().ServerResourcesForGroupVersion(gv)
			if err != nil && !apierrors.IsNotFound(err) {
				return false, fmt.Errorf("discover %s on cluster %s: %w", gv, t.Name, err)
			}
			if list != nil {
				for _, r := range list.APIResources {
					cache[gv][r.Name] = true
				}
			}
		}
		return cache[gv][gvr.Resource], nil
	}
	for _, k := range kinds {
		found := false
		for _, gvr := range k.gvrs {
			ok, err := has(gvr)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				out = append(out, workloadKind{kind: k.kind, gvrs: []schema.GroupVersionResource{gvr}})
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, k.kind)
		}
	}
	return out, missing, nil
}

// listJob is one namespaced LIST.
type listJob struct {
	kind      string
	gvr       schema.GroupVersionResource
	namespace string // "" for cluster-scoped
	selector  string
}

// listAll runs the LISTs with bounded concurrency and returns the objects in
// job order, each job's objects sorted by namespace and name.
func listAll(ctx context.Context, t *cluster.Target, jobs []listJob) ([]object, error) {
	results := make([][]object, len(jobs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(listConcurrency)
	for i, j := range jobs {
		g.Go(func() error {
			ri := t.Dynamic.Resource(j.gvr).Namespace(j.namespace)
			return kube.EachPage(ctx, ri, metav1.ListOptions{LabelSelector: j.selector}, func(items []unstructured.Unstructured) error {
				for _, u := range items {
					results[i] = append(results[i], object{kind: j.kind, gvr: j.gvr, u: u})
				}
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("list on cluster %s: %w", t.Name, err)
	}
	var out []object
	for _, r := range results {
		sort.Slice(r, func(a, b int) bool {
			return r[a].u.GetNamespace()+"/"+r[a].u.GetName() < r[b].u.GetNamespace()+"/"+r[b].u.GetName()
		})
		out = append(out, r...)
	}
	return out, nil
}

// workloads lists every workload of the served kinds in the namespaces.
func workloads(ctx context.Context, t *cluster.Target, namespaces []string) ([]object, []string, error) {
	kinds, missing, err := served(t, workloadKinds)
	if err != nil {
		return nil, nil, err
	}
	var jobs []listJob
	for _, k := range kinds {
		for _, ns := range namespaces {
			jobs = append(jobs, listJob{kind: k.kind, gvr: k.gvrs[0], namespace: ns})
		}
	}
	objs, err := listAll(ctx, t, jobs)
	return objs, missing, err
}

// namespaceSet dedups namespaces, keeping order.
func namespaceSet(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// callbackMutex serialises OnAction callbacks from concurrent workers.
type callbackMutex struct {
	mu sync.Mutex
	fn func(Action)
}

func (c *callbackMutex) call(a Action) {
	if c.fn == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fn(a)
}

func joinKinds(kinds []string) string { return strings.Join(kinds, ", ") }
