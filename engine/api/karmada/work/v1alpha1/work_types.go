package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Work condition types.
const (
	WorkApplied     = "Applied"
	WorkProgressing = "Progressing"
	WorkAvailable   = "Available"
	WorkDegraded    = "Degraded"
	WorkDispatching = "Dispatching"
)

// Reasons of the Applied condition set by the execution controller.
const (
	WorkAppliedSuccessful = "AppliedSuccessful"
	WorkAppliedFailed     = "AppliedFailed"
)

// Work holds the manifests to apply to one member cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=works,scope=Namespaced,shortName=wk,categories={karmada-io}
// +kubebuilder:printcolumn:JSONPath=`.spec.workload.manifests[*].kind`,name="WORKLOAD-KIND",type=string
// +kubebuilder:printcolumn:JSONPath=`.status.conditions[?(@.type=="Applied")].status`,name="APPLIED",type=string
// +kubebuilder:printcolumn:JSONPath=`.metadata.creationTimestamp`,name="AGE",type=date
type Work struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec WorkSpec `json:"spec"`
	// +optional
	Status WorkStatus `json:"status,omitempty"`
}

// WorkSpec is the workload plus the dispatch flags.
type WorkSpec struct {
	// +optional
	Workload WorkloadTemplate `json:"workload,omitempty"`
	// SuspendDispatching stops the execution controller from applying it.
	// +optional
	SuspendDispatching *bool `json:"suspendDispatching,omitempty"`
	// PreserveResourcesOnDeletion keeps the member objects when the Work is
	// deleted; only claim metadata is removed from them.
	// +optional
	PreserveResourcesOnDeletion *bool `json:"preserveResourcesOnDeletion,omitempty"`
}

// WorkloadTemplate lists the manifests.
type WorkloadTemplate struct {
	// +optional
	Manifests []Manifest `json:"manifests,omitempty"`
}

// Manifest is one raw Kubernetes object.
type Manifest struct {
	// +kubebuilder:pruning:PreserveUnknownFields
	runtime.RawExtension `json:",inline"`
}

// WorkStatus is written by the execution and status controllers.
type WorkStatus struct {
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	ManifestStatuses []ManifestStatus `json:"manifestStatuses,omitempty"`
}

// ManifestStatus is the status of one applied manifest.
type ManifestStatus struct {
	// +required
	Identifier ResourceIdentifier `json:"identifier"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +optional
	Status *runtime.RawExtension `json:"status,omitempty"`
	// +kubebuilder:validation:Enum=Healthy;Unhealthy;Unknown
	// +optional
	Health ResourceHealth `json:"health,omitempty"`
}

// ResourceIdentifier identifies a manifest by position and coordinates.
type ResourceIdentifier struct {
	// Ordinal is the index in spec.workload.manifests.
	// +required
	Ordinal int `json:"ordinal"`
	// +optional
	Group string `json:"group,omitempty"`
	// +required
	Version string `json:"version"`
	// +required
	Kind string `json:"kind"`
	// +required
	Resource string `json:"resource"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +required
	Name string `json:"name"`
}

// ResourceHealth is Healthy, Unhealthy or Unknown.
type ResourceHealth string

// Resource health values.
const (
	ResourceHealthy   ResourceHealth = "Healthy"
	ResourceUnhealthy ResourceHealth = "Unhealthy"
	ResourceUnknown   ResourceHealth = "Unknown"
)

// WorkList is a list of Works.
//
// +kubebuilder:object:root=true
type WorkList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Work `json:"items"`
}
