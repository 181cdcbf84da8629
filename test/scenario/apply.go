package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// apply creates one object (merge-patching it when it already exists), then
// writes its status the way its controller would.
func (l *loader) apply(ctx context.Context, c *testenv.Cluster, m manifest, obj *unstructured.Unstructured) error {
	if obj.GetKind() == "CustomResourceDefinition" {
		return l.applyCRD(ctx, c, m, obj)
	}
	mapping, err := restMapping(c, obj)
	if err != nil {
		return err
	}
	status, hasStatus, _ := unstructured.NestedFieldNoCopy(obj.Object, "status")
	unstructured.RemoveNestedField(obj.Object, "status")
	namespaced := mapping.Scope.Name() == meta.RESTScopeNameNamespace
	if namespaced {
		if obj.GetNamespace() == "" {
			obj.SetNamespace("default")
		}
		if err := l.ensureNamespace(ctx, c, obj.GetNamespace()); err != nil {
			return err
		}
	} else {
		obj.SetNamespace("")
	}
	if obj.GetKind() == "Pod" && obj.GroupVersionKind().Group == "" {
		bindPod(obj, status, c.NodeName())
	}
	ri := resourceClient(c, mapping, obj.GetNamespace())
	created, err := createOrMerge(ctx, ri, obj)
	if err != nil {
		return err
	}
	if obj.GetKind() == "Namespace" {
		l.namespaces[c.Name()+"/"+obj.GetName()] = true
	}
	l.record(Object{
		Cluster: m.cluster, GVK: obj.GroupVersionKind(), Resource: mapping.Resource,
		Namespace: created.GetNamespace(), Name: created.GetName(), UID: created.GetUID(), File: m.rel,
	})
	if !hasStatus || isEmpty(status) {
		return nil
	}
	return c.PatchStatus(ctx, mapping.Resource, created.GetNamespace(), created.GetName(), status)
}

// createOrMerge creates the object or, when it already exists (namespaces
// the harness created, the stand-in's Node, an object a later file adds
// labels to), merge-patches it with the scenario's version. A partial object
// fails validation on create, so any create error leads to a lookup.
func createOrMerge(ctx context.Context, ri dynamic.ResourceInterface, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	created, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict})
	if err == nil {
		return created, nil
	}
	if _, gerr := ri.Get(ctx, obj.GetName(), metav1.GetOptions{}); gerr != nil {
		if apierrors.IsNotFound(gerr) {
			return nil, err
		}
		return nil, errors.Join(err, gerr)
	}
	patch, perr := json.Marshal(obj.Object)
	if perr != nil {
		return nil, perr
	}
	return ri.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldValidation: metav1.FieldValidationStrict})
}

// record notes an applied object once; a later file that patches the same
// object keeps the first entry.
func (l *loader) record(o Object) {
	for _, have := range l.result.Objects {
		if have.Cluster == o.Cluster && have.GVK == o.GVK && have.Namespace == o.Namespace && have.Name == o.Name {
			return
		}
	}
	l.result.Objects = append(l.result.Objects, o)
}

func (l *loader) applyCRD(ctx context.Context, c *testenv.Cluster, m manifest, obj *unstructured.Unstructured) error {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &crd); err != nil {
		return fmt.Errorf("decode CRD: %w", err)
	}
	if err := c.InstallCRDs(ctx, &crd); err != nil {
		return err
	}
	l.record(Object{Cluster: m.cluster, GVK: obj.GroupVersionKind(), Name: crd.Name, File: m.rel})
	return nil
}

func (l *loader) ensureNamespace(ctx context.Context, c *testenv.Cluster, ns string) error {
	key := c.Name() + "/" + ns
	if l.namespaces[key] {
		return nil
	}
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		return err
	}
	l.namespaces[key] = true
	return nil
}

// bindPod puts a pod without spec.nodeName on the stand-in's Node, as a
// scheduler would, unless its status says it could not be scheduled.
func bindPod(obj *unstructured.Unstructured, status any, node string) {
	if n, _, _ := unstructured.NestedString(obj.Object, "spec", "nodeName"); n != "" {
		return
	}
	if st, ok := status.(map[string]any); ok {
		conds, _, _ := unstructured.NestedSlice(st, "conditions")
		for _, c := range conds {
			cm, _ := c.(map[string]any)
			if cm["type"] == "PodScheduled" && cm["status"] == "False" {
				return
			}
		}
	}
	_ = unstructured.SetNestedField(obj.Object, node, "spec", "nodeName")
}

func restMapping(c *testenv.Cluster, obj *unstructured.Unstructured) (*meta.RESTMapping, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.RESTMapper().Reset()
		mapping, err = c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %s does not serve %s (missing CRD?): %w", c.Name(), gvk, err)
	}
	return mapping, nil
}

func resourceClient(c *testenv.Cluster, m *meta.RESTMapping, namespace string) dynamic.ResourceInterface {
	ri := c.Dynamic().Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(namespace)
	}
	return ri
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(t) == 0
	}
	return false
}
