package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/redact"
)

var (
	secretsGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	podsGVR       = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	pvGVR         = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}
	nodesGVR      = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
	scGVR         = schema.GroupVersionResource{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"}
)

// gatherSecrets lists the Secrets of every gathered namespace first: their
// sensitive values become literals the redactor masks everywhere else.
func (c *clusterRun) gatherSecrets(p *pool) {
	r := apiResource{gvr: secretsGVR, kind: "Secret", namespaced: true}
	learn := func(items []unstructured.Unstructured) {
		for i := range items {
			c.g.learn(redact.SecretLiterals(items[i].Object))
		}
	}
	c.eachNamespacedList(p, "secrets", r, learn)
}

// eachNamespacedList queues the writing of one kind's List in every
// gathered namespace: one LIST across all namespaces when that is cheaper
// (see listAcross), else one LIST per namespace. hook sees each
// namespace's items before redaction.
func (c *clusterRun) eachNamespacedList(p *pool, step string, r apiResource, hook func([]unstructured.Unstructured)) {
	namespaces := c.fullNamespaces()
	if c.listAcross(namespaces) {
		p.Go(c.spec.Name, func(ctx context.Context) { c.writeAcross(ctx, step, r, namespaces, hook) })
		return
	}
	for _, ns := range namespaces {
		p.Go(c.spec.Name, func(ctx context.Context) { c.writeNamespaced(ctx, step, r, ns, hook) })
	}
}

// gatherObjects writes every other object: the inspect kinds of each
// gathered namespace, the MTC and Velero objects, helper pods elsewhere,
// and the cluster-scoped objects a migration depends on. The logs of the
// pods found are queued as soon as each pod list is read, so downloads
// start while the other kinds are still being listed.
func (c *clusterRun) gatherObjects(p *pool) {
	for _, r := range c.namespacedResources() {
		if r.gvr.Group == mtcGroup || r.gvr.Group == veleroGroup {
			continue // gathered cluster-wide below
		}
		var hook func([]unstructured.Unstructured)
		if r.gvr.Group == "" && r.gvr.Resource == "pods" {
			hook = func(items []unstructured.Unstructured) { c.gatherLogs(p, c.addPods(items)) }
		}
		c.eachNamespacedList(p, "objects", r, hook)
	}
	for _, ns := range c.fullNamespaces() {
		p.Go(c.spec.Name, func(ctx context.Context) { c.writeNamespaceObject(ctx, ns) })
	}
	for _, group := range []string{mtcGroup, veleroGroup} {
		for _, r := range c.groupResources(group) {
			p.Go(c.spec.Name, func(ctx context.Context) { c.writeGroupResource(ctx, r) })
		}
	}
	p.Go(c.spec.Name, func(ctx context.Context) { c.writeHelperPods(ctx, p) })
	p.Go(c.spec.Name, func(ctx context.Context) { c.writeBoundPVs(ctx) })
	for _, gvr := range []schema.GroupVersionResource{scGVR, nodesGVR} {
		p.Go(c.spec.Name, func(ctx context.Context) { c.writeClusterScoped(ctx, gvr, nil) })
	}
}

// writeNamespaced lists one kind in one namespace and writes the List,
// empty or not, as inspect does. hook sees the items before redaction.
func (c *clusterRun) writeNamespaced(ctx context.Context, step string, r apiResource, ns string, hook func([]unstructured.Unstructured)) {
	path := c.path(mustgather.NamespacedList(ns, r.gvr.Group, r.gvr.Resource))
	list, err := c.list(ctx, r.gvr, ns, metav1.ListOptions{})
	if err != nil {
		c.fault(step, describeList(r, ns), path, err)
		return
	}
	if hook != nil {
		hook(list.Items)
	}
	c.noteCustom(r.gvr)
	c.writeList(ctx, step, path, list, list.Items)
}

// writeList redacts items and writes them as a List carrying the kind and
// resourceVersion of list.
func (c *clusterRun) writeList(ctx context.Context, step, path string, list *unstructured.UnstructuredList, items []unstructured.Unstructured) {
	rd := c.g.redactor
	out := make([]any, 0, len(items))
	for i := range items {
		rd.Object(items[i].Object)
		out = append(out, items[i].Object)
	}
	doc := map[string]any{"apiVersion": list.GetAPIVersion(), "kind": list.GetKind(), "items": out,
		"metadata": map[string]any{"resourceVersion": list.GetResourceVersion()}}
	c.writeYAML(ctx, step, path, doc)
}

func (c *clusterRun) writeYAML(ctx context.Context, step, path string, doc any) {
	data, err := yaml.Marshal(doc)
	if err != nil {
		c.fault(step, "encode", path, err)
		return
	}
	// What was read is written even when the run's deadline passes.
	if err := c.g.bundle.WriteFile(context.WithoutCancel(ctx), path, data); err != nil {
		c.fault(step, "write", path, err)
	}
}

// writeNamespaceObject writes namespaces/<ns>/<ns>.yaml, from the namespace
// LIST of discovery when there was one (a GET otherwise).
func (c *clusterRun) writeNamespaceObject(ctx context.Context, ns string) {
	path := c.path(mustgather.NamespaceObject(ns))
	obj := c.listedNamespace(ns)
	if obj == nil {
		err := c.do(ctx, func(ctx context.Context) error {
			var err error
			obj, err = c.dyn.Resource(namespacesGVR).Get(ctx, ns, metav1.GetOptions{})
			return err
		})
		if err != nil {
			c.fault("objects", "namespace "+ns, path, err)
			return
		}
	}
	c.g.redactor.Object(obj.Object)
	c.writeYAML(ctx, "objects", path, obj.Object)
}

// listedNamespace returns a copy of the namespace as the discovery LIST
// read it, nil if it was not read. LIST items carry no apiVersion and kind
// of their own; a GET's answer does, so they are set.
func (c *clusterRun) listedNamespace(ns string) *unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.early["namespaces"]
	if list == nil {
		return nil
	}
	for i := range list.Items {
		if list.Items[i].GetName() == ns {
			obj := list.Items[i].DeepCopy()
			obj.SetAPIVersion("v1")
			obj.SetKind("Namespace")
			return obj
		}
	}
	return nil
}

// writeGroupResource lists one MTC or Velero kind in all namespaces and
// writes a List per namespace (cluster-scoped objects one file each).
func (c *clusterRun) writeGroupResource(ctx context.Context, r apiResource) {
	c.mu.Lock()
	list, early := c.early[r.gvr.Resource]
	c.mu.Unlock()
	if !early || r.gvr.Group != mtcGroup {
		var err error
		list, err = c.list(ctx, r.gvr, "", metav1.ListOptions{})
		if err != nil {
			c.fault("objects", describeList(r, ""), "", err)
			return
		}
	}
	c.noteCustom(r.gvr)
	if !r.namespaced {
		for i := range list.Items {
			obj := &list.Items[i]
			c.g.redactor.Object(obj.Object)
			c.writeYAML(ctx, "objects", c.path(mustgather.ClusterScopedObject(r.gvr.Group, r.gvr.Resource, obj.GetName())), obj.Object)
		}
		c.keepCRs(r.gvr.Resource, list.Items)
		return
	}
	byNS := map[string][]unstructured.Unstructured{}
	for _, item := range list.Items {
		byNS[item.GetNamespace()] = append(byNS[item.GetNamespace()], item)
	}
	for _, ns := range sortedKeysOf(byNS) {
		c.writeList(ctx, "objects", c.path(mustgather.NamespacedList(ns, r.gvr.Group, r.gvr.Resource)), list, byNS[ns])
	}
	c.keepCRs(r.gvr.Resource, list.Items)
}

// keepCRs remembers (redacted) MTC and Velero objects for the plan index
// and the Velero logs.
func (c *clusterRun) keepCRs(resource string, items []unstructured.Unstructured) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range items {
		c.crs[resource] = append(c.crs[resource], &items[i])
	}
}

func (c *clusterRun) cr(resource string) []*unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.crs[resource]
}

// writeHelperPods finds the pods labelled as part of a migration (rsync,
// stunnel, stage, hook pods) in namespaces not gathered in full, and writes
// them as those namespaces' core/pods.yaml.
func (c *clusterRun) writeHelperPods(ctx context.Context, p *pool) {
	sel := mtc.PartOfLabel + "=" + mtc.PartOfValue
	list, err := c.list(ctx, podsGVR, "", metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		c.fault("objects", "pods -l "+sel+" (all namespaces)", "", err)
		return
	}
	full := map[string]bool{}
	for _, ns := range c.fullNamespaces() {
		full[ns] = true
	}
	byNS := map[string][]unstructured.Unstructured{}
	for _, item := range list.Items {
		if !full[item.GetNamespace()] {
			byNS[item.GetNamespace()] = append(byNS[item.GetNamespace()], item)
		}
	}
	for _, ns := range sortedKeysOf(byNS) {
		c.mu.Lock()
		c.podOnly[ns] = true
		c.mu.Unlock()
		c.gatherLogs(p, c.addPods(byNS[ns]))
		c.writeList(ctx, "objects", c.path(mustgather.NamespacedList(ns, "", "pods")), list, byNS[ns])
	}
}

// writeBoundPVs writes the PersistentVolumes claimed from gathered
// namespaces (one LIST, filtered here).
func (c *clusterRun) writeBoundPVs(ctx context.Context) {
	full := map[string]bool{}
	for _, ns := range c.fullNamespaces() {
		full[ns] = true
	}
	c.writeClusterScoped(ctx, pvGVR, func(u *unstructured.Unstructured) bool {
		ns, _, _ := unstructured.NestedString(u.Object, "spec", "claimRef", "namespace")
		return full[ns]
	})
}

// writeClusterScoped writes each object of a cluster-scoped kind that keep
// accepts (all when keep is nil) to its own file.
func (c *clusterRun) writeClusterScoped(ctx context.Context, gvr schema.GroupVersionResource, keep func(*unstructured.Unstructured) bool) {
	list, err := c.list(ctx, gvr, "", metav1.ListOptions{})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			c.fault("objects", resourceKey(gvr.Group, gvr.Resource), "", err)
		}
		return
	}
	for i := range list.Items {
		obj := &list.Items[i]
		if keep != nil && !keep(obj) {
			continue
		}
		if obj.GetAPIVersion() == "" {
			obj.SetAPIVersion(gvr.GroupVersion().String())
		}
		c.g.redactor.Object(obj.Object)
		c.writeYAML(ctx, "objects", c.path(mustgather.ClusterScopedObject(gvr.Group, gvr.Resource, obj.GetName())), obj.Object)
	}
}

// builtinGroups serve no CRD; everything else may be custom.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "autoscaling": true, "policy": true, "networking.k8s.io": true,
	"discovery.k8s.io": true, "storage.k8s.io": true, "events.k8s.io": true, "rbac.authorization.k8s.io": true,
	"coordination.k8s.io": true, "node.k8s.io": true, "scheduling.k8s.io": true, "apiextensions.k8s.io": true,
	"admissionregistration.k8s.io": true, "certificates.k8s.io": true, "flowcontrol.apiserver.k8s.io": true,
	"resource.k8s.io": true, "authentication.k8s.io": true, "authorization.k8s.io": true,
}

func (c *clusterRun) noteCustom(gvr schema.GroupVersionResource) {
	if builtinGroups[gvr.Group] || !strings.Contains(gvr.Group, ".") {
		return
	}
	c.mu.Lock()
	c.custom[resourceKey(gvr.Group, gvr.Resource)] = true
	c.mu.Unlock()
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// gatherCRDs writes the CRD of every custom kind written, so that omc and
// diagnose can read the custom resources of the bundle. Kinds served by an
// aggregated API (no CRD) are skipped.
func (c *clusterRun) gatherCRDs(p *pool) {
	c.mu.Lock()
	names := sortedKeys(c.custom)
	c.mu.Unlock()
	for _, name := range names {
		p.GoAs("crds", c.spec.Name, func(ctx context.Context) {
			var obj *unstructured.Unstructured
			err := c.do(ctx, func(ctx context.Context) error {
				var err error
				obj, err = c.dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
				return err
			})
			resource, group, _ := strings.Cut(name, ".")
			path := c.path(mustgather.CRDObject(resource, group))
			if apierrors.IsNotFound(err) {
				return
			}
			if err != nil {
				c.fault("crds", "customresourcedefinition "+name, path, err)
				return
			}
			c.g.redactor.Object(obj.Object)
			c.writeYAML(ctx, "crds", path, obj.Object)
		})
	}
}

func sortedKeysOf[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func objectName(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return fmt.Sprintf("%s/%s", u.GetNamespace(), u.GetName())
}
