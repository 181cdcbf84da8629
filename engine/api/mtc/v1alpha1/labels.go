package v1alpha1

import (
	"crypto/md5" //nolint:gosec // MTC derives label values and names from md5; not a security use.
	"encoding/hex"
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// Well-known MTC names.
const (
	// Namespace is where MTC, its CRs and its Velero live on every cluster.
	Namespace = "openshift-migration"
	// ClusterConfigMapName is the per-cluster configmap with REGISTRY_IMAGE,
	// STAGE_IMAGE, RSYNC_TRANSFER_IMAGE, OPERATOR_VERSION, ...
	ClusterConfigMapName = "migration-cluster-config"
	// ControllerConfigMapName holds the controller's environment.
	ControllerConfigMapName = "migration-controller"
	// SATokenKey is the key of the service account token in the secret that a
	// MigCluster's spec.serviceAccountSecretRef points to.
	SATokenKey = "saToken"
)

// Common labels on every object the controller creates.
const (
	PartOfLabel = "app.kubernetes.io/part-of"
	PartOfValue = "openshift-migration"
)

// Quiesce / unquiesce annotations on source workloads. Their presence marks a
// workload MTC scaled down; unquiesce restores from them.
const (
	// PreQuiesceReplicasAnnotation holds the original replicas of a
	// Deployment, DeploymentConfig, StatefulSet or ReplicaSet, or the original
	// parallelism of a Job.
	PreQuiesceReplicasAnnotation = "migration.openshift.io/preQuiesceReplicas"
	// PreQuiescePausedAnnotation holds the original spec.paused of a
	// Deployment or DeploymentConfig.
	PreQuiescePausedAnnotation = "migration.openshift.io/preQuiescePaused"
	// PreQuiesceSuspendAnnotation ("true") marks a CronJob MTC suspended.
	PreQuiesceSuspendAnnotation = "migration.openshift.io/preQuiesceSuspend"
	// PreQuiesceNodeSelectorAnnotation holds the JSON of a DaemonSet's
	// original pod-template nodeSelector.
	PreQuiesceNodeSelectorAnnotation = "migration.openshift.io/preQuiesceNodeSelector"
	// QuiesceDaemonSetNodeSelector is a nodeSelector *key* (value "true")
	// added to a DaemonSet's pod template so that no node matches.
	QuiesceDaemonSetNodeSelector = "migration.openshift.io/quiesceDaemonSet"
	// VMRunStrategyAnnotation holds a KubeVirt VirtualMachine's original
	// runStrategy.
	VMRunStrategyAnnotation = "migration.openshift.io/vm-run-strategy"
	// StartVMAnnotation ("true") asks unquiesce to start the VM again.
	StartVMAnnotation = "migration.openshift.io/start-vm"
	// MigrateQuiescePodsAnnotation ("true") on Velero Backups/Restores tells
	// the plugin that pods were quiesced.
	MigrateQuiescePodsAnnotation = "openshift.io/migrate-quiesce-pods"
)

// Stage pods and indirect (Velero/restic) volume migration.
const (
	// StagePodLabel ("true") marks stage pods; cleanup deletes every pod
	// carrying it in the plan namespaces.
	StagePodLabel = "migration.openshift.io/is-stage-pod"
	// ApplicationPodLabel ("true") marks running application pods reused as
	// stage pods; cleanup removes the labels instead of deleting them.
	ApplicationPodLabel = "migration.openshift.io/is-application-pod"
	// ExcludePVCsAnnotation lists PVCs (move/snapshot) excluded from a reused
	// application pod.
	ExcludePVCsAnnotation = "migration.openshift.io/exclude-pvcs"
	// StagePodImageAnnotation on a stage Restore names the stage pod image.
	StagePodImageAnnotation = "migration.openshift.io/stage-pod-image"
	// IncludedInStageBackupLabel (value: MigMigration UID) selects objects
	// for the stage backup.
	IncludedInStageBackupLabel = "migration-included-stage-backup"
	// ResticBackupVolumesAnnotation lists pod volumes for restic/kopia.
	ResticBackupVolumesAnnotation = "backup.velero.io/backup-volumes"
	// ResticVerifyVolumesAnnotation lists pod volumes to verify (MTC's
	// velero fork).
	ResticVerifyVolumesAnnotation = "backup.velero.io/verify-volumes"
)

// Velero Backup/Restore labels and annotations written by MTC. The label
// values are the MigMigration UID unless noted.
const (
	InitialBackupLabel = "migration-initial-backup"
	StageBackupLabel   = "migration-stage-backup"
	StageRestoreLabel  = "migration-stage-restore"
	FinalRestoreLabel  = "migration-final-restore"
	// MigMigrationTypeAnnotation is "stage" or "final".
	MigMigrationTypeAnnotation = "migration.openshift.io/migmigration-type"
	// DisableImageCopyAnnotation disables the internal image copy.
	DisableImageCopyAnnotation = "migration.openshift.io/disable-image-copy"
	// RestorePVRErrorCountAnnotation and RestorePVRVerifyErrorCountAnnotation
	// on a Restore count failed PodVolumeRestores (MTC's velero fork).
	RestorePVRErrorCountAnnotation       = "velero.io/restore-pvr-error-count"
	RestorePVRVerifyErrorCountAnnotation = "velero.io/restore-pvr-verify-error-count"
)

// Labels that tie migrated and helper objects to MTC objects. Rollback
// deletes destination objects by MigratedByMigPlanLabel.
const (
	// MigratedByMigPlanLabel (value: MigPlan UID) is put on every restored
	// object by MTC's restore plugin, and on DVM PVCs and rsync resources.
	MigratedByMigPlanLabel = "migration.openshift.io/migrated-by-migplan"
	// MigratedByMigMigrationLabel (value: MigMigration UID).
	MigratedByMigMigrationLabel = "migration.openshift.io/migrated-by-migmigration"
	// MigratedByBackupLabel (value: Velero Backup name).
	MigratedByBackupLabel = "migration.openshift.io/migrated-by-backup"
	// MigratedByDirectVolumeMigrationLabel (value: DVM UID) on DVM PVCs not
	// created from a MigMigration.
	MigratedByDirectVolumeMigrationLabel = "migration.openshift.io/migrated-by-directvolumemigration"
	// MigrationUIDLabel mirrors a MigMigration's own UID (not for rollback).
	MigrationUIDLabel = "migration.openshift.io/migration-uid"
	// MigMigrationNameLabel and MigPlanNameLabel are debug labels holding
	// names, on Backups, Restores and MigMigrations.
	MigMigrationNameLabel = "migration.openshift.io/migmigration-name"
	MigPlanNameLabel      = "migration.openshift.io/migplan-name"
)

// Persistent volume annotations.
const (
	// OrigReclaimPolicyAnnotation holds a PV's reclaim policy from before the
	// velero PV plugin switched it to Retain for a "move". MTC's rollback does
	// not restore it.
	OrigReclaimPolicyAnnotation = "migration.openshift.io/orig-reclaim-policy"
	// PVMigrateTypeAnnotation is "move" or "copy" on source PVCs/PVs.
	PVMigrateTypeAnnotation = "openshift.io/migrate-type"
	// PVTargetStorageClassAnnotation names the destination storage class.
	PVTargetStorageClassAnnotation = "openshift.io/target-storage-class"
	// PVTargetAccessModeAnnotation names the destination access mode.
	PVTargetAccessModeAnnotation = "openshift.io/target-access-mode"
	// PVCopyMethodAnnotation is "snapshot" or "filesystem".
	PVCopyMethodAnnotation = "migration.openshift.io/copy-method"
)

// Direct volume migration (rsync) labels, values and object names.
const (
	// DirectVolumeMigrationLabel (value: MigMigration UID) on DVMs created by
	// a MigMigration.
	DirectVolumeMigrationLabel = "migration-direct-volume"
	// RsyncPodIdentityLabel (value: RsyncPodSelectorValue(pvc name)) on rsync
	// client pods; DVMP spec.podSelector uses it.
	RsyncPodIdentityLabel = "migration.openshift.io/created-for-pvc"
	// RsyncAttemptLabel holds the attempt number of an rsync client pod.
	RsyncAttemptLabel = "migration.openshift.io/rsync-attempt"
	// DVMPDoneLabel marks rsync pods already accounted for by a DVMP.
	DVMPDoneLabel = "migration.openshift.io/dvmp-done"

	DVMAppLabel             = "app"
	DVMAppValue             = "directvolumemigration-rsync-transfer"
	DVMBlockAppValue        = "directvolumemigration-rsync-transfer-block"
	DVMOwnerLabel           = "owner"
	DVMOwnerValue           = "directvolumemigration"
	DVMPurposeLabel         = "purpose"
	DVMPurposeValue         = "rsync"
	RsyncServerPodName      = "rsync-server"
	BlockRsyncServerPodName = "blockrsync-server"
	RsyncRouteName          = "dvm"
	BlockRsyncRouteName     = "dvm-block"
	RsyncContainerName      = "rsync"
	StunnelContainerName    = "stunnel"
)

// CorrelationLabel returns the label MTC uses to tie an object to the MTC
// object that created it: key = lower-case kind (e.g. "migplan"), value = UID.
func CorrelationLabel(kind string, uid types.UID) (key, value string) {
	return strings.ToLower(kind), string(uid)
}

// CorrelationLabels returns the labels MTC puts on objects it creates on
// behalf of an object of the given kind and UID: part-of plus the
// correlation label.
func CorrelationLabels(kind string, uid types.UID) map[string]string {
	k, v := CorrelationLabel(kind, uid)
	return map[string]string{PartOfLabel: PartOfValue, k: v}
}

// DVMLabels returns the labels MTC puts on rsync pods, routes and other DVM
// transfer resources for the given DVM and plan.
func DVMLabels(dvmUID, planUID types.UID) map[string]string {
	k, v := CorrelationLabel(KindDirectVolumeMigration, dvmUID)
	return map[string]string{
		DVMAppLabel:            DVMAppValue,
		DVMOwnerLabel:          DVMOwnerValue,
		PartOfLabel:            PartOfValue,
		k:                      v,
		MigratedByMigPlanLabel: string(planUID),
	}
}

// RsyncPodSelectorValue returns the value of RsyncPodIdentityLabel for a PVC:
// the hex md5 of its name.
func RsyncPodSelectorValue(pvcName string) string {
	return md5Hex(pvcName)
}

// DVMPName returns the name MTC gives the DirectVolumeMigrationProgress of a
// PVC: hex md5 of DVM name + PVC name + source namespace.
func DVMPName(dvmName, pvcName, pvcNamespace string) string {
	return md5Hex(dvmName + pvcName + pvcNamespace)
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // naming scheme, not security
	return hex.EncodeToString(sum[:])
}
