// Package v1alpha1 mirrors Karmada's work.karmada.io/v1alpha1 Work: the
// per-cluster object (in namespace karmada-es-<cluster>) that carries the
// manifests the execution controller applies to a member cluster.
//
// +kubebuilder:object:generate=true
// +groupName=work.karmada.io
package v1alpha1
