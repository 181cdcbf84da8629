package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectImageMigrationSpec lists the namespaces whose image streams to copy.
type DirectImageMigrationSpec struct {
	SrcMigClusterRef  *corev1.ObjectReference `json:"srcMigClusterRef,omitempty"`
	DestMigClusterRef *corev1.ObjectReference `json:"destMigClusterRef,omitempty"`
	// Namespaces are "src" or "src:dest" entries.
	Namespaces    []string              `json:"namespaces,omitempty"`
	LabelSelector *metav1.LabelSelector `json:"labelSelector,omitempty"`
}

// DirectImageMigrationStatus is written by the controller.
type DirectImageMigrationStatus struct {
	Conditions     Conditions            `json:"conditions,omitempty"`
	ObservedDigest string                `json:"observedDigest,omitempty"`
	StartTimestamp *metav1.Time          `json:"startTimestamp,omitempty"`
	Phase          string                `json:"phase,omitempty"`
	Itinerary      string                `json:"itinerary,omitempty"`
	Errors         []string              `json:"errors,omitempty"`
	NewISs         []ImageStreamListItem `json:"newISs,omitempty"`
	SuccessfulISs  []ImageStreamListItem `json:"successfulISs,omitempty"`
	DeletedISs     []ImageStreamListItem `json:"deletedISs,omitempty"`
	FailedISs      []ImageStreamListItem `json:"failedISs,omitempty"`
}

// ImageStreamListItem is one image stream handled by a DIM; the embedded
// reference names the source image stream.
type ImageStreamListItem struct {
	corev1.ObjectReference `json:",inline"`

	DestNamespace   string                  `json:"destNamespace,omitempty"`
	NotFound        bool                    `json:"notFound,omitempty"`
	DirectMigration *corev1.ObjectReference `json:"directMigration,omitempty"`
	Errors          []string                `json:"errors,omitempty"`
}

// DirectImageMigration copies image streams directly between registries.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=directimagemigrations,scope=Namespaced,shortName=dim
type DirectImageMigration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DirectImageMigrationSpec   `json:"spec,omitempty"`
	Status DirectImageMigrationStatus `json:"status,omitempty"`
}

// DirectImageMigrationList is a list of DirectImageMigrations.
//
// +kubebuilder:object:root=true
type DirectImageMigrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DirectImageMigration `json:"items"`
}

// DirectImageStreamMigrationSpec names one image stream to copy.
type DirectImageStreamMigrationSpec struct {
	SrcMigClusterRef  *corev1.ObjectReference `json:"srcMigClusterRef,omitempty"`
	DestMigClusterRef *corev1.ObjectReference `json:"destMigClusterRef,omitempty"`
	ImageStreamRef    *corev1.ObjectReference `json:"imageStreamRef,omitempty"`
	DestNamespace     string                  `json:"destNamespace,omitempty"`
}

// DirectImageStreamMigrationStatus is written by the controller.
type DirectImageStreamMigrationStatus struct {
	Conditions     Conditions   `json:"conditions,omitempty"`
	ObservedDigest string       `json:"observedDigest,omitempty"`
	StartTimestamp *metav1.Time `json:"startTimestamp,omitempty"`
	Phase          string       `json:"phase,omitempty"`
	Itinerary      string       `json:"itinerary,omitempty"`
	Errors         []string     `json:"errors,omitempty"`
}

// DirectImageStreamMigration copies one image stream directly.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=directimagestreammigrations,scope=Namespaced,shortName=dism
type DirectImageStreamMigration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DirectImageStreamMigrationSpec   `json:"spec,omitempty"`
	Status DirectImageStreamMigrationStatus `json:"status,omitempty"`
}

// DirectImageStreamMigrationList is a list of DirectImageStreamMigrations.
//
// +kubebuilder:object:root=true
type DirectImageStreamMigrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DirectImageStreamMigration `json:"items"`
}
