package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ClusterSyncMode is Push or Pull.
type ClusterSyncMode string

// Sync modes: in Pull mode an agent in the member cluster applies Works, so
// the Karmada control plane may not reach the member API directly.
const (
	Push ClusterSyncMode = "Push"
	Pull ClusterSyncMode = "Pull"
)

// Cluster condition types.
const (
	ClusterConditionReady                  = "Ready"
	ClusterConditionCompleteAPIEnablements = "CompleteAPIEnablements"
)

// Cluster is a member cluster registered with Karmada. Only the fields
// kubectl-mig uses are modelled; others are dropped on decode.
//
// +kubebuilder:object:root=true
type Cluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ClusterSpec `json:"spec"`
	// +optional
	Status ClusterStatus `json:"status,omitempty"`
}

// ClusterSpec is how Karmada reaches the member cluster.
type ClusterSpec struct {
	// +optional
	ID string `json:"id,omitempty"`
	// SyncMode is Push or Pull.
	SyncMode ClusterSyncMode `json:"syncMode"`
	// +optional
	APIEndpoint string `json:"apiEndpoint,omitempty"`
	// +optional
	SecretRef *LocalSecretReference `json:"secretRef,omitempty"`
	// +optional
	ImpersonatorSecretRef *LocalSecretReference `json:"impersonatorSecretRef,omitempty"`
	// +optional
	InsecureSkipTLSVerification bool `json:"insecureSkipTLSVerification,omitempty"`
	// +optional
	ProxyURL string `json:"proxyURL,omitempty"`
	// +optional
	Provider string `json:"provider,omitempty"`
	// +optional
	Region string `json:"region,omitempty"`
	// +optional
	Zone string `json:"zone,omitempty"`
	// +optional
	Zones []string `json:"zones,omitempty"`
	// +optional
	Taints []corev1.Taint `json:"taints,omitempty"`
}

// LocalSecretReference names a secret in the Karmada control plane.
type LocalSecretReference struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// ClusterStatus is written by the cluster status controller.
type ClusterStatus struct {
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// +optional
	APIEnablements []APIEnablement `json:"apiEnablements,omitempty"`
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// +optional
	NodeSummary *NodeSummary `json:"nodeSummary,omitempty"`
}

// APIEnablement lists the resources served for a group/version.
type APIEnablement struct {
	GroupVersion string `json:"groupVersion"`
	// +optional
	Resources []APIResource `json:"resources,omitempty"`
}

// APIResource is one served resource.
type APIResource struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// NodeSummary counts nodes.
type NodeSummary struct {
	// +optional
	TotalNum int32 `json:"totalNum,omitempty"`
	// +optional
	ReadyNum int32 `json:"readyNum,omitempty"`
}

// IsReady reports whether the Ready condition is True.
func (c *Cluster) IsReady() bool {
	return meta.IsStatusConditionTrue(c.Status.Conditions, ClusterConditionReady)
}

// ServesKind reports whether the cluster's API enablements list kind in
// groupVersion (e.g. "apps/v1", "Deployment").
func (c *Cluster) ServesKind(groupVersion, kind string) bool {
	for _, e := range c.Status.APIEnablements {
		if e.GroupVersion != groupVersion {
			continue
		}
		for _, r := range e.Resources {
			if r.Kind == kind {
				return true
			}
		}
	}
	return false
}

// ClusterList is a list of Clusters.
//
// +kubebuilder:object:root=true
type ClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Cluster `json:"items"`
}
