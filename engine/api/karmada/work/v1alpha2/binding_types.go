package v1alpha2

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
)

// Binding condition types.
const (
	ConditionScheduled    = "Scheduled"
	ConditionFullyApplied = "FullyApplied"
)

// Binding condition reasons.
const (
	ReasonSuccess             = "Success"
	ReasonSchedulerError      = "SchedulerError"
	ReasonNoClusterFit        = "NoClusterFit"
	ReasonUnschedulable       = "Unschedulable"
	ReasonQuotaExceeded       = "QuotaExceeded"
	ReasonFullyAppliedSuccess = "FullyAppliedSuccess"
	ReasonFullyAppliedFailed  = "FullyAppliedFailed"
)

// ResourceBinding binds a namespaced template to clusters. Its name is
// "<lower(name)>-<lower(kind)>" in the template's namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=resourcebindings,scope=Namespaced,shortName=rb,categories={karmada-io}
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:JSONPath=`.status.conditions[?(@.type=="Scheduled")].status`,name="SCHEDULED",type=string
// +kubebuilder:printcolumn:JSONPath=`.status.conditions[?(@.type=="FullyApplied")].status`,name="FULLYAPPLIED",type=string
// +kubebuilder:printcolumn:JSONPath=`.metadata.creationTimestamp`,name="AGE",type=date
type ResourceBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ResourceBindingSpec `json:"spec"`
	// +optional
	Status ResourceBindingStatus `json:"status,omitempty"`
}

// ResourceBindingList is a list of ResourceBindings.
//
// +kubebuilder:object:root=true
type ResourceBindingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ResourceBinding `json:"items"`
}

// ClusterResourceBinding binds a cluster-scoped template to clusters.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=clusterresourcebindings,scope=Cluster,shortName=crb,categories={karmada-io}
// +kubebuilder:storageversion
// +kubebuilder:printcolumn:JSONPath=`.status.conditions[?(@.type=="Scheduled")].status`,name="SCHEDULED",type=string
// +kubebuilder:printcolumn:JSONPath=`.status.conditions[?(@.type=="FullyApplied")].status`,name="FULLYAPPLIED",type=string
// +kubebuilder:printcolumn:JSONPath=`.metadata.creationTimestamp`,name="AGE",type=date
type ClusterResourceBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ResourceBindingSpec `json:"spec"`
	// +optional
	Status ResourceBindingStatus `json:"status,omitempty"`
}

// ClusterResourceBindingList is a list of ClusterResourceBindings.
//
// +kubebuilder:object:root=true
type ClusterResourceBindingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterResourceBinding `json:"items"`
}

// ResourceBindingSpec is the binding's template reference, placement and
// scheduling result.
type ResourceBindingSpec struct {
	// Resource is the bound template.
	Resource ObjectReference `json:"resource"`
	// +optional
	PropagateDeps bool `json:"propagateDeps,omitempty"`
	// +optional
	ReplicaRequirements *ReplicaRequirements `json:"replicaRequirements,omitempty"`
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
	// +optional
	Components []Component `json:"components,omitempty"`
	// Clusters is the scheduling result.
	// +optional
	Clusters []TargetCluster `json:"clusters,omitempty"`
	// +optional
	Placement *policyv1alpha1.Placement `json:"placement,omitempty"`
	// +optional
	GracefulEvictionTasks []GracefulEvictionTask `json:"gracefulEvictionTasks,omitempty"`
	// RequiredBy lists the bindings that depend on this attached binding.
	// +optional
	RequiredBy []BindingSnapshot `json:"requiredBy,omitempty"`
	// +optional
	SchedulerName string `json:"schedulerName,omitempty"`
	// +optional
	Failover *policyv1alpha1.FailoverBehavior `json:"failover,omitempty"`
	// +optional
	// +kubebuilder:default="Abort"
	// +kubebuilder:validation:Enum=Abort;Overwrite
	ConflictResolution policyv1alpha1.ConflictResolution `json:"conflictResolution,omitempty"`
	// +optional
	RescheduleTriggeredAt *metav1.Time `json:"rescheduleTriggeredAt,omitempty"`
	// +optional
	Suspension *Suspension `json:"suspension,omitempty"`
	// +optional
	PreserveResourcesOnDeletion *bool `json:"preserveResourcesOnDeletion,omitempty"`
	// +optional
	SchedulePriority *SchedulePriority `json:"schedulePriority,omitempty"`
	// +optional
	WorkloadAffinityGroups *WorkloadAffinityGroups `json:"workloadAffinityGroups,omitempty"`
}

// ObjectReference identifies the bound template.
type ObjectReference struct {
	// +required
	APIVersion string `json:"apiVersion"`
	// +required
	Kind string `json:"kind"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	UID types.UID `json:"uid,omitempty"`
	// +optional
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// ReplicaRequirements are the per-replica scheduling needs.
type ReplicaRequirements struct {
	// +optional
	NodeClaim *NodeClaim `json:"nodeClaim,omitempty"`
	// +optional
	ResourceRequest corev1.ResourceList `json:"resourceRequest,omitempty"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// Component is one pod template of a multi-template workload.
type Component struct {
	// +required
	// +kubebuilder:validation:MaxLength=32
	Name string `json:"name"`
	// +required
	Replicas int32 `json:"replicas"`
	// +optional
	ReplicaRequirements *ComponentReplicaRequirements `json:"replicaRequirements,omitempty"`
}

// ComponentReplicaRequirements are the per-replica needs of a component.
type ComponentReplicaRequirements struct {
	// +optional
	NodeClaim *NodeClaim `json:"nodeClaim,omitempty"`
	// +optional
	ResourceRequest corev1.ResourceList `json:"resourceRequest,omitempty"`
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// NodeClaim are the node constraints of a replica.
type NodeClaim struct {
	// +optional
	HardNodeAffinity *corev1.NodeSelector `json:"hardNodeAffinity,omitempty"`
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
}

// TargetCluster is one scheduled cluster and its replicas.
type TargetCluster struct {
	Name string `json:"name"`
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
}

// GracefulEvictionTask tracks an eviction from a cluster.
type GracefulEvictionTask struct {
	// +required
	FromCluster string `json:"fromCluster"`
	// +optional
	// +kubebuilder:validation:Enum=Immediately;Directly;Graciously;Gracefully;Never
	PurgeMode policyv1alpha1.PurgeMode `json:"purgeMode,omitempty"`
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// +required
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	Reason string `json:"reason"`
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message,omitempty"`
	// +required
	Producer string `json:"producer"`
	// +optional
	GracePeriodSeconds *int32 `json:"gracePeriodSeconds,omitempty"`
	// +optional
	SuppressDeletion *bool `json:"suppressDeletion,omitempty"`
	// +optional
	PreservedLabelState map[string]string `json:"preservedLabelState,omitempty"`
	// +optional
	CreationTimestamp *metav1.Time `json:"creationTimestamp,omitempty"`
	// +optional
	ClustersBeforeFailover []string `json:"clustersBeforeFailover,omitempty"`
}

// BindingSnapshot references a binding that requires this one.
type BindingSnapshot struct {
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// +required
	Name string `json:"name"`
	// +optional
	Clusters []TargetCluster `json:"clusters,omitempty"`
}

// Suspension extends the policy suspension with scheduling.
type Suspension struct {
	policyv1alpha1.Suspension `json:",inline"`
	// +optional
	Scheduling *bool `json:"scheduling,omitempty"`
}

// SchedulePriority is the resolved scheduling priority.
type SchedulePriority struct {
	// +optional
	// +kubebuilder:default=0
	Priority int32 `json:"priority,omitempty"`
}

// WorkloadAffinityGroups are the instantiated affinity group names.
type WorkloadAffinityGroups struct {
	// +optional
	AffinityGroup string `json:"affinityGroup,omitempty"`
	// +optional
	AntiAffinityGroup string `json:"antiAffinityGroup,omitempty"`
}

// ResourceBindingStatus is written by the scheduler and binding controllers.
type ResourceBindingStatus struct {
	// SchedulerObservedGeneration equals metadata.generation once the
	// scheduler has seen the newest spec.
	// +optional
	SchedulerObservedGeneration int64 `json:"schedulerObservedGeneration,omitempty"`
	// +optional
	SchedulerObservedAffinityName string `json:"schedulerObservingAffinityName,omitempty"`
	// +optional
	LastScheduledTime *metav1.Time `json:"lastScheduledTime,omitempty"`
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// AggregatedStatus has one entry per target cluster.
	// +optional
	AggregatedStatus []AggregatedStatusItem `json:"aggregatedStatus,omitempty"`
}

// AggregatedStatusItem is the applied state of the template in one cluster.
type AggregatedStatusItem struct {
	// +required
	ClusterName string `json:"clusterName"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +optional
	Status *runtime.RawExtension `json:"status,omitempty"`
	// +optional
	Applied bool `json:"applied,omitempty"`
	// AppliedMessage explains a failed apply (e.g. the conflict-resolution
	// "already exists" error).
	// +optional
	AppliedMessage string `json:"appliedMessage,omitempty"`
	// +kubebuilder:validation:Enum=Healthy;Unhealthy;Unknown
	// +optional
	Health ResourceHealth `json:"health,omitempty"`
}

// ResourceHealth is Healthy, Unhealthy or Unknown.
type ResourceHealth string

// Resource health values.
const (
	ResourceHealthy   ResourceHealth = "Healthy"
	ResourceUnhealthy ResourceHealth = "Unhealthy"
	ResourceUnknown   ResourceHealth = "Unknown"
)
