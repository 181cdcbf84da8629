package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// Groups whose every object is gathered, cluster-wide.
const (
	mtcGroup    = "migration.openshift.io"
	veleroGroup = "velero.io"
)

var migrationControllers = schema.GroupVersionResource{Group: mtcGroup, Version: "v1alpha1", Resource: "migrationcontrollers"}

// namespaceKinds are the kinds `oc adm inspect ns/<ns>` collects besides the
// "all" category (openshift/oc pkg/cli/admin/inspect/namespace.go), by
// resource name and, where inspect names one, group. Secrets are gathered
// in their own, earlier step.
var namespaceKinds = []struct{ group, resource string }{
	{"", "configmaps"}, {"*", "egressfirewalls"}, {"*", "egressqoses"}, {"", "events"}, {"", "endpoints"},
	{"*", "endpointslices"}, {"*", "networkpolicies"}, {"", "persistentvolumeclaims"},
	{"*", "poddisruptionbudgets"}, {"*", "servicemonitors"}, {"*", "userdefinednetworks"},
	{"networking.k8s.io", "ingresses"},
}

// discover reads the server version, the served resources and the MTC
// namespaces of the cluster; on the host it also reads the MigPlans and
// MigClusters that decide which namespaces to gather elsewhere.
func (c *clusterRun) discover(p *pool) {
	p.Go(c.spec.Name, func(ctx context.Context) {
		if !c.br.allow() {
			return
		}
		v, err := c.disco.ServerVersion()
		c.br.observe(err)
		if err != nil {
			c.fault("discover", "server version", "", err)
			return
		}
		c.mu.Lock()
		c.info.Version, c.info.Reachable = v.GitVersion, true
		c.mu.Unlock()
	})
	p.Go(c.spec.Name, func(ctx context.Context) { c.discoverResources() })
	p.Go(c.spec.Name, func(ctx context.Context) { c.discoverMTCNamespaces(ctx) })
	p.Go(c.spec.Name, func(ctx context.Context) { c.listNamespaces(ctx) })
	if c.spec.Host {
		for _, res := range []string{"migplans", "migclusters"} {
			p.Go(c.spec.Name, func(ctx context.Context) { c.readEarly(ctx, res) })
		}
	}
}

// readEarly lists MigPlans or MigClusters before anything is written: they
// decide which namespaces to gather on every cluster. The objects phase
// writes them (redacted) from this copy rather than listing them again.
func (c *clusterRun) readEarly(ctx context.Context, resource string) {
	gvr := schema.GroupVersionResource{Group: mtcGroup, Version: "v1alpha1", Resource: resource}
	list, err := c.list(ctx, gvr, "", metav1.ListOptions{})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			c.fault("discover", resourceKey(mtcGroup, resource)+" (all namespaces)", "", err)
		}
		return
	}
	c.mu.Lock()
	c.early[resource] = list
	c.mu.Unlock()
}

// discoverResources records every listable resource, in its preferred
// version. A group that fails discovery is recorded and skipped.
func (c *clusterRun) discoverResources() {
	if !c.br.allow() {
		return
	}
	lists, err := c.disco.ServerPreferredResources()
	c.br.observe(err)
	if err != nil {
		var gd *discovery.ErrGroupDiscoveryFailed
		if !errors.As(err, &gd) || len(lists) == 0 {
			c.fault("discover", "API discovery", "", err)
			return
		}
		for gv, gerr := range gd.Groups {
			c.fault("discover", "API group "+gv.String(), "", gerr)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			ar := apiResource{gvr: gv.WithResource(r.Name), kind: r.Kind, namespaced: r.Namespaced, categories: r.Categories}
			c.resources[ar.key()] = ar
		}
	}
}

// discoverMTCNamespaces finds the namespaces holding a MigrationController.
// Without any (CRD absent, RBAC, or none created) the default namespace is
// used when it exists.
func (c *clusterRun) discoverMTCNamespaces(ctx context.Context) {
	list, err := c.list(ctx, migrationControllers, "", metav1.ListOptions{})
	found := map[string]bool{}
	switch {
	case err == nil:
		for _, mc := range list.Items {
			found[mc.GetNamespace()] = true
		}
	case apierrors.IsNotFound(err):
		// no MTC operator CRD on this cluster
	default:
		c.fault("discover", "migrationcontrollers."+mtcGroup+" (all namespaces)", "", err)
	}
	if len(found) == 0 {
		def := c.g.cfg.MTCNamespace
		err := c.do(ctx, func(ctx context.Context) error {
			_, err := c.kube.CoreV1().Namespaces().Get(ctx, def, metav1.GetOptions{})
			return err
		})
		switch {
		case err == nil:
			found[def] = true
		case apierrors.IsNotFound(err):
		default:
			// Cannot tell: gather it anyway, failures will be recorded.
			found[def] = true
			c.fault("discover", "namespace "+def, "", err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.info.MTCNamespaces = sortedKeys(found)
	for ns := range found {
		c.full[ns] = true
	}
}

// listNamespaces learns which namespaces exist, so that plan namespaces
// missing on a cluster are reported rather than gathered as empty. Without
// the right to list namespaces every plan namespace is tried.
func (c *clusterRun) listNamespaces(ctx context.Context) {
	list, err := c.list(ctx, schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, "", metav1.ListOptions{})
	if err != nil {
		if !apierrors.IsForbidden(err) {
			c.fault("discover", "namespaces", "", err)
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ns := range list.Items {
		c.present[ns.GetName()] = true
	}
	c.early["namespaces"] = list
}

// namespacedResources returns what inspect gathers in a namespace: the
// "all" category plus namespaceKinds, minus secrets (their own step).
func (c *clusterRun) namespacedResources() []apiResource {
	c.mu.Lock()
	defer c.mu.Unlock()
	pick := map[string]apiResource{}
	for _, r := range c.resources {
		if r.namespaced && slices.Contains(r.categories, "all") {
			pick[r.key()] = r
		}
	}
	for _, k := range namespaceKinds {
		if k.group != "*" {
			if r, ok := c.resources[resourceKey(k.group, k.resource)]; ok && r.namespaced {
				pick[r.key()] = r
			}
			continue
		}
		// Any group: the one a bare name resolves to, core first, then the
		// first group alphabetically.
		var best *apiResource
		for _, r := range c.resources {
			if r.gvr.Resource != k.resource || !r.namespaced {
				continue
			}
			if best == nil || r.gvr.Group < best.gvr.Group {
				rr := r
				best = &rr
			}
		}
		if best != nil {
			pick[best.key()] = *best
		}
	}
	delete(pick, "secrets")
	out := make([]apiResource, 0, len(pick))
	for _, r := range pick {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b apiResource) int { return strings.Compare(a.key(), b.key()) })
	return out
}

// groupResources returns every listable resource of a group.
func (c *clusterRun) groupResources(group string) []apiResource {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []apiResource
	for _, r := range c.resources {
		if r.gvr.Group == group {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b apiResource) int { return strings.Compare(a.gvr.Resource, b.gvr.Resource) })
	return out
}

func describeList(r apiResource, ns string) string {
	if ns == "" {
		return fmt.Sprintf("%s (all namespaces)", r.key())
	}
	return fmt.Sprintf("%s -n %s", r.key(), ns)
}
