package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PropagationPolicy propagates resource templates in its own namespace to
// member clusters.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=propagationpolicies,scope=Namespaced,shortName=pp,categories={karmada-io}
// +kubebuilder:printcolumn:JSONPath=`.spec.conflictResolution`,name="CONFLICT-RESOLUTION",type=string
// +kubebuilder:printcolumn:JSONPath=`.spec.priority`,name="PRIORITY",type=string
// +kubebuilder:printcolumn:JSONPath=`.metadata.creationTimestamp`,name="AGE",type=date
type PropagationPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec PropagationSpec `json:"spec"`
}

// PropagationPolicyList is a list of PropagationPolicies.
//
// +kubebuilder:object:root=true
type PropagationPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PropagationPolicy `json:"items"`
}

// ClusterPropagationPolicy propagates cluster-scoped templates and templates in
// any non-reserved namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=clusterpropagationpolicies,scope=Cluster,shortName=cpp,categories={karmada-io}
// +kubebuilder:printcolumn:JSONPath=`.spec.conflictResolution`,name="CONFLICT-RESOLUTION",type=string
// +kubebuilder:printcolumn:JSONPath=`.spec.priority`,name="PRIORITY",type=string
// +kubebuilder:printcolumn:JSONPath=`.metadata.creationTimestamp`,name="AGE",type=date
type ClusterPropagationPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec PropagationSpec `json:"spec"`
}

// ClusterPropagationPolicyList is a list of ClusterPropagationPolicies.
//
// +kubebuilder:object:root=true
type ClusterPropagationPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterPropagationPolicy `json:"items"`
}

// PropagationSpec is shared by PropagationPolicy and ClusterPropagationPolicy.
type PropagationSpec struct {
	// ResourceSelectors choose the templates; an empty list selects nothing.
	// +required
	// +kubebuilder:validation:MinItems=1
	ResourceSelectors []ResourceSelector `json:"resourceSelectors"`
	// Association is deprecated in favour of PropagateDeps.
	// +optional
	Association bool `json:"association,omitempty"`
	// PropagateDeps also propagates referenced ConfigMaps, Secrets, PVCs, ...
	// +optional
	PropagateDeps bool `json:"propagateDeps,omitempty"`
	// Placement selects the member clusters.
	// +optional
	Placement Placement `json:"placement,omitempty"`
	// Priority: higher wins when several policies match a template.
	// +optional
	// +kubebuilder:default=0
	Priority *int32 `json:"priority,omitempty"`
	// Preemption lets this policy take templates claimed by a lower-priority
	// policy (needs feature gate PolicyPreemption).
	// +optional
	// +kubebuilder:default="Never"
	// +kubebuilder:validation:Enum=Always;Never
	Preemption PreemptionBehavior `json:"preemption,omitempty"`
	// DependentOverrides are OverridePolicies the policy waits for.
	// +optional
	DependentOverrides []string `json:"dependentOverrides,omitempty"`
	// SchedulerName is the scheduler that places the templates.
	// +optional
	// +kubebuilder:default="default-scheduler"
	SchedulerName string `json:"schedulerName,omitempty"`
	// Failover configures application and cluster failover.
	// +optional
	Failover *FailoverBehavior `json:"failover,omitempty"`
	// ConflictResolution decides what happens when the object already exists
	// in a member cluster; migrations need Overwrite.
	// +optional
	// +kubebuilder:default="Abort"
	// +kubebuilder:validation:Enum=Abort;Overwrite
	ConflictResolution ConflictResolution `json:"conflictResolution,omitempty"`
	// ActivationPreference Lazy applies policy changes only when the template
	// itself changes.
	// +optional
	// +kubebuilder:validation:Enum=Lazy
	ActivationPreference ActivationPreference `json:"activationPreference,omitempty"`
	// Suspension pauses dispatching to all or some clusters.
	// +optional
	Suspension *Suspension `json:"suspension,omitempty"`
	// PreserveResourcesOnDeletion keeps member objects when the template is
	// deleted (safe rollback). It does not apply to deleting the policy.
	// +optional
	PreserveResourcesOnDeletion *bool `json:"preserveResourcesOnDeletion,omitempty"`
	// SchedulePriority sets the scheduling priority of the bindings.
	// +optional
	SchedulePriority *SchedulePriority `json:"schedulePriority,omitempty"`
}

// ResourceSelector selects templates by apiVersion/kind and optionally
// namespace, name or labels (labels are ignored when name is set).
type ResourceSelector struct {
	// +required
	APIVersion string `json:"apiVersion"`
	// +required
	Kind string `json:"kind"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	LabelSelector *metav1.LabelSelector `json:"labelSelector,omitempty"`
}

// Placement selects clusters and how replicas are spread over them.
type Placement struct {
	// ClusterAffinity cannot be combined with ClusterAffinities.
	// +optional
	ClusterAffinity *ClusterAffinity `json:"clusterAffinity,omitempty"`
	// +optional
	ClusterAffinities []ClusterAffinityTerm `json:"clusterAffinities,omitempty"`
	// +optional
	ClusterTolerations []corev1.Toleration `json:"clusterTolerations,omitempty"`
	// +optional
	SpreadConstraints []SpreadConstraint `json:"spreadConstraints,omitempty"`
	// +optional
	ReplicaScheduling *ReplicaSchedulingStrategy `json:"replicaScheduling,omitempty"`
	// +optional
	WorkloadAffinity *WorkloadAffinity `json:"workloadAffinity,omitempty"`
}

// ClusterAffinity selects clusters by labels, fields or names.
type ClusterAffinity struct {
	// +optional
	LabelSelector *metav1.LabelSelector `json:"labelSelector,omitempty"`
	// +optional
	FieldSelector *FieldSelector `json:"fieldSelector,omitempty"`
	// +optional
	ClusterNames []string `json:"clusterNames,omitempty"`
	// +optional
	ExcludeClusters []string `json:"exclude,omitempty"`
}

// FieldSelector matches cluster fields (provider, region, zone).
type FieldSelector struct {
	// +optional
	MatchExpressions []corev1.NodeSelectorRequirement `json:"matchExpressions,omitempty"`
}

// ClusterAffinityTerm is a named ClusterAffinity, tried in order.
type ClusterAffinityTerm struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	AffinityName string `json:"affinityName"`

	ClusterAffinity `json:",inline"`
}

// SpreadFieldValue is a cluster field to spread over.
type SpreadFieldValue string

// Spread fields.
const (
	SpreadByFieldCluster  SpreadFieldValue = "cluster"
	SpreadByFieldRegion   SpreadFieldValue = "region"
	SpreadByFieldZone     SpreadFieldValue = "zone"
	SpreadByFieldProvider SpreadFieldValue = "provider"
)

// SpreadConstraint limits how many groups of clusters are chosen.
type SpreadConstraint struct {
	// +optional
	// +kubebuilder:validation:Enum=cluster;region;zone;provider
	SpreadByField SpreadFieldValue `json:"spreadByField,omitempty"`
	// +optional
	SpreadByLabel string `json:"spreadByLabel,omitempty"`
	// +optional
	MaxGroups int `json:"maxGroups,omitempty"`
	// +optional
	MinGroups int `json:"minGroups,omitempty"`
}

// ReplicaSchedulingType is Duplicated or Divided.
type ReplicaSchedulingType string

// Replica scheduling types.
const (
	ReplicaSchedulingTypeDuplicated ReplicaSchedulingType = "Duplicated"
	ReplicaSchedulingTypeDivided    ReplicaSchedulingType = "Divided"
)

// ReplicaDivisionPreference is Aggregated or Weighted.
type ReplicaDivisionPreference string

// Replica division preferences.
const (
	ReplicaDivisionPreferenceAggregated ReplicaDivisionPreference = "Aggregated"
	ReplicaDivisionPreferenceWeighted   ReplicaDivisionPreference = "Weighted"
)

// ReplicaSchedulingStrategy decides how replicas are assigned to clusters.
type ReplicaSchedulingStrategy struct {
	// +optional
	// +kubebuilder:validation:Enum=Duplicated;Divided
	// +kubebuilder:default=Divided
	ReplicaSchedulingType ReplicaSchedulingType `json:"replicaSchedulingType,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=Aggregated;Weighted
	ReplicaDivisionPreference ReplicaDivisionPreference `json:"replicaDivisionPreference,omitempty"`
	// +optional
	WeightPreference *ClusterPreferences `json:"weightPreference,omitempty"`
}

// ClusterPreferences weighs clusters statically or dynamically.
type ClusterPreferences struct {
	// +optional
	StaticWeightList []StaticClusterWeight `json:"staticWeightList,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=AvailableReplicas
	DynamicWeight DynamicWeightFactor `json:"dynamicWeight,omitempty"`
}

// StaticClusterWeight gives the clusters matched by TargetCluster a weight.
type StaticClusterWeight struct {
	// +required
	TargetCluster ClusterAffinity `json:"targetCluster"`
	// +required
	// +kubebuilder:validation:Minimum=1
	Weight int64 `json:"weight"`
}

// DynamicWeightFactor is the source of dynamic weights.
type DynamicWeightFactor string

// DynamicWeightByAvailableReplicas weighs clusters by available replicas.
const DynamicWeightByAvailableReplicas DynamicWeightFactor = "AvailableReplicas"

// WorkloadAffinity groups or separates workloads by a label key.
type WorkloadAffinity struct {
	// +optional
	Affinity *WorkloadAffinityTerm `json:"affinity,omitempty"`
	// +optional
	AntiAffinity *WorkloadAffinityTerm `json:"antiAffinity,omitempty"`
}

// WorkloadAffinityTerm names the label key that forms groups.
type WorkloadAffinityTerm struct {
	// +required
	GroupByLabelKey string `json:"groupByLabelKey"`
}

// PreemptionBehavior is Always or Never.
type PreemptionBehavior string

// Preemption behaviours.
const (
	PreemptAlways PreemptionBehavior = "Always"
	PreemptNever  PreemptionBehavior = "Never"
)

// ConflictResolution is Abort or Overwrite.
type ConflictResolution string

// Conflict resolutions.
const (
	ConflictOverwrite ConflictResolution = "Overwrite"
	ConflictAbort     ConflictResolution = "Abort"
)

// ActivationPreference is "" or Lazy.
type ActivationPreference string

// LazyActivation applies policy changes only on template changes.
const LazyActivation ActivationPreference = "Lazy"

// Suspension pauses dispatching of the propagated objects.
type Suspension struct {
	// Dispatching suspends dispatching to all clusters.
	// +optional
	Dispatching *bool `json:"dispatching,omitempty"`
	// DispatchingOnClusters suspends dispatching to the named clusters.
	// +optional
	DispatchingOnClusters *SuspendClusters `json:"dispatchingOnClusters,omitempty"`
}

// SuspendClusters names clusters.
type SuspendClusters struct {
	// +optional
	ClusterNames []string `json:"clusterNames,omitempty"`
}

// SchedulePriority sets the priority class of the bindings.
type SchedulePriority struct {
	// +required
	// +kubebuilder:validation:Enum=KubePriorityClass
	PriorityClassSource PriorityClassSource `json:"priorityClassSource"`
	// +required
	PriorityClassName string `json:"priorityClassName"`
}

// PriorityClassSource is where the priority class comes from.
type PriorityClassSource string

// KubePriorityClass uses a Kubernetes PriorityClass.
const KubePriorityClass PriorityClassSource = "KubePriorityClass"

// PurgeMode says how the old copy is removed on failover.
type PurgeMode string

// Purge modes (Immediately and Graciously are deprecated aliases).
const (
	PurgeModeDirectly    PurgeMode = "Directly"
	PurgeModeGracefully  PurgeMode = "Gracefully"
	PurgeModeNever       PurgeMode = "Never"
	PurgeModeImmediately PurgeMode = "Immediately"
	PurgeModeGraciously  PurgeMode = "Graciously"
)

// FailoverBehavior configures failover. Only the fields needed to decode and
// re-encode existing policies faithfully are modelled in detail.
type FailoverBehavior struct {
	// +optional
	Application *ApplicationFailoverBehavior `json:"application,omitempty"`
	// +optional
	Cluster *ClusterFailoverBehavior `json:"cluster,omitempty"`
}

// ApplicationFailoverBehavior moves an application off an unhealthy cluster.
type ApplicationFailoverBehavior struct {
	// +required
	DecisionConditions DecisionConditions `json:"decisionConditions"`
	// +optional
	// +kubebuilder:validation:Enum=Directly;Gracefully;Never;Immediately;Graciously
	// +kubebuilder:default=Gracefully
	PurgeMode PurgeMode `json:"purgeMode,omitempty"`
	// +optional
	GracePeriodSeconds *int32 `json:"gracePeriodSeconds,omitempty"`
	// +optional
	StatePreservation *StatePreservation `json:"statePreservation,omitempty"`
}

// ClusterFailoverBehavior moves applications off a failed cluster.
type ClusterFailoverBehavior struct {
	// +optional
	// +kubebuilder:validation:Enum=Directly;Gracefully
	// +kubebuilder:default=Gracefully
	PurgeMode PurgeMode `json:"purgeMode,omitempty"`
	// +optional
	StatePreservation *StatePreservation `json:"statePreservation,omitempty"`
}

// DecisionConditions decide when an application is failed over.
type DecisionConditions struct {
	// +optional
	// +kubebuilder:default=300
	TolerationSeconds *int32 `json:"tolerationSeconds,omitempty"`
}

// StatePreservation carries state to the new cluster as labels.
type StatePreservation struct {
	// +required
	Rules []StatePreservationRule `json:"rules"`
}

// StatePreservationRule maps a JSONPath of the status to a label.
type StatePreservationRule struct {
	// +required
	AliasLabelName string `json:"aliasLabelName"`
	// +required
	JSONPath string `json:"jsonPath"`
}
