package snapshot

import "k8s.io/apimachinery/pkg/runtime/schema"

// Kind names an API kind the rules may ask for. Lookups ignore the version:
// a bundle may hold velero.io/v1 or an older version of the same kind.
type Kind struct {
	Group      string
	Version    string
	Kind       string
	Resource   string
	Namespaced bool
}

// GroupKind is the version-free key of a kind.
func (k Kind) GroupKind() schema.GroupKind { return schema.GroupKind{Group: k.Group, Kind: k.Kind} }

// GroupVersionResource is what the live backend lists.
func (k Kind) GroupVersionResource() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Resource}
}

func (k Kind) String() string {
	if k.Group == "" {
		return k.Resource
	}
	return k.Resource + "." + k.Group
}

// API groups used below.
const (
	MigrationGroup = "migration.openshift.io"
	VeleroGroup    = "velero.io"
)

func mig(kind, resource string) Kind {
	return Kind{Group: MigrationGroup, Version: "v1alpha1", Kind: kind, Resource: resource, Namespaced: true}
}

func velero(kind, resource string) Kind {
	return Kind{Group: VeleroGroup, Version: "v1", Kind: kind, Resource: resource, Namespaced: true}
}

// Kinds the rules use.
var (
	MigCluster          = mig("MigCluster", "migclusters")
	MigStorage          = mig("MigStorage", "migstorages")
	MigPlan             = mig("MigPlan", "migplans")
	MigMigration        = mig("MigMigration", "migmigrations")
	MigHook             = mig("MigHook", "mighooks")
	DirectVolume        = mig("DirectVolumeMigration", "directvolumemigrations")
	DirectVolumeProg    = mig("DirectVolumeMigrationProgress", "directvolumemigrationprogresses")
	DirectImage         = mig("DirectImageMigration", "directimagemigrations")
	MigrationController = mig("MigrationController", "migrationcontrollers")

	Backup                = velero("Backup", "backups")
	Restore               = velero("Restore", "restores")
	PodVolumeBackup       = velero("PodVolumeBackup", "podvolumebackups")
	PodVolumeRestore      = velero("PodVolumeRestore", "podvolumerestores")
	BackupStorageLocation = velero("BackupStorageLocation", "backupstoragelocations")

	Namespace             = Kind{Version: "v1", Kind: "Namespace", Resource: "namespaces"}
	PersistentVolume      = Kind{Version: "v1", Kind: "PersistentVolume", Resource: "persistentvolumes"}
	Pod                   = Kind{Version: "v1", Kind: "Pod", Resource: "pods", Namespaced: true}
	Event                 = Kind{Version: "v1", Kind: "Event", Resource: "events", Namespaced: true}
	PersistentVolumeClaim = Kind{Version: "v1", Kind: "PersistentVolumeClaim", Resource: "persistentvolumeclaims", Namespaced: true}
	ConfigMap             = Kind{Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Namespaced: true}
	Secret                = Kind{Version: "v1", Kind: "Secret", Resource: "secrets", Namespaced: true}
	Service               = Kind{Version: "v1", Kind: "Service", Resource: "services", Namespaced: true}

	Deployment  = Kind{Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Namespaced: true}
	StatefulSet = Kind{Group: "apps", Version: "v1", Kind: "StatefulSet", Resource: "statefulsets", Namespaced: true}
	DaemonSet   = Kind{Group: "apps", Version: "v1", Kind: "DaemonSet", Resource: "daemonsets", Namespaced: true}
	ReplicaSet  = Kind{Group: "apps", Version: "v1", Kind: "ReplicaSet", Resource: "replicasets", Namespaced: true}
	Job         = Kind{Group: "batch", Version: "v1", Kind: "Job", Resource: "jobs", Namespaced: true}
	CronJob     = Kind{Group: "batch", Version: "v1", Kind: "CronJob", Resource: "cronjobs", Namespaced: true}

	DeploymentConfig = Kind{Group: "apps.openshift.io", Version: "v1", Kind: "DeploymentConfig", Resource: "deploymentconfigs", Namespaced: true}
	Route            = Kind{Group: "route.openshift.io", Version: "v1", Kind: "Route", Resource: "routes", Namespaced: true}
)

// MTCKinds live in the MTC namespace of the host cluster.
var MTCKinds = []Kind{MigCluster, MigStorage, MigPlan, MigMigration, MigHook, DirectVolume, DirectVolumeProg, DirectImage, MigrationController}

// VeleroKinds live in the MTC (Velero) namespace of every cluster.
var VeleroKinds = []Kind{Backup, Restore, PodVolumeBackup, PodVolumeRestore, BackupStorageLocation}

// WorkloadKinds are what quiesce scales down.
var WorkloadKinds = []Kind{Deployment, DeploymentConfig, StatefulSet, ReplicaSet, DaemonSet, CronJob, Job}

// isCR reports whether a kind is a migration or Velero custom resource: the
// MTC must-gather dumps all of them, in every namespace, so their absence
// from a bundle that has any of them means "none".
func isCR(gk schema.GroupKind) bool {
	return gk.Group == MigrationGroup || gk.Group == VeleroGroup
}
