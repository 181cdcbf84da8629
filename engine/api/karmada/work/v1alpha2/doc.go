// Package v1alpha2 mirrors Karmada's work.karmada.io/v1alpha2
// ResourceBinding and ClusterResourceBinding, the scheduling result that ties
// a resource template to member clusters. Only v1alpha2 (the storage
// version) is modelled; the test CRDs serve it alone, without the conversion
// webhook.
//
// +kubebuilder:object:generate=true
// +groupName=work.karmada.io
package v1alpha2
