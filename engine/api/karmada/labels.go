// Package karmada holds the label and annotation keys Karmada writes on
// resource templates, bindings, Works and member-cluster objects. They live
// in Karmada's controller module (not its API types), so they are kept here.
// The typed Karmada APIs are in the policy, work and cluster sub-packages.
package karmada

// ManagedLabel ("true") marks a member-cluster object Karmada manages.
// karmadactl's ADOPTION column is "Y" exactly when it is set; rollback with
// preserveResourcesOnDeletion removes it.
const (
	ManagedLabel      = "karmada.io/managed"
	ManagedLabelValue = "true"
)

// Claim metadata written by the detector on resource templates and bindings
// (and carried to member objects) when a policy claims a template. Before
// Karmada v1.11 the name/namespace keys were labels; now they are annotations.
const (
	PropagationPolicyPermanentIDLabel        = "propagationpolicy.karmada.io/permanent-id"
	PropagationPolicyNameAnnotation          = "propagationpolicy.karmada.io/name"
	PropagationPolicyNamespaceAnnotation     = "propagationpolicy.karmada.io/namespace"
	ClusterPropagationPolicyPermanentIDLabel = "clusterpropagationpolicy.karmada.io/permanent-id"
	ClusterPropagationPolicyNameAnnotation   = "clusterpropagationpolicy.karmada.io/name"
)

// Permanent-id labels set by the karmada-webhook on create. A plain test API
// server runs no webhook, so fixtures must set them.
const (
	ResourceBindingPermanentIDLabel        = "resourcebinding.karmada.io/permanent-id"
	ClusterResourceBindingPermanentIDLabel = "clusterresourcebinding.karmada.io/permanent-id"
	WorkPermanentIDLabel                   = "work.karmada.io/permanent-id"
)

// Annotations linking member objects and Works back to their binding and
// template.
const (
	WorkNameAnnotation                   = "work.karmada.io/name"
	WorkNamespaceAnnotation              = "work.karmada.io/namespace"
	ResourceBindingNameAnnotation        = "resourcebinding.karmada.io/name"
	ResourceBindingNamespaceAnnotation   = "resourcebinding.karmada.io/namespace"
	ClusterResourceBindingNameAnnotation = "clusterresourcebinding.karmada.io/name"
	ResourceTemplateUIDAnnotation        = "resourcetemplate.karmada.io/uid"
	ResourceTemplateGenerationAnnotation = "resourcetemplate.karmada.io/generation"
	ManagedLabelsAnnotation              = "resourcetemplate.karmada.io/managed-labels"
	ManagedAnnotationsAnnotation         = "resourcetemplate.karmada.io/managed-annotations"
	AppliedOverridesAnnotation           = "policy.karmada.io/applied-overrides"
	AppliedClusterOverridesAnnotation    = "policy.karmada.io/applied-cluster-overrides"
)

// Other template and binding labels that are not workload markers.
const (
	// ResourceTemplateClaimedByLabel names what propagates a template.
	ResourceTemplateClaimedByLabel = "resourcetemplate.karmada.io/claimed-by"
	// ResourceTemplateRetainReplicasLabel lets a member HPA own replicas.
	ResourceTemplateRetainReplicasLabel = "resourcetemplate.karmada.io/retain-replicas"
	// BindingManagedByLabel is used by MultiClusterService.
	BindingManagedByLabel = "binding.karmada.io/managed-by"
)

// ConflictResolutionAnnotation on a resource template overrides the policy's
// conflictResolution; values are lower-case. It stays on member objects after
// rollback.
const (
	ConflictResolutionAnnotation = "work.karmada.io/conflict-resolution"
	ConflictResolutionOverwrite  = "overwrite"
	ConflictResolutionAbort      = "abort"
)

// DeletionProtectionLabel with value DeletionProtectionAlways makes a
// validating webhook refuse to delete the template.
const (
	DeletionProtectionLabel  = "resourcetemplate.karmada.io/deletion-protected"
	DeletionProtectionAlways = "Always"
)

// NamespaceSkipAutoPropagationLabel ("true") on a Namespace in Karmada stops
// the namespace-sync controller from pushing it to every member cluster.
const NamespaceSkipAutoPropagationLabel = "namespace.karmada.io/skip-auto-propagation"

// Finalizers Karmada adds.
const (
	PropagationPolicyFinalizer        = "karmada.io/propagation-policy-controller"
	ClusterPropagationPolicyFinalizer = "karmada.io/cluster-propagation-policy-controller"
	BindingControllerFinalizer        = "karmada.io/binding-controller"
	ExecutionControllerFinalizer      = "karmada.io/execution-controller"
)

// ManagedResourceLabels are removed from a member object when its Work is
// deleted with preserveResourcesOnDeletion (rollback); the policy claim
// label is removed too.
func ManagedResourceLabels() []string {
	return []string{ResourceBindingPermanentIDLabel, WorkPermanentIDLabel, ManagedLabel}
}

// ManagedResourceAnnotations are removed from a member object on rollback
// together with ManagedResourceLabels.
func ManagedResourceAnnotations() []string {
	return []string{
		ManagedAnnotationsAnnotation,
		ManagedLabelsAnnotation,
		ResourceBindingNamespaceAnnotation,
		ResourceBindingNameAnnotation,
		ResourceTemplateUIDAnnotation,
		ResourceTemplateGenerationAnnotation,
		WorkNameAnnotation,
		WorkNamespaceAnnotation,
	}
}

// ReservedNamespacePrefix and the reserved namespaces cannot be selected by
// a ClusterPropagationPolicy.
const (
	ReservedNamespaceSystem  = "karmada-system"
	ReservedNamespaceCluster = "karmada-cluster"
	ReservedNamespacePrefix  = "karmada-es-"
)
