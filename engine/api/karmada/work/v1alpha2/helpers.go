package v1alpha2

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
)

// BindingName returns the name Karmada gives the (Cluster)ResourceBinding of a
// template: "<lower(name)>-<lower(kind)>", with ':' (allowed in RBAC names,
// not in a binding's) replaced by '.', as Karmada does.
func BindingName(kind, name string) string {
	return strings.ToLower(strings.ReplaceAll(name, ":", ".")) + "-" + strings.ToLower(kind)
}

// IsScheduled reports whether the Scheduled condition is True.
func (s *ResourceBindingStatus) IsScheduled() bool {
	return meta.IsStatusConditionTrue(s.Conditions, ConditionScheduled)
}

// IsFullyApplied reports whether the FullyApplied condition is True.
func (s *ResourceBindingStatus) IsFullyApplied() bool {
	return meta.IsStatusConditionTrue(s.Conditions, ConditionFullyApplied)
}

// ClusterStatus returns the aggregated status entry of a cluster, or nil.
func (s *ResourceBindingStatus) ClusterStatus(cluster string) *AggregatedStatusItem {
	for i := range s.AggregatedStatus {
		if s.AggregatedStatus[i].ClusterName == cluster {
			return &s.AggregatedStatus[i]
		}
	}
	return nil
}

// TargetClusterNames returns the names in spec.clusters (the scheduling
// result).
func (s *ResourceBindingSpec) TargetClusterNames() []string {
	out := make([]string, 0, len(s.Clusters))
	for _, c := range s.Clusters {
		out = append(out, c.Name)
	}
	return out
}

// PreservesResourcesOnDeletion reports whether member objects survive the
// deletion of the template (nil means false).
func (s *ResourceBindingSpec) PreservesResourcesOnDeletion() bool {
	return s.PreserveResourcesOnDeletion != nil && *s.PreserveResourcesOnDeletion
}
