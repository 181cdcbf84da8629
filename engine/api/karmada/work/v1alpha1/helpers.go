package v1alpha1

import "k8s.io/apimachinery/pkg/api/meta"

// IsApplied reports whether the Applied condition is True.
func (s *WorkStatus) IsApplied() bool {
	return meta.IsStatusConditionTrue(s.Conditions, WorkApplied)
}

// PreservesResourcesOnDeletion reports whether member objects survive the
// deletion of this Work (nil means false).
func (s *WorkSpec) PreservesResourcesOnDeletion() bool {
	return s.PreserveResourcesOnDeletion != nil && *s.PreserveResourcesOnDeletion
}

// ExecutionNamespacePrefix prefixes the namespace holding a member cluster's
// Works: "karmada-es-<cluster>".
const ExecutionNamespacePrefix = "karmada-es-"

// ExecutionNamespace returns the namespace of the Works for a member cluster.
func ExecutionNamespace(cluster string) string {
	return ExecutionNamespacePrefix + cluster
}
