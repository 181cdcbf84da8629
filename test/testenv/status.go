package testenv

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// HasStatusSubresource reports whether the resource serves /status (pods,
// nodes, CRDs that declare it) according to discovery.
func (c *Cluster) HasStatusSubresource(gvr schema.GroupVersionResource) (bool, error) {
	list, err := c.discovery.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if err != nil {
		return false, fmt.Errorf("cluster %s: discover %s: %w", c.name, gvr.GroupVersion(), err)
	}
	for _, r := range list.APIResources {
		if r.Name == gvr.Resource+"/status" {
			return true, nil
		}
	}
	return false, nil
}

// PatchStatus writes status the way the owning controller would: a merge
// patch {"status": ...} on the /status subresource when there is one, else on
// the object itself (MTC and Velero CRDs have no status subresource; their
// controllers update the whole object).
func (c *Cluster) PatchStatus(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string, status any) error {
	sub, err := c.HasStatusSubresource(gvr)
	if err != nil {
		return err
	}
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return fmt.Errorf("encode status of %s %s/%s: %w", gvr.Resource, namespace, name, err)
	}
	var subresources []string
	if sub {
		subresources = []string{"status"}
	}
	// Strict: unknown fields fail instead of being pruned silently, so a typo
	// in a fixture's status cannot go unnoticed.
	strict := metav1.PatchOptions{FieldValidation: metav1.FieldValidationStrict}
	ri := c.dynamic.Resource(gvr)
	if namespace != "" {
		_, err = ri.Namespace(namespace).Patch(ctx, name, types.MergePatchType, patch, strict, subresources...)
	} else {
		_, err = ri.Patch(ctx, name, types.MergePatchType, patch, strict, subresources...)
	}
	if err != nil {
		return fmt.Errorf("cluster %s: write status of %s %s: %w", c.name, gvr.Resource, joinName(namespace, name), err)
	}
	return nil
}

func joinName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
