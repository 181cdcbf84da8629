package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hook target clusters accepted in MigHook spec.targetCluster.
const (
	HookTargetSource      = "source"
	HookTargetDestination = "destination"
)

// MigHookSpec describes a hook Job run at a migration phase.
type MigHookSpec struct {
	// Custom is true for a custom image, false for an Ansible playbook.
	Custom bool   `json:"custom"`
	Image  string `json:"image"`
	// Playbook is a base64 Ansible playbook (when Custom is false).
	Playbook string `json:"playbook,omitempty"`
	// TargetCluster is "source" or "destination".
	TargetCluster         string `json:"targetCluster"`
	ActiveDeadlineSeconds int64  `json:"activeDeadlineSeconds,omitempty"`
}

// MigHookStatus is written by the controller.
type MigHookStatus struct {
	Conditions         Conditions `json:"conditions,omitempty"`
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
}

// MigHook is custom code run at a migration phase.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=mighooks,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Image",type=string,JSONPath=".spec.image"
// +kubebuilder:printcolumn:name="TargetCluster",type=string,JSONPath=".spec.targetCluster"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigHook struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigHookSpec   `json:"spec,omitempty"`
	Status MigHookStatus `json:"status,omitempty"`
}

// MigHookList is a list of MigHooks.
//
// +kubebuilder:object:root=true
type MigHookList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigHook `json:"items"`
}
