package v1alpha1

// PreservesResourcesOnDeletion reports whether member objects survive the
// deletion of their templates (nil means false).
func (s *PropagationSpec) PreservesResourcesOnDeletion() bool {
	return s.PreserveResourcesOnDeletion != nil && *s.PreserveResourcesOnDeletion
}

// EffectiveConflictResolution returns the conflict resolution the API server
// defaults to when the field is empty (Abort).
func (s *PropagationSpec) EffectiveConflictResolution() ConflictResolution {
	if s.ConflictResolution == "" {
		return ConflictAbort
	}
	return s.ConflictResolution
}

// TargetClusterNames returns the clusters named in
// placement.clusterAffinity.clusterNames (nil when selection is by labels,
// fields or clusterAffinities).
func (s *PropagationSpec) TargetClusterNames() []string {
	if s.Placement.ClusterAffinity == nil {
		return nil
	}
	return s.Placement.ClusterAffinity.ClusterNames
}
