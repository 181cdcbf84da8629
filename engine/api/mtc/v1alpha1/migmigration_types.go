package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MigMigrationSpec asks the controller to run a plan. Only one of Stage,
// MigrateState and Rollback may be true (else condition InvalidSpec).
type MigMigrationSpec struct {
	MigPlanRef *corev1.ObjectReference `json:"migPlanRef,omitempty"`
	// Stage runs the Stage itinerary (copy data, leave the source running).
	Stage bool `json:"stage"`
	// MigrateState runs a state (PV-only) migration on the Stage itinerary.
	MigrateState bool `json:"migrateState,omitempty"`
	// QuiescePods scales source applications to zero before the data copy.
	QuiescePods     bool `json:"quiescePods,omitempty"`
	KeepAnnotations bool `json:"keepAnnotations,omitempty"`
	// Verify checks migrated pods' health on the destination.
	Verify bool `json:"verify,omitempty"`
	// Canceled may be set on a running migration to switch to the Cancel
	// itinerary.
	Canceled bool `json:"canceled,omitempty"`
	// Rollback must be set at creation; it runs the Rollback itinerary.
	Rollback bool `json:"rollback,omitempty"`
	// RunAsRoot runs rsync pods as root/privileged.
	RunAsRoot *bool `json:"runAsRoot,omitempty"`
	// RunAsUser and RunAsGroup set the rsync pods' UID/GID when not root.
	RunAsUser  *int64 `json:"runAsUser,omitempty"`
	RunAsGroup *int64 `json:"runAsGroup,omitempty"`
}

// MigMigrationStatus is written by the controller.
type MigMigrationStatus struct {
	Conditions Conditions `json:"conditions,omitempty"`
	// Namespaces lists unhealthy destination workloads (Verification).
	Namespaces     []UnhealthyNamespace `json:"namespaces,omitempty"`
	ObservedDigest string               `json:"observedDigest,omitempty"`
	StartTimestamp *metav1.Time         `json:"startTimestamp,omitempty"`
	// Phase is the current phase; "Completed" is terminal for every outcome.
	Phase    string `json:"phase,omitempty"`
	Pipeline []Step `json:"pipeline,omitempty"`
	// Itinerary is Stage, Final, Cancel, Failed or Rollback.
	Itinerary string `json:"itinerary,omitempty"`
	// Errors holds the de-duplicated error messages of a failed migration.
	Errors []string `json:"errors,omitempty"`
}

// Step is one entry of the migration pipeline shown by the UI.
type Step struct {
	// Started and Completed are set when the step starts and finishes.
	Started   *metav1.Time `json:"started,omitempty"`
	Completed *metav1.Time `json:"completed,omitempty"`

	Name  string `json:"name"`
	Phase string `json:"phase,omitempty"`
	// Message is rewritten to Completed / Failed / Skipped / Not started.
	Message  string   `json:"message,omitempty"`
	Progress []string `json:"progress,omitempty"`
	Failed   bool     `json:"failed,omitempty"`
	Skipped  bool     `json:"skipped,omitempty"`
}

// MigMigration runs a MigPlan once (stage, final, rollback).
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=migmigrations,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=".spec.migPlanRef.name"
// +kubebuilder:printcolumn:name="Stage",type=string,JSONPath=".spec.stage"
// +kubebuilder:printcolumn:name="Rollback",type=string,JSONPath=".spec.rollback"
// +kubebuilder:printcolumn:name="Itinerary",type=string,JSONPath=".status.itinerary"
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=".status.phase"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigMigration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigMigrationSpec   `json:"spec,omitempty"`
	Status MigMigrationStatus `json:"status,omitempty"`
}

// MigMigrationList is a list of MigMigrations.
//
// +kubebuilder:object:root=true
type MigMigrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigMigration `json:"items"`
}
