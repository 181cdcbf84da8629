// Package v1alpha1 holds typed Go mirrors of the Migration Toolkit for
// Containers (MTC) custom resources in group migration.openshift.io/v1alpha1,
// plus the condition, phase, label and annotation vocabulary that the MTC
// controller writes onto them.
//
// The JSON field names follow mig-controller's API exactly, because these
// structs are used to read objects written by the real controller and to
// build objects it must accept. None of the MTC kinds except
// MigrationController has a status subresource: the controller updates whole
// objects, so callers must change spec with PATCH requests (never GET+PUT a
// stale copy) to avoid clobbering controller-written status and
// spec.persistentVolumes.
//
// +kubebuilder:object:generate=true
// +groupName=migration.openshift.io
package v1alpha1
