// Package karmadatest plays Karmada's part in tests. The test harness runs
// two plain kube-apiservers (a Karmada control plane with the Karmada CRDs,
// and a member cluster) but none of Karmada's components; Controller does,
// in a few hundred lines, what they do to a migration:
//
//   - karmada-webhook: the permanent-id label on policies;
//   - detector: claim metadata on matching templates, one
//     (Cluster)ResourceBinding per template, owned by it, carrying the
//     policy's conflictResolution and preserveResourcesOnDeletion;
//   - scheduler: Scheduled=True and the policy's clusters;
//   - binding controller: one Work per cluster in karmada-es-<cluster>;
//   - execution controller: applies the Work to the member with Karmada's
//     conflict rules (an unmanaged object is only taken with "overwrite"),
//     labels it karmada.io/managed=true, reports Applied and FullyApplied;
//   - garbage collector + execution controller on deletion: a binding whose
//     template is gone is deleted with its Works; the member object is
//     deleted, or with preserveResourcesOnDeletion only released.
//
// It reconciles by polling, which keeps it short and obviously correct.
package karmadatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

var (
	ppGVR   = policyv1alpha1.SchemeGroupVersion.WithResource("propagationpolicies")
	cppGVR  = policyv1alpha1.SchemeGroupVersion.WithResource("clusterpropagationpolicies")
	rbGVR   = workv1alpha2.SchemeGroupVersion.WithResource("resourcebindings")
	crbGVR  = workv1alpha2.SchemeGroupVersion.WithResource("clusterresourcebindings")
	workGVR = workv1alpha1.SchemeGroupVersion.WithResource("works")
	nsGVR   = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

// Config wires a Controller to the two API servers.
type Config struct {
	Karmada       dynamic.Interface
	KarmadaMapper meta.RESTMapper
	// Member is the one member cluster, named ClusterName in Karmada.
	Member       dynamic.Interface
	MemberMapper meta.RESTMapper
	ClusterName  string
	// Interval between reconcile rounds (default 100ms).
	Interval time.Duration
	// Logf reports reconcile errors (t.Logf).
	Logf func(format string, args ...any)
}

// Controller is a running simulation.
type Controller struct {
	cfg    Config
	mu     sync.Mutex
	frozen map[string]bool // namespaces left alone, as if Karmada were down
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs the controller until Stop (or ctx ends).
func Start(ctx context.Context, cfg Config) *Controller {
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &Controller{cfg: cfg, frozen: map[string]bool{}, cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c
}

// Stop ends the controller and waits for its last round.
func (c *Controller) Stop() {
	c.cancel()
	<-c.done
}

// Freeze makes the controller ignore everything in namespace ns (policies,
// templates, bindings), as if karmada-controller-manager had stopped.
func (c *Controller) Freeze(ns string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen[ns] = true
}

// Thaw undoes Freeze.
func (c *Controller) Thaw(ns string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.frozen, ns)
}

func (c *Controller) isFrozen(ns string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen[ns]
}

func (c *Controller) run(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		if err := c.Sync(ctx); err != nil && ctx.Err() == nil {
			c.cfg.Logf("karmadatest: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sync runs one round of every simulated controller.
func (c *Controller) Sync(ctx context.Context) error {
	policies, err := c.policies(ctx)
	if err != nil {
		return err
	}
	for _, p := range policies {
		if err := c.detect(ctx, p); err != nil {
			return err
		}
	}
	bindings, err := c.bindings(ctx)
	if err != nil {
		return err
	}
	for _, b := range bindings {
		if c.isFrozen(b.GetNamespace()) {
			continue
		}
		if err := c.reconcileBinding(ctx, b); err != nil {
			return err
		}
	}
	return c.collectOrphanWorks(ctx, bindings)
}

// simPolicy is a policy with the webhook's permanent id.
type simPolicy struct {
	ref  claim
	id   string
	spec policyv1alpha1.PropagationSpec
}

type claim struct {
	cluster         bool
	namespace, name string
}

// policies lists PPs and CPPs, adding the permanent-id label the webhook
// would have set on create.
func (c *Controller) policies(ctx context.Context) ([]simPolicy, error) {
	var out []simPolicy
	for _, gvr := range []schema.GroupVersionResource{ppGVR, cppGVR} {
		cluster := gvr == cppGVR
		idLabel := karmada.PropagationPolicyPermanentIDLabel
		if cluster {
			idLabel = karmada.ClusterPropagationPolicyPermanentIDLabel
		}
		list, err := c.cfg.Karmada.Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", gvr.Resource, err)
		}
		for i := range list.Items {
			u := &list.Items[i]
			if !cluster && c.isFrozen(u.GetNamespace()) {
				continue
			}
			id := u.GetLabels()[idLabel]
			if id == "" {
				id = newID()
				if err := c.mergeMeta(ctx, c.cfg.Karmada.Resource(gvr), u, map[string]any{"labels": map[string]any{idLabel: id}}); err != nil {
					return nil, err
				}
			}
			p, err := kube.FromUnstructured[policyv1alpha1.PropagationPolicy](u)
			if err != nil {
				return nil, err
			}
			out = append(out, simPolicy{ref: claim{cluster: cluster, namespace: u.GetNamespace(), name: u.GetName()}, id: id, spec: p.Spec})
		}
	}
	return out, nil
}

// detect claims the templates a policy selects and keeps their bindings in
// step with the policy (the detector).
func (c *Controller) detect(ctx context.Context, p simPolicy) error {
	for _, s := range p.spec.ResourceSelectors {
		gvk := schema.FromAPIVersionAndKind(s.APIVersion, s.Kind)
		m, err := c.cfg.KarmadaMapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			continue
		}
		ri := c.cfg.Karmada.Resource(m.Resource)
		var list *unstructured.UnstructuredList
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			ns := s.Namespace
			if !p.ref.cluster {
				ns = p.ref.namespace
			}
			list, err = ri.Namespace(ns).List(ctx, metav1.ListOptions{})
		} else {
			list, err = ri.List(ctx, metav1.ListOptions{})
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", m.Resource.Resource, err)
		}
		for i := range list.Items {
			t := &list.Items[i]
			if !matches(s, t) || c.isFrozen(t.GetNamespace()) || t.GetDeletionTimestamp() != nil {
				continue
			}
			if err := c.claimTemplate(ctx, p, m.Resource, t); err != nil {
				return err
			}
		}
	}
	return nil
}

func matches(s policyv1alpha1.ResourceSelector, t *unstructured.Unstructured) bool {
	if s.APIVersion != t.GetAPIVersion() || s.Kind != t.GetKind() {
		return false
	}
	if s.Namespace != "" && s.Namespace != t.GetNamespace() {
		return false
	}
	if s.Name != "" {
		return s.Name == t.GetName()
	}
	if s.LabelSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(s.LabelSelector)
		return err == nil && sel.Matches(labels.Set(t.GetLabels()))
	}
	return true
}

func (c *Controller) claimTemplate(ctx context.Context, p simPolicy, gvr schema.GroupVersionResource, t *unstructured.Unstructured) error {
	claimLabels, annotations := claimMeta(p)
	a := t.GetAnnotations()
	if p.ref.cluster {
		if other := a[karmada.PropagationPolicyNameAnnotation]; other != "" {
			return nil // a PropagationPolicy has it
		}
		if other := a[karmada.ClusterPropagationPolicyNameAnnotation]; other != "" && other != p.ref.name {
			return nil
		}
	} else if other := a[karmada.PropagationPolicyNameAnnotation]; other != "" && (other != p.ref.name || a[karmada.PropagationPolicyNamespaceAnnotation] != p.ref.namespace) {
		return nil
	}
	ri := namespaced(c.cfg.Karmada.Resource(gvr), t.GetNamespace())
	if !hasAll(t.GetLabels(), claimLabels) || !hasAll(a, annotations) {
		if err := c.mergeMeta(ctx, ri, t, map[string]any{"labels": toAny(claimLabels), "annotations": toAny(annotations)}); err != nil {
			return err
		}
		fresh, err := ri.Get(ctx, t.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		t = fresh
	}
	return c.ensureBinding(ctx, p, t, claimLabels, annotations)
}

func claimMeta(p simPolicy) (labels, annotations map[string]string) {
	if p.ref.cluster {
		return map[string]string{karmada.ClusterPropagationPolicyPermanentIDLabel: p.id},
			map[string]string{karmada.ClusterPropagationPolicyNameAnnotation: p.ref.name}
	}
	return map[string]string{karmada.PropagationPolicyPermanentIDLabel: p.id},
		map[string]string{karmada.PropagationPolicyNameAnnotation: p.ref.name, karmada.PropagationPolicyNamespaceAnnotation: p.ref.namespace}
}

// ensureBinding creates or updates the template's binding.
func (c *Controller) ensureBinding(ctx context.Context, p simPolicy, t *unstructured.Unstructured, claimLabels, claimAnnotations map[string]string) error {
	name := workv1alpha2.BindingName(t.GetKind(), t.GetName())
	gvr, idLabel := rbGVR, karmada.ResourceBindingPermanentIDLabel
	kind := "ResourceBinding"
	if t.GetNamespace() == "" {
		gvr, idLabel, kind = crbGVR, karmada.ClusterResourceBindingPermanentIDLabel, "ClusterResourceBinding"
	}
	var clusters []any
	for _, n := range p.spec.TargetClusterNames() {
		clusters = append(clusters, map[string]any{"name": n})
	}
	spec := map[string]any{
		"resource": map[string]any{
			"apiVersion": t.GetAPIVersion(), "kind": t.GetKind(), "namespace": t.GetNamespace(),
			"name": t.GetName(), "uid": string(t.GetUID()), "resourceVersion": t.GetResourceVersion(),
		},
		"clusters":                    clusters,
		"conflictResolution":          string(p.spec.EffectiveConflictResolution()),
		"preserveResourcesOnDeletion": p.spec.PreservesResourcesOnDeletion(),
	}
	ri := namespaced(c.cfg.Karmada.Resource(gvr), t.GetNamespace())
	cur, err := ri.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		rbLabels := map[string]any{idLabel: newID()}
		for k, v := range claimLabels {
			rbLabels[k] = v
		}
		rb := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": workv1alpha2.SchemeGroupVersion.String(), "kind": kind,
			"metadata": map[string]any{
				"name": name, "namespace": t.GetNamespace(), "labels": rbLabels, "annotations": toAny(claimAnnotations),
				"ownerReferences": []any{map[string]any{
					"apiVersion": t.GetAPIVersion(), "kind": t.GetKind(), "name": t.GetName(),
					"uid": string(t.GetUID()), "controller": true, "blockOwnerDeletion": true,
				}},
			},
			"spec": spec,
		}}
		_, err = ri.Create(ctx, rb, metav1.CreateOptions{})
		return ignoreExists(err)
	}
	if err != nil {
		return err
	}
	old, _, _ := unstructured.NestedMap(cur.Object, "spec")
	if sameFields(old, spec) {
		return nil
	}
	return mergePatch(ctx, ri, name, map[string]any{"spec": spec})
}

// bindings lists ResourceBindings and ClusterResourceBindings.
func (c *Controller) bindings(ctx context.Context) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gvr := range []schema.GroupVersionResource{rbGVR, crbGVR} {
		list, err := c.cfg.Karmada.Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", gvr.Resource, err)
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
	}
	return out, nil
}

// reconcileBinding garbage-collects a binding whose template is gone, or
// schedules it, writes its Works and applies them.
func (c *Controller) reconcileBinding(ctx context.Context, b *unstructured.Unstructured) error {
	rb, err := kube.FromUnstructured[workv1alpha2.ResourceBinding](b)
	if err != nil {
		return err
	}
	gvr := rbGVR
	if b.GetNamespace() == "" {
		gvr = crbGVR
	}
	ri := namespaced(c.cfg.Karmada.Resource(gvr), b.GetNamespace())
	template, tgvr, err := c.template(ctx, rb)
	if err != nil {
		return err
	}
	if template == nil {
		// The garbage collector: the owner is gone.
		err := ri.Delete(ctx, b.GetName(), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		return nil
	}
	if !rb.Status.IsScheduled() {
		if err := c.setBindingStatus(ctx, gvr, b, nil); err != nil {
			return err
		}
	}
	var items []any
	allApplied := true
	for _, cluster := range rb.Spec.TargetClusterNames() {
		applied, msg, err := c.syncWork(ctx, rb, template, tgvr, cluster)
		if err != nil {
			return err
		}
		allApplied = allApplied && applied
		item := map[string]any{"clusterName": cluster, "applied": applied, "health": "Healthy"}
		if !applied {
			item["appliedMessage"], item["health"] = msg, "Unknown"
		}
		items = append(items, item)
	}
	return c.setBindingStatus(ctx, gvr, b, &aggregate{items: items, applied: allApplied})
}

func (c *Controller) template(ctx context.Context, rb *workv1alpha2.ResourceBinding) (*unstructured.Unstructured, schema.GroupVersionResource, error) {
	res := rb.Spec.Resource
	gvk := schema.FromAPIVersionAndKind(res.APIVersion, res.Kind)
	m, err := c.cfg.KarmadaMapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, schema.GroupVersionResource{}, err
	}
	t, err := namespaced(c.cfg.Karmada.Resource(m.Resource), res.Namespace).Get(ctx, res.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && res.UID != "" && t.GetUID() != res.UID) {
		return nil, m.Resource, nil
	}
	return t, m.Resource, err
}

type aggregate struct {
	items   []any
	applied bool
}

func (c *Controller) setBindingStatus(ctx context.Context, gvr schema.GroupVersionResource, b *unstructured.Unstructured, agg *aggregate) error {
	now := metav1.Now().UTC().Format(time.RFC3339)
	conds := []any{map[string]any{"type": workv1alpha2.ConditionScheduled, "status": "True", "reason": workv1alpha2.ReasonSuccess,
		"message": "Binding has been scheduled successfully.", "lastTransitionTime": now}}
	status := map[string]any{"schedulerObservedGeneration": b.GetGeneration(), "conditions": conds}
	if agg != nil {
		fa := map[string]any{"type": workv1alpha2.ConditionFullyApplied, "status": "True", "reason": workv1alpha2.ReasonFullyAppliedSuccess,
			"message": "All works have been successfully applied", "lastTransitionTime": now}
		if !agg.applied {
			fa["status"], fa["reason"], fa["message"] = "False", workv1alpha2.ReasonFullyAppliedFailed, "Failed to apply all works, see status.aggregatedStatus for details"
		}
		status["conditions"] = append(conds, fa)
		status["aggregatedStatus"] = agg.items
	}
	old, _, _ := unstructured.NestedMap(b.Object, "status")
	if sameStatus(old, status) {
		return nil
	}
	return mergePatch(ctx, namespaced(c.cfg.Karmada.Resource(gvr), b.GetNamespace()), b.GetName(), map[string]any{"status": status}, "status")
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (c *Controller) mergeMeta(ctx context.Context, ri dynamic.ResourceInterface, u *unstructured.Unstructured, meta map[string]any) error {
	return mergePatch(ctx, namespaced(ri, u.GetNamespace()), u.GetName(), map[string]any{"metadata": meta})
}

func mergePatch(ctx context.Context, ri dynamic.ResourceInterface, name string, patch any, sub ...string) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = ri.Patch(ctx, name, types.MergePatchType, data, metav1.PatchOptions{}, sub...)
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// namespaced scopes ri to ns when ri is namespaceable and ns is set.
func namespaced(ri dynamic.ResourceInterface, ns string) dynamic.ResourceInterface {
	if nri, ok := ri.(dynamic.NamespaceableResourceInterface); ok && ns != "" {
		return nri.Namespace(ns)
	}
	return ri
}

func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func hasAll(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sameFields reports whether every field of want has the same JSON value in
// have.
func sameFields(have, want map[string]any) bool {
	for k, v := range want {
		a, _ := json.Marshal(have[k])
		b, _ := json.Marshal(v)
		if string(a) != string(b) {
			return false
		}
	}
	return true
}

// sameStatus compares statuses without their transition times.
func sameStatus(have, want map[string]any) bool {
	strip := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		if conds, ok := v["conditions"].([]any); ok {
			for _, c := range conds {
				if cm, ok := c.(map[string]any); ok {
					delete(cm, "lastTransitionTime")
				}
			}
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return strip(have) == strip(want)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
