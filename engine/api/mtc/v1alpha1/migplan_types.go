package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hook phases accepted in MigPlan spec.hooks[].phase.
const (
	HookPhasePreBackup   = "PreBackup"
	HookPhasePostBackup  = "PostBackup"
	HookPhasePreRestore  = "PreRestore"
	HookPhasePostRestore = "PostRestore"
)

// PV actions (spec.persistentVolumes[].selection.action).
const (
	PVActionMove = "move"
	PVActionCopy = "copy"
	PVActionSkip = "skip"
)

// PV copy methods (spec.persistentVolumes[].selection.copyMethod).
const (
	PVCopyMethodFilesystem = "filesystem"
	PVCopyMethodSnapshot   = "snapshot"
	PVCopyMethodBlock      = "block"
)

// OwnerType is the kind of workload that owns a PVC.
type OwnerType string

// PVC owner types reported by PV discovery.
const (
	OwnerTypeVirtualMachine   OwnerType = "VirtualMachine"
	OwnerTypeDeployment       OwnerType = "Deployment"
	OwnerTypeDeploymentConfig OwnerType = "DeploymentConfig"
	OwnerTypeStatefulSet      OwnerType = "StatefulSet"
	OwnerTypeReplicaSet       OwnerType = "ReplicaSet"
	OwnerTypeDaemonSet        OwnerType = "DaemonSet"
	OwnerTypeJob              OwnerType = "Job"
	OwnerTypeCronJob          OwnerType = "CronJob"
	OwnerTypeUnknown          OwnerType = "Unknown"
)

// MigPlanHook attaches a MigHook to a migration phase.
type MigPlanHook struct {
	Reference *corev1.ObjectReference `json:"reference"`
	// Phase is PreBackup, PostBackup, PreRestore or PostRestore.
	Phase string `json:"phase"`
	// ExecutionNamespace is where the hook Job runs.
	ExecutionNamespace string `json:"executionNamespace"`
	// ServiceAccount the hook Job runs as.
	ServiceAccount string `json:"serviceAccount"`
}

// MigPlanSpec is what to migrate, from where, to where, through which storage.
type MigPlanSpec struct {
	// PersistentVolumes is written by the controller's PV discovery; users
	// edit only each item's selection (via PATCH).
	PersistentVolumes []PV `json:"persistentVolumes,omitempty"`
	// Namespaces are "src" or "src:dest" entries; see ParseNamespaceMapping.
	Namespaces        []string                `json:"namespaces,omitempty"`
	SrcMigClusterRef  *corev1.ObjectReference `json:"srcMigClusterRef,omitempty"`
	DestMigClusterRef *corev1.ObjectReference `json:"destMigClusterRef,omitempty"`
	MigStorageRef     *corev1.ObjectReference `json:"migStorageRef,omitempty"`
	// Closed plans accept no further migrations.
	Closed bool          `json:"closed,omitempty"`
	Hooks  []MigPlanHook `json:"hooks,omitempty"`
	// Refresh forces a full re-validation and PV discovery.
	Refresh bool `json:"refresh,omitempty"`
	// IndirectImageMigration disables direct image migration.
	IndirectImageMigration bool `json:"indirectImageMigration,omitempty"`
	// IndirectVolumeMigration disables direct volume migration (uses
	// restic through stage pods instead).
	IndirectVolumeMigration bool `json:"indirectVolumeMigration,omitempty"`
	// IncludedResources is an optional Velero include list.
	IncludedResources []*metav1.GroupKind `json:"includedResources,omitempty"`
	// LabelSelector optionally restricts the migrated objects.
	LabelSelector *metav1.LabelSelector `json:"labelSelector,omitempty"`
	// LiveMigrate enables KubeVirt live storage migration.
	LiveMigrate *bool `json:"liveMigrate,omitempty"`
}

// PV is one persistent volume discovered in the plan's namespaces.
type PV struct {
	Name              string            `json:"name,omitempty"`
	Capacity          resource.Quantity `json:"capacity,omitempty"`
	StorageClass      string            `json:"storageClass,omitempty"`
	Supported         Supported         `json:"supported"`
	Selection         Selection         `json:"selection"`
	PVC               PVC               `json:"pvc,omitempty"`
	CapacityConfirmed bool              `json:"capacityConfirmed,omitempty"`
	ProposedCapacity  resource.Quantity `json:"proposedCapacity,omitempty"`
}

// PVC describes the claim bound to a discovered PV.
type PVC struct {
	Namespace string `json:"namespace,omitempty"`
	// Name is "src" or "src:dest" (storage conversion / renamed PVCs).
	Name         string                              `json:"name,omitempty"`
	AccessModes  []corev1.PersistentVolumeAccessMode `json:"accessModes,omitempty"`
	VolumeMode   corev1.PersistentVolumeMode         `json:"volumeMode,omitempty"`
	HasReference bool                                `json:"hasReference,omitempty"`
	OwnerType    OwnerType                           `json:"ownerType,omitempty"`
}

// Supported lists what the controller allows for a PV.
type Supported struct {
	Actions     []string `json:"actions"`
	CopyMethods []string `json:"copyMethods"`
}

// Selection is the user's choice for a PV.
type Selection struct {
	// Action is move, copy or skip.
	Action       string                            `json:"action,omitempty"`
	StorageClass string                            `json:"storageClass,omitempty"`
	AccessMode   corev1.PersistentVolumeAccessMode `json:"accessMode,omitempty"`
	// CopyMethod is filesystem, snapshot or block.
	CopyMethod string `json:"copyMethod,omitempty"`
	Verify     bool   `json:"verify,omitempty"`
}

// MigPlanStatus is written by the controller.
type MigPlanStatus struct {
	Conditions Conditions `json:"conditions,omitempty"`
	// Namespaces lists unhealthy source workloads (SourcePodsNotHealthy).
	Namespaces []UnhealthyNamespace `json:"namespaces,omitempty"`
	// IncompatibleNamespaces lists GVKs the destination does not serve.
	IncompatibleNamespaces []IncompatibleNamespace `json:"incompatibleNamespaces,omitempty"`
	// Suffix is the PVC name suffix for storage conversion (default "new").
	Suffix             *string        `json:"suffix,omitempty"`
	ObservedDigest     string         `json:"observedDigest,omitempty"`
	ExcludedResources  []string       `json:"excludedResources,omitempty"`
	SrcStorageClasses  []StorageClass `json:"srcStorageClasses,omitempty"`
	DestStorageClasses []StorageClass `json:"destStorageClasses,omitempty"`
}

// UnhealthyNamespace lists the unhealthy workloads of one namespace.
type UnhealthyNamespace struct {
	Name      string     `json:"name"`
	Workloads []Workload `json:"workloads"`
}

// Workload is an unhealthy workload and its unhealthy dependents.
type Workload struct {
	Name      string   `json:"name"`
	Resources []string `json:"resources,omitempty"`
}

// IncompatibleNamespace lists GVKs in a namespace the destination lacks.
type IncompatibleNamespace struct {
	Name string            `json:"name"`
	GVKs []IncompatibleGVK `json:"gvks"`
}

// IncompatibleGVK is a group/version/kind (lower-case in MTC's output).
type IncompatibleGVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// StorageClass is a storage class available on a cluster.
type StorageClass struct {
	Name              string                 `json:"name,omitempty"`
	Provisioner       string                 `json:"provisioner,omitempty"`
	Default           bool                   `json:"default,omitempty"`
	VolumeAccessModes []VolumeModeAccessMode `json:"volumeAccessModes,omitempty"`
}

// VolumeModeAccessMode lists access modes supported for a volume mode.
type VolumeModeAccessMode struct {
	VolumeMode  corev1.PersistentVolumeMode         `json:"volumeMode,omitempty"`
	AccessModes []corev1.PersistentVolumeAccessMode `json:"accessModes,omitempty"`
}

// MigPlan defines a migration.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=migplans,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=".spec.srcMigClusterRef.name"
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=".spec.destMigClusterRef.name"
// +kubebuilder:printcolumn:name="Storage",type=string,JSONPath=".spec.migStorageRef.name"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigPlan struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigPlanSpec   `json:"spec,omitempty"`
	Status MigPlanStatus `json:"status,omitempty"`
}

// MigPlanList is a list of MigPlans.
//
// +kubebuilder:object:root=true
type MigPlanList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigPlan `json:"items"`
}
