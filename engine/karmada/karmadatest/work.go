package karmadatest

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ConflictMessage is the execution controller's refusal to take over an
// unmanaged member object without "overwrite".
func ConflictMessage(kind, ns, name, cluster string) string {
	return fmt.Sprintf("resource(kind=%s, %s/%s) already exists in the cluster %s and the %s strategy value is empty, Karmada will not manage this resource",
		kind, ns, name, cluster, karmada.ConflictResolutionAnnotation)
}

// syncWork keeps the binding's Work for one cluster and applies it to the
// member (the binding and execution controllers).
func (c *Controller) syncWork(ctx context.Context, rb *workv1alpha2.ResourceBinding, tmpl *unstructured.Unstructured, tgvr schema.GroupVersionResource, cluster string) (bool, string, error) {
	ns := workv1alpha1.ExecutionNamespace(cluster)
	if err := c.ensureNamespace(ctx, ns); err != nil {
		return false, "", err
	}
	work, err := c.ensureWork(ctx, rb, tmpl, ns)
	if err != nil {
		return false, "", err
	}
	if cluster != c.cfg.ClusterName {
		return false, "cluster " + cluster + " is not simulated", nil
	}
	applied, msg, err := c.apply(ctx, rb, work, tmpl, cluster)
	if err != nil {
		return false, "", err
	}
	return applied, msg, c.setWorkStatus(ctx, work, applied, msg)
}

func (c *Controller) ensureNamespace(ctx context.Context, ns string) error {
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	_, err := c.cfg.Karmada.Resource(nsGVR).Create(ctx, obj, metav1.CreateOptions{})
	return ignoreExists(err)
}

// WorkName is the simulator's Work name for a binding.
func WorkName(rb *workv1alpha2.ResourceBinding) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(rb.Namespace + "/" + rb.Name))
	return rb.Name + "-" + strconv.FormatUint(uint64(h.Sum32()), 16)
}

func bindingID(rb *workv1alpha2.ResourceBinding) (label, id string) {
	if rb.Namespace == "" {
		return karmada.ClusterResourceBindingPermanentIDLabel, rb.Labels[karmada.ClusterResourceBindingPermanentIDLabel]
	}
	return karmada.ResourceBindingPermanentIDLabel, rb.Labels[karmada.ResourceBindingPermanentIDLabel]
}

// conflictResolution merges the template annotation and the binding's
// setting the way the binding controller does: a valid annotation wins.
func conflictResolution(rb *workv1alpha2.ResourceBinding, tmpl *unstructured.Unstructured) string {
	switch a := tmpl.GetAnnotations()[karmada.ConflictResolutionAnnotation]; a {
	case karmada.ConflictResolutionOverwrite, karmada.ConflictResolutionAbort:
		return a
	}
	if rb.Spec.ConflictResolution == policyv1alpha1.ConflictOverwrite {
		return karmada.ConflictResolutionOverwrite
	}
	return karmada.ConflictResolutionAbort
}

func (c *Controller) ensureWork(ctx context.Context, rb *workv1alpha2.ResourceBinding, tmpl *unstructured.Unstructured, ns string) (*workv1alpha1.Work, error) {
	ri := c.cfg.Karmada.Resource(workGVR).Namespace(ns)
	name := WorkName(rb)
	idLabel, id := bindingID(rb)
	manifest := workload(tmpl)
	spec := map[string]any{
		"workload":                    map[string]any{"manifests": []any{manifest.Object}},
		"preserveResourcesOnDeletion": rb.Spec.PreservesResourcesOnDeletion(),
	}
	annotations := map[string]any{karmada.ConflictResolutionAnnotation: conflictResolution(rb, tmpl)}
	if rb.Namespace == "" {
		annotations[karmada.ClusterResourceBindingNameAnnotation] = rb.Name
	} else {
		annotations[karmada.ResourceBindingNameAnnotation] = rb.Name
		annotations[karmada.ResourceBindingNamespaceAnnotation] = rb.Namespace
	}
	cur, err := ri.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		w := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": workv1alpha1.SchemeGroupVersion.String(), "kind": "Work",
			"metadata": map[string]any{
				"name": name, "namespace": ns, "annotations": annotations,
				"labels": map[string]any{idLabel: id, karmada.WorkPermanentIDLabel: newID()},
			},
			"spec": spec,
		}}
		if cur, err = ri.Create(ctx, w, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	} else if old, _, _ := unstructured.NestedMap(cur.Object, "spec"); !sameFields(old, spec) {
		if err := mergePatch(ctx, ri, name, map[string]any{"spec": spec}); err != nil {
			return nil, err
		}
		if cur, err = ri.Get(ctx, name, metav1.GetOptions{}); err != nil {
			return nil, err
		}
	}
	return kube.FromUnstructured[workv1alpha1.Work](cur)
}

// workload is the template as the Work carries it: without status and
// server-set metadata.
func workload(tmpl *unstructured.Unstructured) *unstructured.Unstructured {
	m := tmpl.DeepCopy()
	unstructured.RemoveNestedField(m.Object, "status")
	for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "ownerReferences", "finalizers"} {
		unstructured.RemoveNestedField(m.Object, "metadata", f)
	}
	return m
}

// apply writes the Work's manifest onto the member object with Karmada's
// conflict rule, marking it managed.
func (c *Controller) apply(ctx context.Context, rb *workv1alpha2.ResourceBinding, work *workv1alpha1.Work, tmpl *unstructured.Unstructured, cluster string) (bool, string, error) {
	ri, err := c.memberResource(tmpl.GroupVersionKind(), tmpl.GetNamespace())
	if err != nil {
		return false, err.Error(), nil //nolint:nilerr // the failure becomes the Work's applied message, as Karmada reports it
	}
	desired := workload(tmpl)
	retain(desired)
	idLabel, id := bindingID(rb)
	lbls := desired.GetLabels()
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[karmada.ManagedLabel] = karmada.ManagedLabelValue
	lbls[idLabel] = id
	lbls[karmada.WorkPermanentIDLabel] = work.Labels[karmada.WorkPermanentIDLabel]
	ann := desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[karmada.WorkNameAnnotation] = work.Name
	ann[karmada.WorkNamespaceAnnotation] = work.Namespace
	ann[karmada.ResourceTemplateUIDAnnotation] = string(tmpl.GetUID())
	ann[karmada.ResourceTemplateGenerationAnnotation] = strconv.FormatInt(tmpl.GetGeneration(), 10)
	ann[karmada.ConflictResolutionAnnotation] = work.Annotations[karmada.ConflictResolutionAnnotation]
	if rb.Namespace == "" {
		ann[karmada.ClusterResourceBindingNameAnnotation] = rb.Name
	} else {
		ann[karmada.ResourceBindingNameAnnotation] = rb.Name
		ann[karmada.ResourceBindingNamespaceAnnotation] = rb.Namespace
	}
	ann[karmada.ManagedLabelsAnnotation] = strings.Join(sortedKeys(lbls), ",")
	ann[karmada.ManagedAnnotationsAnnotation] = strings.Join(sortedKeys(ann), ",")

	cur, err := ri.Get(ctx, tmpl.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		desired.SetLabels(lbls)
		desired.SetAnnotations(ann)
		_, err = ri.Create(ctx, desired, metav1.CreateOptions{})
		return err == nil, "", ignoreExists(err)
	}
	if err != nil {
		return false, "", err
	}
	managed := cur.GetLabels()[karmada.ManagedLabel] == karmada.ManagedLabelValue
	if !managed && work.Annotations[karmada.ConflictResolutionAnnotation] != karmada.ConflictResolutionOverwrite {
		return false, ConflictMessage(tmpl.GetKind(), tmpl.GetNamespace(), tmpl.GetName(), cluster), nil
	}
	if managed && hasAll(cur.GetLabels(), lbls) && hasAll(cur.GetAnnotations(), ann) {
		return true, "", nil
	}
	patch := map[string]any{"metadata": map[string]any{"labels": toAny(lbls), "annotations": toAny(ann)}}
	for k, v := range desired.Object {
		if k != "metadata" && k != "status" && k != "apiVersion" && k != "kind" {
			patch[k] = v
		}
	}
	if err := mergePatch(ctx, ri, tmpl.GetName(), patch); err != nil {
		return false, "", err
	}
	return true, "", nil
}

// retain keeps what the member allocated, as Karmada's default resource
// interpreter does: the control plane allocated its own cluster IP for the
// Service template, which must not replace the member's.
func retain(desired *unstructured.Unstructured) {
	if desired.GetAPIVersion() == "v1" && desired.GetKind() == "Service" {
		unstructured.RemoveNestedField(desired.Object, "spec", "clusterIP")
		unstructured.RemoveNestedField(desired.Object, "spec", "clusterIPs")
	}
}

func (c *Controller) memberResource(gvk schema.GroupVersionKind, ns string) (dynamic.ResourceInterface, error) {
	m, err := c.cfg.MemberMapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	return namespaced(c.cfg.Member.Resource(m.Resource), ns), nil
}

func (c *Controller) setWorkStatus(ctx context.Context, w *workv1alpha1.Work, applied bool, msg string) error {
	cond := map[string]any{"type": workv1alpha1.WorkApplied, "status": "True", "reason": workv1alpha1.WorkAppliedSuccessful,
		"message": "Manifest has been successfully applied", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
	if !applied {
		cond["status"], cond["reason"] = "False", workv1alpha1.WorkAppliedFailed
		cond["message"] = "Failed to apply all manifests (0/1): " + msg
	}
	for _, old := range w.Status.Conditions {
		if old.Type == workv1alpha1.WorkApplied && string(old.Status) == cond["status"] && old.Message == cond["message"] {
			return nil
		}
	}
	return mergePatch(ctx, c.cfg.Karmada.Resource(workGVR).Namespace(w.Namespace), w.Name,
		map[string]any{"status": map[string]any{"conditions": []any{cond}}}, "status")
}

// collectOrphanWorks handles Works whose binding is gone: the binding
// controller deletes them, and the execution controller either deletes the
// member object or, with preserveResourcesOnDeletion, only strips what
// Karmada put on it.
func (c *Controller) collectOrphanWorks(ctx context.Context, bindings []*unstructured.Unstructured) error {
	alive := map[string]bool{}
	for _, b := range bindings {
		alive[b.GetNamespace()+"/"+b.GetName()] = true
	}
	works, err := kube.List[workv1alpha1.Work](ctx, c.cfg.Karmada.Resource(workGVR), metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list works: %w", err)
	}
	for i := range works {
		w := &works[i]
		a := w.Annotations
		ns, name := a[karmada.ResourceBindingNamespaceAnnotation], a[karmada.ResourceBindingNameAnnotation]
		if name == "" {
			name = a[karmada.ClusterResourceBindingNameAnnotation]
		}
		if name == "" || alive[ns+"/"+name] || c.isFrozen(ns) {
			continue
		}
		if err := c.releaseOrDelete(ctx, w); err != nil {
			return err
		}
		if err := c.cfg.Karmada.Resource(workGVR).Namespace(w.Namespace).Delete(ctx, w.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

func (c *Controller) releaseOrDelete(ctx context.Context, w *workv1alpha1.Work) error {
	for _, m := range w.Spec.Workload.Manifests {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(m.Raw); err != nil {
			return err
		}
		ri, err := c.memberResource(obj.GroupVersionKind(), obj.GetNamespace())
		if err != nil {
			return err
		}
		cur, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if cur.GetLabels()[karmada.ManagedLabel] != karmada.ManagedLabelValue {
			continue // "Abort deleting the resource ... not managed by Karmada"
		}
		if !w.Spec.PreservesResourcesOnDeletion() {
			if err := ri.Delete(ctx, obj.GetName(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return err
			}
			continue
		}
		if err := mergePatch(ctx, ri, obj.GetName(), releasePatch()); err != nil {
			return err
		}
	}
	return nil
}

// releasePatch removes the keys cleanupPolicyClaimMetadata removes; like
// Karmada it leaves work.karmada.io/conflict-resolution (and, for
// cluster-scoped objects, the ClusterResourceBinding keys) behind.
func releasePatch() map[string]any {
	lbls := map[string]any{}
	for _, k := range append(karmada.ManagedResourceLabels(), karmada.PropagationPolicyPermanentIDLabel, karmada.ClusterPropagationPolicyPermanentIDLabel) {
		lbls[k] = nil
	}
	ann := map[string]any{}
	for _, k := range append(karmada.ManagedResourceAnnotations(), karmada.PropagationPolicyNameAnnotation,
		karmada.PropagationPolicyNamespaceAnnotation, karmada.ClusterPropagationPolicyNameAnnotation) {
		ann[k] = nil
	}
	return map[string]any{"metadata": map[string]any{"labels": lbls, "annotations": ann}}
}
