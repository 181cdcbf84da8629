package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MigClusterSpec describes how the controller reaches a cluster.
type MigClusterSpec struct {
	// IsHostCluster is true for the cluster the controller runs on.
	IsHostCluster bool `json:"isHostCluster"`
	// URL of the API server; required for non-host clusters.
	URL string `json:"url,omitempty"`
	// ServiceAccountSecretRef points to a secret holding the token in key
	// "saToken".
	ServiceAccountSecretRef *corev1.ObjectReference `json:"serviceAccountSecretRef,omitempty"`
	// CABundle verifies the remote API server when Insecure is false.
	CABundle []byte `json:"caBundle,omitempty"`
	// AzureResourceGroup is the resource group of in-cluster volumes (Azure).
	AzureResourceGroup string `json:"azureResourceGroup,omitempty"`
	// Insecure skips TLS verification of the remote API server.
	Insecure bool `json:"insecure,omitempty"`
	// RestartRestic overrides whether restic restarts after stage pods start.
	RestartRestic *bool `json:"restartRestic,omitempty"`
	// Refresh forces a full re-validation.
	Refresh bool `json:"refresh,omitempty"`
	// ExposedRegistryPath is the registry route used by direct image migration.
	ExposedRegistryPath string `json:"exposedRegistryPath,omitempty"`
}

// MigClusterStatus is written by the controller.
type MigClusterStatus struct {
	Conditions      Conditions `json:"conditions,omitempty"`
	ObservedDigest  string     `json:"observedDigest,omitempty"`
	RegistryPath    string     `json:"registryPath,omitempty"`
	OperatorVersion string     `json:"operatorVersion,omitempty"`
}

// MigCluster is a cluster MTC migrates from or to.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=migclusters,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=".spec.url"
// +kubebuilder:printcolumn:name="Host",type=boolean,JSONPath=".spec.isHostCluster"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigClusterSpec   `json:"spec,omitempty"`
	Status MigClusterStatus `json:"status,omitempty"`
}

// MigClusterList is a list of MigClusters.
//
// +kubebuilder:object:root=true
type MigClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigCluster `json:"items"`
}
