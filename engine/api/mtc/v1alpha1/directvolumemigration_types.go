package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectVolumeMigrationType is the kind of copy a DVM performs.
type DirectVolumeMigrationType string

// DVM migration types: CutOver when the MigMigration quiesces pods, Stage
// otherwise, Rollback in the rollback itinerary.
const (
	DVMTypeStage    DirectVolumeMigrationType = "Stage"
	DVMTypeCutOver  DirectVolumeMigrationType = "CutOver"
	DVMTypeRollback DirectVolumeMigrationType = "Rollback"
)

// PVCToMigrate is one PVC copied by rsync. The embedded reference carries the
// source PVC's name and namespace.
type PVCToMigrate struct {
	corev1.ObjectReference `json:",inline"`

	TargetStorageClass string                              `json:"targetStorageClass"`
	TargetAccessModes  []corev1.PersistentVolumeAccessMode `json:"targetAccessModes"`
	TargetVolumeMode   *corev1.PersistentVolumeMode        `json:"targetVolumeMode,omitempty"`
	TargetNamespace    string                              `json:"targetNamespace,omitempty"`
	TargetName         string                              `json:"targetName,omitempty"`
	Verify             bool                                `json:"verify,omitempty"`
}

// DirectVolumeMigrationSpec lists the PVCs to copy between two clusters.
type DirectVolumeMigrationSpec struct {
	SrcMigClusterRef  *corev1.ObjectReference `json:"srcMigClusterRef,omitempty"`
	DestMigClusterRef *corev1.ObjectReference `json:"destMigClusterRef,omitempty"`
	// BackOffLimit is the number of rsync attempts (default 20).
	BackOffLimit                int                        `json:"backOffLimit,omitempty"`
	PersistentVolumeClaims      []PVCToMigrate             `json:"persistentVolumeClaims,omitempty"`
	CreateDestinationNamespaces bool                       `json:"createDestinationNamespaces,omitempty"`
	DeleteProgressReportingCRs  bool                       `json:"deleteProgressReportingCRs,omitempty"`
	LiveMigrate                 *bool                      `json:"liveMigrate,omitempty"`
	MigrationType               *DirectVolumeMigrationType `json:"migrationType,omitempty"`
}

// DirectVolumeMigrationStatus is written by the controller. ObservedDigest and
// PhaseDescription are required by the real CRD's schema (no omitempty).
type DirectVolumeMigrationStatus struct {
	Conditions                Conditions              `json:"conditions,omitempty"`
	ObservedDigest            string                  `json:"observedDigest"`
	StartTimestamp            *metav1.Time            `json:"startTimestamp,omitempty"`
	PhaseDescription          string                  `json:"phaseDescription"`
	Phase                     string                  `json:"phase,omitempty"`
	Itinerary                 string                  `json:"itinerary,omitempty"`
	Errors                    []string                `json:"errors,omitempty"`
	SuccessfulPods            []PodProgress           `json:"successfulPods,omitempty"`
	FailedPods                []PodProgress           `json:"failedPods,omitempty"`
	RunningPods               []PodProgress           `json:"runningPods,omitempty"`
	PendingPods               []PodProgress           `json:"pendingPods,omitempty"`
	UnknownPods               []PodProgress           `json:"unknownPods,omitempty"`
	PendingSinceTimeLimitPods []PodProgress           `json:"pendingSinceTimeLimitPods,omitempty"`
	SuccessfulLiveMigrations  []LiveMigrationProgress `json:"successfulLiveMigration,omitempty"`
	RunningLiveMigrations     []LiveMigrationProgress `json:"runningLiveMigration,omitempty"`
	PendingLiveMigrations     []LiveMigrationProgress `json:"pendingLiveMigration,omitempty"`
	FailedLiveMigrations      []LiveMigrationProgress `json:"failedLiveMigration,omitempty"`
	RsyncOperations           []RsyncOperation        `json:"rsyncOperations,omitempty"`
	SkippedVolumes            []string                `json:"skippedVolumes,omitempty"`
}

// PodProgress is the progress of one rsync client pod; the embedded reference
// names the pod.
type PodProgress struct {
	corev1.ObjectReference `json:",inline"`

	PVCReference                *corev1.ObjectReference `json:"pvcRef,omitempty"`
	LastObservedProgressPercent string                  `json:"lastObservedProgressPercent,omitempty"`
	LastObservedTransferRate    string                  `json:"lastObservedTransferRate,omitempty"`
	TotalElapsedTime            *metav1.Duration        `json:"totalElapsedTime,omitempty"`
}

// LiveMigrationProgress is the progress of one KubeVirt live storage migration.
type LiveMigrationProgress struct {
	VMName                      string                  `json:"vmName,omitempty"`
	VMNamespace                 string                  `json:"vmNamespace,omitempty"`
	PVCReference                *corev1.ObjectReference `json:"pvcRef,omitempty"`
	LastObservedProgressPercent string                  `json:"lastObservedProgressPercent,omitempty"`
	LastObservedTransferRate    string                  `json:"lastObservedTransferRate,omitempty"`
	TotalElapsedTime            *metav1.Duration        `json:"totalElapsedTime,omitempty"`
	Message                     string                  `json:"message,omitempty"`
}

// RsyncOperation tracks the attempts for one PVC.
type RsyncOperation struct {
	PVCReference   *corev1.ObjectReference `json:"pvcReference,omitempty"`
	CurrentAttempt int                     `json:"currentAttempt,omitempty"`
	Succeeded      bool                    `json:"succeeded,omitempty"`
	Failed         bool                    `json:"failed,omitempty"`
}

// DirectVolumeMigration copies PVC data with rsync between clusters.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=directvolumemigrations,scope=Namespaced,shortName=dvm
type DirectVolumeMigration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DirectVolumeMigrationSpec   `json:"spec,omitempty"`
	Status DirectVolumeMigrationStatus `json:"status,omitempty"`
}

// DirectVolumeMigrationList is a list of DirectVolumeMigrations.
//
// +kubebuilder:object:root=true
type DirectVolumeMigrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DirectVolumeMigration `json:"items"`
}
