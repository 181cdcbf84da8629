package v1alpha1

import (
	"encoding/json"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MigrationController is the operator's configuration CR (usually
// "migration-controller" in openshift-migration). Its spec is a bag of
// Ansible variables (restic_timeout, mig_pv_limit, ...) with no schema, so it
// is kept as raw JSON; use Values to read it. Unlike the MTC kinds it has a
// status subresource.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=migrationcontrollers,scope=Namespaced
// +kubebuilder:subresource:status
type MigrationController struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec holds the operator variables.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Spec *apiextensionsv1.JSON `json:"spec,omitempty"`
	// Status is written by the operator.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Status *apiextensionsv1.JSON `json:"status,omitempty"`
}

// Values decodes the spec into a map. A missing spec yields an empty map.
func (m *MigrationController) Values() (map[string]any, error) {
	out := map[string]any{}
	if m.Spec == nil || len(m.Spec.Raw) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(m.Spec.Raw, &out); err != nil {
		return nil, fmt.Errorf("decode spec of MigrationController %s/%s: %w", m.Namespace, m.Name, err)
	}
	return out, nil
}

// SetValues replaces the spec with the JSON encoding of values.
func (m *MigrationController) SetValues(values map[string]any) error {
	raw, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("encode spec of MigrationController %s/%s: %w", m.Namespace, m.Name, err)
	}
	m.Spec = &apiextensionsv1.JSON{Raw: raw}
	return nil
}

// MigrationControllerList is a list of MigrationControllers.
//
// +kubebuilder:object:root=true
type MigrationControllerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigrationController `json:"items"`
}
