package collect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// pageSize is the LIST page size.
const pageSize = 500

// clusterRun is the gather of one cluster.
type clusterRun struct {
	g    *gatherer
	spec Cluster
	cfg  *rest.Config

	kube kubernetes.Interface
	// logs streams pod logs over HTTP/1.1 (see logClientConfig).
	logs  kubernetes.Interface
	dyn   dynamic.Interface
	disco discovery.DiscoveryInterface

	br   breaker
	info mustgather.ClusterInfo

	mu sync.Mutex
	// resources found by discovery, by "resource.group" (core: "resource").
	resources map[string]apiResource
	// namespaces gathered in full, and namespaces holding only helper pods.
	full    map[string]bool
	podOnly map[string]bool
	// crs holds the migration.openshift.io and velero.io objects (redacted),
	// by resource name, for the plan index and the Velero logs.
	crs map[string][]*unstructured.Unstructured
	// pods are the pods whose logs are fetched.
	pods []*podInfo
	// custom are the custom resources written, "resource.group", whose CRDs
	// go into the bundle.
	custom map[string]bool
	// present is the set of namespaces that exist (from the namespace LIST).
	present map[string]bool
	// acrossForbidden is set once a LIST across all namespaces was refused:
	// later kinds go namespace by namespace straight away.
	acrossForbidden bool
	// early holds the MigPlans and MigClusters read during discovery.
	early map[string]*unstructured.UnstructuredList
	// veleroFiles are the Velero log and results files written, by path.
	veleroFiles map[string]string
}

// apiResource is one served, listable resource.
type apiResource struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
	categories []string
}

func (r apiResource) key() string { return resourceKey(r.gvr.Group, r.gvr.Resource) }

func resourceKey(group, resource string) string {
	if group == "" {
		return resource
	}
	return resource + "." + group
}

func newClusterRun(g *gatherer, spec Cluster) (*clusterRun, error) {
	cfg := rest.CopyConfig(spec.Config)
	// Concurrency is bounded by the pool; client-side throttling would only
	// add waiting (inspect lifts it for the same reason).
	cfg.QPS, cfg.Burst = 1000, 2000
	cfg.Timeout = 0 // per-request deadlines come from contexts; log streams may be long
	// Deprecation warnings (v1 Endpoints...) are about kinds inspect lists
	// on purpose; they would only clutter the user's terminal.
	cfg.WarningHandler = rest.NoWarnings{}
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	lc, err := kubernetes.NewForConfig(logClientConfig(cfg))
	if err != nil {
		return nil, err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dcfg := rest.CopyConfig(cfg)
	dcfg.Timeout = g.cfg.RequestTimeout // discovery calls take no context
	disco, err := discovery.NewDiscoveryClientForConfig(dcfg)
	if err != nil {
		return nil, err
	}
	c := &clusterRun{
		g: g, spec: spec, cfg: cfg, kube: kc, logs: lc, dyn: dc, disco: disco,
		resources: map[string]apiResource{}, full: map[string]bool{}, podOnly: map[string]bool{},
		crs: map[string][]*unstructured.Unstructured{}, custom: map[string]bool{}, present: map[string]bool{},
		early: map[string]*unstructured.UnstructuredList{}, veleroFiles: map[string]string{},
	}
	c.info = mustgather.ClusterInfo{Name: spec.Name, Dir: mustgather.Cluster(spec.Name), MigCluster: spec.MigCluster,
		Host: spec.Host, Server: cfg.Host}
	return c, nil
}

// logClientConfig is cfg for log streams: HTTP/1.1, one connection per
// stream. Over HTTP/2 every concurrent stream may park up to its flow
// control window (4 MiB in client-go's transport) in our heap while the
// redactor and the archive catch up, and both ends pay for HTTP/2 framing on
// gigabytes of log; over HTTP/1.1 the kernel's TCP window paces the API
// server instead. Measured with `make bench` (100 namespaces x 20 pods x
// 1 MiB): see the gather issue's note.
func logClientConfig(cfg *rest.Config) *rest.Config {
	lcfg := rest.CopyConfig(cfg)
	lcfg.NextProtos = []string{"http/1.1"}
	return lcfg
}

// do runs one API call with the per-request deadline, unless the cluster
// is already known to be down.
func (c *clusterRun) do(ctx context.Context, fn func(ctx context.Context) error) error {
	if !c.br.allow() {
		return errClusterDown
	}
	rctx, cancel := context.WithTimeout(ctx, c.g.cfg.RequestTimeout)
	defer cancel()
	err := fn(rctx)
	if ctx.Err() == nil { // the run's own deadline says nothing about the cluster
		c.br.observe(err)
	}
	return err
}

// fault records a failure of this cluster. Requests skipped because the
// cluster is down are summarised once at the end instead.
func (c *clusterRun) fault(step, object, path string, err error) {
	if errors.Is(err, errClusterDown) {
		return
	}
	c.g.faults.record(c.spec.Name, step, object, path, err)
	c.g.cfg.Progress.Faults.Add(1)
}

// list reads every object of gvr in ns ("" = all namespaces) page by page.
// An expired continue token restarts the LIST without pagination.
func (c *clusterRun) list(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	ri := c.dyn.Resource(gvr).Namespace(ns)
	opts.Limit = pageSize
	var out *unstructured.UnstructuredList
	for {
		var page *unstructured.UnstructuredList
		err := c.do(ctx, func(ctx context.Context) error {
			var err error
			page, err = ri.List(ctx, opts)
			return err
		})
		if apierrors.IsResourceExpired(err) && opts.Continue != "" {
			opts.Continue, opts.Limit, out = "", 0, nil
			continue
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = page
		} else {
			out.Items = append(out.Items, page.Items...)
		}
		opts.Continue = page.GetContinue()
		if opts.Continue == "" {
			out.SetContinue("")
			return out, nil
		}
	}
}

// fullNamespaces returns the namespaces gathered in full, sorted.
func (c *clusterRun) fullNamespaces() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sortedKeys(c.full)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// path joins a path relative to this cluster's directory.
func (c *clusterRun) path(rel string) string { return mustgather.InCluster(c.spec.Name, rel) }

func (c *clusterRun) String() string { return fmt.Sprintf("cluster %s", c.spec.Name) }
