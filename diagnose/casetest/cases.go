package casetest

import "fmt"

// Paths used by several cases.
const (
	hostMig      = "clusters/host/20-migration.yaml"
	hostExtra    = "clusters/host/40-extra.yaml"
	sourceExtra  = "clusters/source/40-extra.yaml"
	hostVelero   = "clusters/host/logs/" + NS + "/velero-7f9c4/velero.log"
	sourceVelero = "clusters/source/logs/" + NS + "/velero-5d2b1/velero.log"
)

// dvmLabels are the labels MTC puts on a DVM and its transfer objects.
func dvmObject(conds, extraStatus string) string {
	return fmt.Sprintf(`apiVersion: migration.openshift.io/v1alpha1
kind: DirectVolumeMigration
metadata:
  name: %s
  namespace: %s
  labels: {migmigration: %s, migration-direct-volume: %s, app.kubernetes.io/part-of: openshift-migration}
spec:
  srcMigClusterRef: {name: source, namespace: %s}
  destMigClusterRef: {name: host, namespace: %s}
  persistentVolumeClaims: [{name: data, namespace: %s, targetStorageClass: standard, targetAccessModes: [ReadWriteOnce]}]
status:
  observedDigest: abc
  phaseDescription: Waiting for Rsync Transfer Pods to be Running
  phase: WaitForRsyncTransferPodsRunning
  conditions:
%s%s`, DVM, NS, migUID, migUID, NS, NS, AppNS, conds, extraStatus)
}

var dvmUID = uid("host", "DirectVolumeMigration", NS, DVM)

func rsyncLabels() string {
	return "app: directvolumemigration-rsync-transfer, owner: directvolumemigration, app.kubernetes.io/part-of: openshift-migration, directvolumemigration: '" + dvmUID + "', migration.openshift.io/migrated-by-migplan: '" + planUID + "'"
}

func namespace(name, annotations string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  annotations: {%s}\n", name, annotations)
}

// RsyncPending is MIG0001 positive (node-selector cause) and its near miss.
func RsyncPending() (Case, Case) {
	pos := Case{Name: "MIG0001-rsync-pending", Files: healthyFiles()}.With("MIG0001-rsync-pending", map[string]string{
		hostMig: migration(Mig, true, "WaitForDirectVolumeMigrationToComplete", running("WaitForDirectVolumeMigrationToComplete")+
			cond("DirectVolumeMigrationBlocked", "True", "Warn", "NotReady", "Rsync Transfer Pod(s) on destination cluster have not started Running within 3 minutes."), ""),
		"clusters/host/25-dvm.yaml": dvmObject(cond("RsyncTransferPodsPending", "True", "Warn", "NotReady",
			"Rsync Transfer Pod(s) on destination cluster have not started Running within 3 minutes. Run these command(s) to check Pod warning events: [oc describe pod rsync-server -n app]"), ""),
		"clusters/source/05-ns.yaml": namespace(AppNS, `openshift.io/node-selector: "region=east"`),
		"clusters/host/05-ns.yaml":   namespace(AppNS, ""),
		hostExtra: docs(pod(AppNS, "rsync-server", "Pending", rsyncLabels()+", purpose: rsync", "rsync", "stunnel"),
			event(AppNS, "rsync-server.1", "Pod", "rsync-server", "Warning", "FailedScheduling", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")),
	})
	pos.Want = []Expect{{"MIG0001", "DirectVolumeMigration", DVM}}
	neg := pos.With("MIG0001-near-miss", map[string]string{
		"clusters/host/25-dvm.yaml": dvmObject(running("RunRsyncOperations"), ""),
		hostMig:                     migration(Mig, true, "WaitForDirectVolumeMigrationToComplete", running("WaitForDirectVolumeMigrationToComplete"), ""),
		"clusters/host/05-ns.yaml":  namespace(AppNS, `openshift.io/node-selector: "region=east"`),
		hostExtra:                   pod(AppNS, "rsync-server", "Running", rsyncLabels()+", purpose: rsync", "rsync", "stunnel"),
	})
	neg.Want = nil
	return pos, neg
}

func backupObject(phase string) string {
	return fmt.Sprintf(`apiVersion: velero.io/v1
kind: Backup
metadata:
  name: %s
  namespace: %s
  labels: {migmigration: %s, migration-initial-backup: %s, migration.openshift.io/migmigration-name: %s, app.kubernetes.io/part-of: openshift-migration}
spec: {includedNamespaces: [%s], storageLocation: storage-x7k2p}
status: {phase: %s}
`, Backup, NS, migUID, migUID, Mig, AppNS, phase)
}

// ResticTimeout is MIG0002.
func ResticTimeout() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0002-restic-timeout", map[string]string{
		hostMig:     migration(Mig, false, "Completed", failed("InitialBackupFailed"), "  errors: [\"Backup openshift-migration/"+Backup+": partially failed.\"]\n"),
		sourceExtra: backupObject("PartiallyFailed"),
		sourceVelero: veleroLine("info", "Backup started", "backup="+NS+"/"+Backup) +
			veleroLine("error", "Error backing up item", "backup="+NS+"/"+Backup+` error="timed out waiting for all PodVolumeBackups to complete" error.file="/go/src/github.com/heptio/velero/pkg/restic/backupper.go:165" group=v1`),
	})
	pos.Want = []Expect{{"MIG0002", "Backup", Backup}, {"MIG0015", "MigMigration", Mig}}
	neg := pos.With("MIG0002-near-miss", map[string]string{
		hostMig:     migration(Mig, false, "Completed", succeeded(), ""),
		sourceExtra: backupObject("Completed"),
		sourceVelero: veleroLine("info", "waiting for all PodVolumeBackups to complete", "backup="+NS+"/"+Backup) +
			veleroLine("info", "Backup completed", "backup="+NS+"/"+Backup),
	})
	neg.Want = nil
	return pos, neg
}

// NFSRootSquash is MIG0003 (restic pod log, JSON format as node-agent may write).
func NFSRootSquash() (Case, Case) {
	resticPod := pod(NS, "restic-nr2v5", "Running", "name: restic, component: velero", "restic")
	pos := Case{Files: healthyFiles()}.With("MIG0003-nfs-root-squash", map[string]string{
		sourceExtra: resticPod,
		"clusters/source/logs/" + NS + "/restic-nr2v5/restic.log": `{"level":"error","msg":"Error running command","backup":"openshift-migration/` + Backup + `","controller":"pod-volume-backup","error.message":"fork/exec /usr/bin/restic: permission denied","logSource":"pkg/controller/pod_volume_backup_controller.go:280"}` + "\n",
	})
	pos.Want = []Expect{{"MIG0003", "Pod", "restic-nr2v5"}}
	neg := pos.With("MIG0003-near-miss", map[string]string{
		"clusters/source/logs/" + NS + "/restic-nr2v5/restic.log": veleroLine("error", "Error running command", `controller=pod-volume-backup error="open /host_pods/x/volumes: permission denied"`),
	})
	neg.Want = nil
	return pos, neg
}

func sourceMigCluster(caTemplate, conds string) string {
	return `apiVersion: migration.openshift.io/v1alpha1
kind: MigCluster
metadata: {name: source, namespace: ` + NS + `}
spec:
  isHostCluster: false
  url: "{{ .Clusters.source.URL }}"
  caBundle: "` + caTemplate + `"
  insecure: false
  serviceAccountSecretRef: {name: source-token, namespace: openshift-config}
status:
  conditions:
` + conds
}

// UnknownCA is MIG0004: the source MigCluster's caBundle is wrong (the
// host's CA); live, the TLS probe confirms it.
func UnknownCA() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0004-unknown-ca", map[string]string{
		"clusters/host/08-migcluster.yaml": sourceMigCluster("{{ .Clusters.host.CABase64 }}",
			cond("TestConnectFailed", "True", "Critical", "ConnectFailed", "Test connect failed. The `caBundle` is required for self-signed API server certificates.")),
	})
	pos.Want = []Expect{{"MIG0004", "MigCluster", "source"}}
	neg := pos.With("MIG0004-near-miss", map[string]string{
		"clusters/host/08-migcluster.yaml": sourceMigCluster("{{ .Clusters.source.CABase64 }}",
			cond("TestConnectFailed", "True", "Critical", "ConnectFailed", "Test connect failed. dial tcp 10.0.0.1:6443: connect: connection refused")),
	})
	neg.Want = []Expect{{"MIG0013", "MigCluster", "source"}}
	return pos, neg
}

func restoreObject(phase, extraStatus string) string {
	return fmt.Sprintf(`apiVersion: velero.io/v1
kind: Restore
metadata:
  name: %s
  namespace: %s
  labels: {migmigration: %s, migration-final-restore: %s, migration.openshift.io/migmigration-name: %s, app.kubernetes.io/part-of: openshift-migration}
spec: {backupName: %s}
status:
  phase: %s
  errors: 1
  warnings: 3
%s`, Restore, NS, migUID, migUID, Mig, Backup, phase, extraStatus)
}

// RestorePartial is MIG0005 with the "CRD missing" cause.
func RestorePartial() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0005-restore-partial", map[string]string{
		hostMig: migration(Mig, true, "Completed", cond("SucceededWithWarnings", "True", "Advisory", "Completed", "The migration has completed with warnings, please look at `Warn` conditions.")+
			cond("VeleroFinalRestorePartiallyFailed", "True", "Warn", "", "Final Restore "+NS+"/"+Restore+": partially failed on destination cluster"), ""),
		hostExtra: restoreObject("PartiallyFailed", ""),
		hostVelero: veleroLine("info", "Attempting to restore migration-example: migration-example", "restore="+NS+"/"+Restore) +
			veleroLine("info", "error restoring migration-example: the server could not find the requested resource", "restore="+NS+"/"+Restore),
	})
	pos.Want = []Expect{{"MIG0005", "Restore", Restore}}
	neg := pos.With("MIG0005-near-miss", map[string]string{
		hostMig:    migration(Mig, true, "Completed", succeeded(), ""),
		hostExtra:  restoreObject("Completed", ""),
		hostVelero: veleroLine("info", "Restore completed", "restore="+NS+"/"+Restore),
	})
	neg.Want = nil
	return pos, neg
}

// ResticVerify is MIG0006.
func ResticVerify() (Case, Case) {
	pvr := fmt.Sprintf(`apiVersion: velero.io/v1
kind: PodVolumeRestore
metadata:
  name: %s-98t49
  namespace: %s
  labels: {velero.io/restore-name: %s}
spec: {pod: {name: web-0, namespace: %s}, volume: data, backupStorageLocation: storage-x7k2p, repoIdentifier: "s3:bucket/app", snapshotID: abc, sourceNamespace: app}
status: {phase: Completed, errors: 1, verifyErrors: 1, resticPod: restic-h8s2d}
`, Restore, NS, Restore, AppNS)
	pos := Case{Files: healthyFiles()}.With("MIG0006-restic-verify", map[string]string{
		hostMig: migration(Mig, true, "Completed", cond("SucceededWithWarnings", "True", "Advisory", "Completed", "The migration has completed with warnings, please look at `Warn` conditions.")+
			cond("ResticVerifyErrors", "True", "Warn", "", "There were verify errors found in 1 Restic volume restores. See restore `"+Restore+"` for details"), ""),
		hostExtra: docs(restoreObject("Completed", "  podVolumeRestoreVerifyErrors:\n  - {kind: PodVolumeRestore, name: "+Restore+"-98t49, namespace: "+NS+"}\n"), pvr,
			pod(NS, "restic-h8s2d", "Running", "name: restic", "restic")),
		"clusters/host/logs/" + NS + "/restic-h8s2d/restic.log": veleroLine("error", "Restic verify failed", "controller=pod-volume-restore name="+Restore+`-98t49 error="checksum mismatch in /data/file1"`),
	})
	pos.Want = []Expect{{"MIG0006", "Restore", Restore}}
	neg := pos.With("MIG0006-near-miss", map[string]string{
		hostMig: migration(Mig, true, "Completed", succeeded(), ""),
	})
	neg.Want = nil
	return pos, neg
}

// BSLNotFound is MIG0007.
func BSLNotFound() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0007-bsl-not-found", map[string]string{
		hostVelero: veleroLine("error", "Error checking repository for stale locks", `error="error getting backup storage location: BackupStorageLocation.velero.io \"ts-dpa-1\" not found" error.file="/remote-source/src/github.com/vmware-tanzu/velero/pkg/restic/repository_manager.go:259"`),
	})
	pos.Want = []Expect{{"MIG0007", "BackupStorageLocation", "ts-dpa-1"}}
	neg := pos.With("MIG0007-near-miss", map[string]string{
		hostVelero: veleroLine("info", "BackupStorageLocation is valid", `backupstoragelocation=openshift-migration/storage-x7k2p msg2="BackupStorageLocation.velero.io \"storage-x7k2p\" is available"`),
	})
	neg.Want = nil
	return pos, neg
}

// RsyncMount is MIG0008, from the rsync server pod's events.
func RsyncMount() (Case, Case) {
	runningMig := migration(Mig, true, "WaitForDirectVolumeMigrationToComplete", running("WaitForDirectVolumeMigrationToComplete"), "")
	pos := Case{Files: healthyFiles()}.With("MIG0008-rsync-mount", map[string]string{
		hostMig:                     runningMig,
		"clusters/host/25-dvm.yaml": dvmObject(running("WaitForRsyncTransferPodsRunning"), ""),
		hostExtra: docs(pod(AppNS, "rsync-server", "Pending", rsyncLabels()+", purpose: rsync", "rsync", "stunnel"),
			event(AppNS, "rsync-server.2", "Pod", "rsync-server", "Warning", "FailedMount",
				"Unable to attach or mount volumes: unmounted volumes=[8db9d5b032dab17d4ea9495af12e085a], unattached volumes=[crane2-rsync-server-secret 8db9d5b032dab17d4ea9495af12e085a kube-api-access-dlbd2]: timed out waiting for the condition")),
	})
	pos.Want = []Expect{{"MIG0008", "Pod", "rsync-server"}}
	neg := pos.With("MIG0008-near-miss", map[string]string{
		hostExtra: docs(pod(AppNS, "rsync-server", "Pending", rsyncLabels()+", purpose: rsync", "rsync", "stunnel"),
			event(AppNS, "rsync-server.2", "Pod", "rsync-server", "Warning", "FailedMount",
				`MountVolume.SetUp failed for volume "crane2-rsync-server-secret" : secret "crane2-rsync-server-secret" not found`)),
	})
	neg.Want = nil
	return pos, neg
}

func deployment(name string, replicas int, annotations string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
  namespace: %s
  annotations: {%s}
spec:
  replicas: %d
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec: {containers: [{name: web, image: registry.example.com/web:1}]}
`, name, AppNS, annotations, replicas, name, name)
}

// LeftQuiesced is MIG0009: the failed itinerary left the source scaled down.
func LeftQuiesced() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0009-left-quiesced", map[string]string{
		hostMig:     migration(Mig, true, "Completed", failed("FinalRestoreFailed"), "  errors: [\"Restore openshift-migration/"+Restore+": Failed.\"]\n"),
		sourceExtra: deployment("web", 0, `migration.openshift.io/preQuiesceReplicas: "2"`),
	})
	pos.Want = []Expect{{"MIG0009", "MigPlan", Plan}, {"MIG0015", "MigMigration", Mig}}
	neg := pos.With("MIG0009-near-miss", map[string]string{
		hostMig: migration(Mig, true, "Completed", succeeded(), ""),
	})
	neg.Want = nil
	return pos, neg
}

// DVMLeftovers is MIG0010.
func DVMLeftovers() (Case, Case) {
	cm := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fs-crane2-stunnel-client-config\n  namespace: %s\n  labels: {%s}\ndata: {stunnel.conf: \"foreground = yes\"}\n", AppNS, rsyncLabels())
	pos := Case{Files: healthyFiles()}.With("MIG0010-dvm-leftovers", map[string]string{
		hostMig:                     migration(Mig, false, "Completed", failed("DirectVolumeMigrationFailed"), "  errors: [\"DVM failed: rsync failed\"]\n"),
		"clusters/host/25-dvm.yaml": dvmObject(cond("Failed", "True", "Critical", "RunRsyncOperations", "The migration has failed.  See: Errors."), "  errors: [\"rsync exited with code 12\"]\n"),
		sourceExtra:                 cm,
	})
	pos.Want = []Expect{{"MIG0010", "MigPlan", Plan}, {"MIG0015", "MigMigration", Mig}}
	neg := pos.With("MIG0010-near-miss", map[string]string{
		hostMig: migration(Mig, false, "WaitForDirectVolumeMigrationToComplete", running("WaitForDirectVolumeMigrationToComplete"), ""),
	})
	neg.Want = nil
	return pos, neg
}

func pv(policy string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-nfs-1
  annotations: {migration.openshift.io/orig-reclaim-policy: Delete}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  persistentVolumeReclaimPolicy: %s
  nfs: {server: 10.0.0.5, path: /exports/app}
  claimRef: {namespace: %s, name: data}
`, policy, AppNS)
}

// PVReclaim is MIG0011.
func PVReclaim() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0011-pv-reclaim", map[string]string{sourceExtra: pv("Retain")})
	pos.Want = []Expect{{"MIG0011", "PersistentVolume", "pv-nfs-1"}}
	neg := pos.With("MIG0011-near-miss", map[string]string{sourceExtra: pv("Delete")})
	neg.Want = nil
	return pos, neg
}

// PlanNotReady is MIG0012.
func PlanNotReady() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0012-plan-not-ready", map[string]string{
		"clusters/host/10-plan.yaml": planFiles(cond("NamespaceNotFoundOnSourceCluster", "True", "Critical", "NotFound", "Namespaces [app] not found on the source cluster.")),
		hostMig:                      "",
	})
	pos.Want = []Expect{{"MIG0012", "MigPlan", Plan}}
	neg := pos.With("MIG0012-near-miss", map[string]string{
		"clusters/host/10-plan.yaml": planFiles(ready("The migration plan is ready.") + cond("NamespacesHaveNodeSelectors", "True", "Warn", "NodeSelectorsDetected", "Namespaces [app] have node selectors.")),
	})
	neg.Want = nil
	return pos, neg
}

// ClusterNotReady is MIG0013 (and the plan condition it causes, MIG0012).
func ClusterNotReady() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0013-cluster-not-ready", map[string]string{
		"clusters/host/08-migcluster.yaml": sourceMigCluster("{{ .Clusters.source.CABase64 }}",
			cond("SaTokenNotPrivileged", "True", "Critical", "Unauthorized", "The `saToken` has insufficient privileges.")),
		"clusters/host/10-plan.yaml": planFiles(cond("SourceClusterNotReady", "True", "Critical", "", "The referenced `srcMigClusterRef` does not have a `Ready` condition, subject: openshift-migration/source")),
		hostMig:                      "",
	})
	pos.Want = []Expect{{"MIG0013", "MigCluster", "source"}, {"MIG0012", "MigPlan", Plan}}
	neg := pos.With("MIG0013-near-miss", map[string]string{
		"clusters/host/08-migcluster.yaml": sourceMigCluster("{{ .Clusters.source.CABase64 }}", ready("The cluster is ready.")+
			cond("OperatorVersionMismatch", "True", "Warn", "VersionCheckFailed", "This cluster is running a different version of the Migration Toolkit for Containers operator than the host cluster.")),
		"clusters/host/10-plan.yaml": planFiles(""),
	})
	neg.Want = nil
	return pos, neg
}

// StorageNotReady is MIG0014.
func StorageNotReady() (Case, Case) {
	bad := `apiVersion: migration.openshift.io/v1alpha1
kind: MigStorage
metadata: {name: storage, namespace: ` + NS + `}
spec:
  backupStorageProvider: aws
  backupStorageConfig:
    awsBucketName: bucket
    credsSecretRef: {name: storage-creds, namespace: openshift-config}
status:
  conditions:
` + cond("BackupStorageProviderTestFailed", "True", "Critical", "TestFailed", "The Backup cloudprovider test failed [InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.].")
	pos := Case{Files: healthyFiles()}.With("MIG0014-storage-not-ready", map[string]string{"clusters/host/15-storage.yaml": bad})
	pos.Want = []Expect{{"MIG0014", "MigStorage", "storage"}}
	bsl := fmt.Sprintf("apiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata: {name: storage-x7k2p, namespace: %s}\nspec: {provider: aws, objectStorage: {bucket: bucket}}\nstatus: {phase: Available}\n", NS)
	neg := pos.With("MIG0014-near-miss", map[string]string{"clusters/host/15-storage.yaml": bsl})
	neg.Want = nil
	return pos, neg
}

// MigrationFailed is MIG0015 alone.
func MigrationFailed() (Case, Case) {
	pos := Case{Files: healthyFiles()}.With("MIG0015-migration-failed", map[string]string{
		hostMig: migration(Mig, false, "Completed", failed("InitialBackupFailed"),
			"  errors: [\"Backup openshift-migration/"+Backup+": failed.\"]\n  pipeline:\n  - {name: Prepare, message: Completed}\n  - {name: Backup, phase: InitialBackupFailed, message: Failed, failed: true}\n"),
	})
	pos.Want = []Expect{{"MIG0015", "MigMigration", Mig}}
	neg := pos.With("MIG0015-near-miss", map[string]string{
		hostMig: migration(Mig, false, "Completed", cond("SucceededWithWarnings", "True", "Advisory", "Completed", "The migration has completed with warnings, please look at `Warn` conditions.")+
			cond("VeleroInitialBackupPartiallyFailed", "True", "Warn", "", "Backup "+NS+"/"+Backup+": partially failed on source cluster"), ""),
	})
	neg.Want = nil
	return pos, neg
}

func hookJob(failedPods int) string {
	return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: plan1-prebackup-k2x9d
  namespace: %s
  labels: {phase: PreBackup, owner: '%s', app.kubernetes.io/part-of: openshift-migration}
spec:
  backoffLimit: 0
  template:
    metadata: {labels: {phase: PreBackup, owner: '%s'}}
    spec:
      restartPolicy: Never
      containers: [{name: hook, image: quay.io/konveyor/hook-runner:latest}]
status:
  failed: %d
  succeeded: %d
`, NS, migUID, migUID, failedPods, 1-failedPods)
}

// HookFailed is MIG0016.
func HookFailed() (Case, Case) {
	hookPod := "plan1-prebackup-k2x9d-7hq4m"
	pos := Case{Files: healthyFiles()}.With("MIG0016-hook-failed", map[string]string{
		hostMig:     migration(Mig, false, "Completed", failed("PreBackupHooksFailed"), "  errors: [\"Hook job plan1-prebackup-k2x9d failed.\"]\n"),
		sourceExtra: docs(hookJob(1), pod(NS, hookPod, "Failed", "job-name: plan1-prebackup-k2x9d, phase: PreBackup, owner: '"+migUID+"'", "hook")),
		"clusters/source/logs/" + NS + "/" + hookPod + "/hook.log": "PLAY [localhost] ***\nTASK [scale down] ***\nfatal: [localhost]: FAILED! => {\"msg\": \"deployment app/web not found\"}\nPLAY RECAP *** failed=1\n",
	})
	pos.Want = []Expect{{"MIG0016", "Job", "plan1-prebackup-k2x9d"}, {"MIG0015", "MigMigration", Mig}}
	neg := pos.With("MIG0016-near-miss", map[string]string{
		hostMig:     migration(Mig, false, "Completed", succeeded(), ""),
		sourceExtra: docs(hookJob(0), pod(NS, hookPod, "Succeeded", "job-name: plan1-prebackup-k2x9d, phase: PreBackup, owner: '"+migUID+"'", "hook")),
		"clusters/source/logs/" + NS + "/" + hookPod + "/hook.log": "PLAY RECAP *** ok=2 failed=0\n",
	})
	neg.Want = nil
	return pos, neg
}

// NetworkError is MIG0017.
func NetworkError() (Case, Case) {
	failedMig := migration(Mig, false, "Completed", failed("DirectVolumeMigrationFailed"), "  errors: [\"DVM failed: [All Rsync client Pods on Source Cluster are failing because of \\\"no route to host\\\" error]\"]\n")
	client := "rsync-5fd8k"
	pos := Case{Files: healthyFiles()}.With("MIG0017-network", map[string]string{
		hostMig: failedMig,
		"clusters/host/25-dvm.yaml": dvmObject(cond("SourceToDestinationNetworkError", "True", "Critical", "RsyncNoRouteToHost",
			"All Rsync client Pods on Source Cluster are failing because of \"no route to host\" error,please check your network configuration"), ""),
		sourceExtra: pod(AppNS, client, "Failed", rsyncLabels()+", migration.openshift.io/created-for-pvc: 8d777f385d3dfec8815d20f7496026dc", "rsync", "stunnel"),
		"clusters/source/logs/" + AppNS + "/" + client + "/rsync.log": "rsync: failed to connect to dvm-app.apps.host.example.com (10.1.2.3): No route to host (113)\nrsync error: error in socket IO (code 10) at clientserver.c(127)\n",
	})
	pos.Want = []Expect{{"MIG0017", "DirectVolumeMigration", DVM}, {"MIG0015", "MigMigration", Mig}, {"MIG0010", "MigPlan", Plan}}
	neg := pos.With("MIG0017-near-miss", map[string]string{
		"clusters/host/25-dvm.yaml": dvmObject(cond("Failed", "True", "Critical", "RunRsyncOperations", "The migration has failed.  See: Errors."), "  errors: [\"rsync exited with code 23\"]\n"),
		sourceExtra:                 "",
		"clusters/source/logs/" + AppNS + "/" + client + "/rsync.log": "",
	})
	neg.Want = []Expect{{"MIG0015", "MigMigration", Mig}}
	return pos, neg
}

// Scoped: plan2's failed migration is not reported when only mig1 is
// diagnosed.
func Scoped() Case {
	other := `apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata: {name: plan2, namespace: ` + NS + `}
spec:
  srcMigClusterRef: {name: source, namespace: ` + NS + `}
  destMigClusterRef: {name: host, namespace: ` + NS + `}
  migStorageRef: {name: storage, namespace: ` + NS + `}
  namespaces: [other]
status:
  conditions:
` + ready("The migration plan is ready.") + `---
apiVersion: migration.openshift.io/v1alpha1
kind: MigMigration
metadata: {name: mig2, namespace: ` + NS + `}
spec:
  migPlanRef: {name: plan2, namespace: ` + NS + `}
  stage: false
status:
  phase: Completed
  conditions:
` + failed("InitialBackupFailed")
	c := Case{Files: healthyFiles()}.With("scoped", map[string]string{"clusters/host/12-plan2.yaml": other})
	c.Migration = Mig
	return c
}

// All returns every case.
func All() []Case {
	out := []Case{Healthy(), Scoped()}
	for _, f := range []func() (Case, Case){RsyncPending, ResticTimeout, NFSRootSquash, UnknownCA, RestorePartial, ResticVerify,
		BSLNotFound, RsyncMount, LeftQuiesced, DVMLeftovers, PVReclaim, PlanNotReady, ClusterNotReady, StorageNotReady,
		MigrationFailed, HookFailed, NetworkError} {
		p, n := f()
		out = append(out, p, n)
	}
	return out
}
