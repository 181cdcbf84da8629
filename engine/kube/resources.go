package kube

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resources of the kinds the engine reads and writes through the dynamic
// client. Plurals are those of the real CRDs.
var (
	MigClusters       = mtcGVR("migclusters")
	MigStorages       = mtcGVR("migstorages")
	MigPlans          = mtcGVR("migplans")
	MigMigrations     = mtcGVR("migmigrations")
	MigHooks          = mtcGVR("mighooks")
	MigAnalytics      = mtcGVR("miganalytics")
	DirectVolumeMigs  = mtcGVR("directvolumemigrations")
	DVMProgresses     = mtcGVR("directvolumemigrationprogresses")
	DirectImageMigs   = mtcGVR("directimagemigrations")
	DirectImageStream = mtcGVR("directimagestreammigrations")
	MigControllers    = mtcGVR("migrationcontrollers")

	VeleroBackups      = veleroGVR("backups")
	VeleroRestores     = veleroGVR("restores")
	PodVolumeBackups   = veleroGVR("podvolumebackups")
	PodVolumeRestores  = veleroGVR("podvolumerestores")
	BackupStorageLocs  = veleroGVR("backupstoragelocations")
	VolumeSnapshotLocs = veleroGVR("volumesnapshotlocations")
	DownloadRequests   = veleroGVR("downloadrequests")

	Routes            = schema.GroupVersionResource{Group: "route.openshift.io", Version: "v1", Resource: "routes"}
	DeploymentConfigs = schema.GroupVersionResource{Group: "apps.openshift.io", Version: "v1", Resource: "deploymentconfigs"}
)

func mtcGVR(r string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: r}
}

func veleroGVR(r string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: r}
}
