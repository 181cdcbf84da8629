package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectVolumeMigrationProgressSpec points at the rsync client pods of a PVC.
type DirectVolumeMigrationProgressSpec struct {
	ClusterRef   *corev1.ObjectReference `json:"clusterRef,omitempty"`
	PodRef       *corev1.ObjectReference `json:"podRef,omitempty"`
	PodNamespace string                  `json:"podNamespace,omitempty"`
	// PodSelector is {RsyncPodIdentityLabel: md5(pvc name)}.
	PodSelector map[string]string `json:"podSelector,omitempty"`
}

// DirectVolumeMigrationProgressStatus holds the latest attempt inline plus the
// history of attempts.
type DirectVolumeMigrationProgressStatus struct {
	Conditions Conditions `json:"conditions,omitempty"`
	// RsyncPodStatus is the most recent attempt.
	RsyncPodStatus          `json:",inline"`
	RsyncPodStatuses        []RsyncPodStatus `json:"rsyncPodStatuses,omitempty"`
	RsyncElapsedTime        *metav1.Duration `json:"rsyncElapsedTime,omitempty"`
	TotalProgressPercentage string           `json:"totalProgressPercentage,omitempty"`
	ObservedDigest          string           `json:"observedDigest,omitempty"`
}

// RsyncPodStatus is the observed state of one rsync client pod.
type RsyncPodStatus struct {
	PodName                     string           `json:"podName,omitempty"`
	PodPhase                    corev1.PodPhase  `json:"phase,omitempty"`
	ExitCode                    *int32           `json:"exitCode,omitempty"`
	ContainerElapsedTime        *metav1.Duration `json:"containerElapsedTime,omitempty"`
	LogMessage                  string           `json:"logMessage,omitempty"`
	LastObservedProgressPercent string           `json:"lastObservedProgressPercent,omitempty"`
	LastObservedTransferRate    string           `json:"lastObservedTransferRate,omitempty"`
	CreationTimestamp           *metav1.Time     `json:"creationTimestamp,omitempty"`
}

// DirectVolumeMigrationProgress reports rsync progress for one PVC.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=directvolumemigrationprogresses,scope=Namespaced,shortName=dvmp
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=".spec.clusterRef.name"
// +kubebuilder:printcolumn:name="Pod Name",type=string,JSONPath=".status.podName"
// +kubebuilder:printcolumn:name="Pod Namespace",type=string,JSONPath=".spec.podNamespace"
// +kubebuilder:printcolumn:name="Progress Percent",type=string,JSONPath=".status.totalProgressPercentage"
// +kubebuilder:printcolumn:name="Transfer Rate",type=string,JSONPath=".status.lastObservedTransferRate"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type DirectVolumeMigrationProgress struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DirectVolumeMigrationProgressSpec   `json:"spec,omitempty"`
	Status DirectVolumeMigrationProgressStatus `json:"status,omitempty"`
}

// DirectVolumeMigrationProgressList is a list of DirectVolumeMigrationProgresses.
//
// +kubebuilder:object:root=true
type DirectVolumeMigrationProgressList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DirectVolumeMigrationProgress `json:"items"`
}
