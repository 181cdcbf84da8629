package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// decodeObjects splits multi-document YAML (or JSON) into objects, expanding
// Lists and dropping empty documents.
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("document %d: %w", doc, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", doc, err)
			}
			for i := range list.Items {
				out = append(out, &list.Items[i])
			}
			continue
		}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("document %d: apiVersion, kind and metadata.name are required (got %q %q %q)",
				doc, u.GetAPIVersion(), u.GetKind(), u.GetName())
		}
		out = append(out, u)
	}
}

// applyOrder sorts objects so that what others need exists first: CRDs,
// namespaces, cluster-scoped infrastructure, configuration, storage and
// services, workloads, pods, other built-ins, custom resources, events.
func applyOrder(objs []*unstructured.Unstructured) {
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		return kindRank(a.GroupVersionKind()) - kindRank(b.GroupVersionKind())
	})
}

func kindRank(gvk schema.GroupVersionKind) int {
	switch gvk.Kind {
	case "CustomResourceDefinition":
		return 0
	case "Namespace":
		return 1
	case "StorageClass", "PriorityClass", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "Node":
		return 2
	case "ServiceAccount", "Secret", "ConfigMap", "LimitRange", "ResourceQuota", "Role", "RoleBinding":
		return 3
	case "PersistentVolumeClaim", "Service", "Endpoints", "EndpointSlice":
		return 4
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob":
		return 5
	case "Pod":
		return 6
	case "Event":
		return 9
	}
	if isCustomGroup(gvk.Group) {
		return 8
	}
	return 7
}

// isCustomGroup tells CRD-backed groups from built-in ones: built-in groups
// are either dot-free ("apps", "batch") or end in ".k8s.io".
func isCustomGroup(group string) bool {
	return strings.Contains(group, ".") && !strings.HasSuffix(group, ".k8s.io")
}
