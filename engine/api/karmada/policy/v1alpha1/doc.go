// Package v1alpha1 mirrors the Karmada policy.karmada.io/v1alpha1 API used for
// migrations: PropagationPolicy and ClusterPropagationPolicy. Field names and
// defaults follow Karmada (the api module is not served by the Go proxy here,
// so the types are kept in-tree). Neither kind has a status.
//
// +kubebuilder:object:generate=true
// +groupName=policy.karmada.io
package v1alpha1
