// Package v1alpha1 mirrors the parts of Karmada's cluster.karmada.io/v1alpha1
// Cluster that kubectl-mig reads (sync mode, endpoint, readiness, version,
// API enablements). Karmada serves Cluster through its aggregated API server,
// not a CRD; the CRD in engine/api/crds is hand-written for test servers.
//
// +kubebuilder:object:generate=true
// +groupName=cluster.karmada.io
package v1alpha1
