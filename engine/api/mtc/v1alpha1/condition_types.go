package v1alpha1

// Condition types set by the MTC controller. Match on these, never on message
// text: messages changed between MTC releases (e.g. RsyncTransferPodsPending
// in 1.4 vs 1.5+). A type used by several kinds is declared once.

// Generic condition types shared by all kinds.
const (
	ConditionReady           = "Ready"
	ConditionReconcileFailed = "ReconcileFailed"
	ConditionRunning         = "Running"
	ConditionFailed          = "Failed"
	ConditionSucceeded       = "Succeeded"
)

// Generic condition reasons.
const (
	ReasonNotFound    = "NotFound"
	ReasonNotSet      = "NotSet"
	ReasonNotDistinct = "NotDistinct"
	ReasonNotReady    = "NotReady"
	// ReasonCompleted is the reason of Succeeded/SucceededWithWarnings.
	ReasonCompleted = "Completed"
	// ReasonCancel is the reason of Canceling/Canceled.
	ReasonCancel = "Cancel"
)

// MigCluster condition types and reasons.
const (
	ConditionInvalidURL                     = "InvalidURL"
	ConditionInvalidSaSecretRef             = "InvalidSaSecretRef"
	ConditionInvalidSaToken                 = "InvalidSaToken"
	ConditionTestConnectFailed              = "TestConnectFailed"
	ConditionSaTokenNotPrivileged           = "SaTokenNotPrivileged"
	ConditionInvalidRegistryRoute           = "InvalidRegistryRoute"
	ConditionClusterOperatorVersionNotFound = "ClusterOperatorVersionNotFound"
	ConditionOperatorVersionMismatch        = "OperatorVersionMismatch"

	ReasonConnectFailed = "ConnectFailed"
	ReasonUnauthorized  = "Unauthorized"
)

// MigStorage condition types.
const (
	ConditionInvalidBackupStorageProvider        = "InvalidBackupStorageProvider"
	ConditionInvalidBackupStorageCredsSecretRef  = "InvalidBackupStorageCredsSecretRef"
	ConditionInvalidBackupStorageSettings        = "InvalidBackupStorageSettings"
	ConditionInvalidVolumeSnapshotProvider       = "InvalidVolumeSnapshotProvider"
	ConditionInvalidVolumeSnapshotCredsSecretRef = "InvalidVolumeSnapshotCredsSecretRef"
	ConditionInvalidVolumeSnapshotSettings       = "InvalidVolumeSnapshotSettings"
	ConditionBackupStorageProviderTestFailed     = "BackupStorageProviderTestFailed"
	ConditionVolumeSnapshotProviderTestFailed    = "VolumeSnapshotProviderTestFailed"
)

// MigHook condition types.
const (
	ConditionInvalidTarget       = "InvalidTarget"
	ConditionInvalidImage        = "InvalidImage"
	ConditionInvalidPlaybookData = "InvalidPlaybookData"
	ConditionInvalidAnsibleHook  = "InvalidAnsibleHook"
	ConditionInvalidCustomHook   = "InvalidCustomHook"
)

// MigPlan condition types.
const (
	ConditionInvalidSourceClusterRef                    = "InvalidSourceClusterRef"
	ConditionInvalidDestinationClusterRef               = "InvalidDestinationClusterRef"
	ConditionInvalidStorageRef                          = "InvalidStorageRef"
	ConditionSourceClusterNotReady                      = "SourceClusterNotReady"
	ConditionDestinationClusterNotReady                 = "DestinationClusterNotReady"
	ConditionStorageNotReady                            = "StorageNotReady"
	ConditionSourceClusterNoRegistryPath                = "SourceClusterNoRegistryPath"
	ConditionDestinationClusterNoRegistryPath           = "DestinationClusterNoRegistryPath"
	ConditionNamespaceListEmpty                         = "NamespaceListEmpty"
	ConditionNamespaceLimitExceeded                     = "NamespaceLimitExceeded"
	ConditionNamespaceLengthExceeded                    = "NamespaceLengthExceeded"
	ConditionNamespaceNotDNSCompliant                   = "NamespaceNotDNSCompliant"
	ConditionNamespaceNotFoundOnSourceCluster           = "NamespaceNotFoundOnSourceCluster"
	ConditionNamespaceNotFoundOnDestinationCluster      = "NamespaceNotFoundOnDestinationCluster"
	ConditionDuplicateNamespaceOnSourceCluster          = "DuplicateNamespaceOnSourceCluster"
	ConditionDuplicateNamespaceOnDestinationCluster     = "DuplicateNamespaceOnDestinationCluster"
	ConditionNamespacesHaveNodeSelectors                = "NamespacesHaveNodeSelectors"
	ConditionPodLimitExceeded                           = "PodLimitExceeded"
	ConditionPvLimitExceeded                            = "PvLimitExceeded"
	ConditionClusterVersionMismatch                     = "ClusterVersionMismatch"
	ConditionPlanConflict                               = "PlanConflict"
	ConditionPvInvalidAction                            = "PvInvalidAction"
	ConditionPvInvalidStorageClass                      = "PvInvalidStorageClass"
	ConditionPvInvalidAccessMode                        = "PvInvalidAccessMode"
	ConditionPvNoCopyMethodSelection                    = "PvNoCopyMethodSelection"
	ConditionPvInvalidCopyMethod                        = "PvInvalidCopyMethod"
	ConditionPvNoSupportedAction                        = "PvNoSupportedAction"
	ConditionPvNoStorageClassSelection                  = "PvNoStorageClassSelection"
	ConditionPvWarnAccessModeUnavailable                = "PvWarnAccessModeUnavailable"
	ConditionPvWarnCopyMethodSnapshot                   = "PvWarnCopyMethodSnapshot"
	ConditionPvWarnNoCephAvailable                      = "PvWarnNoCephAvailable"
	ConditionPvNameConflict                             = "PvNameConflict"
	ConditionStorageClassConversionUnavailable          = "StorageClassConversionUnavailable"
	ConditionSourceClusterProxySecretMisconfigured      = "SourceClusterProxySecretMisconfigured"
	ConditionDestinationClusterProxySecretMisconfigured = "DestinationClusterProxySecretMisconfigured"
	ConditionSourcePodsNotHealthy                       = "SourcePodsNotHealthy"
	ConditionGVKsIncompatible                           = "GVKsIncompatible"
	ConditionInvalidHookRef                             = "InvalidHookRef"
	ConditionHookNotReady                               = "HookNotReady"
	ConditionHookPhaseUnknown                           = "HookPhaseUnknown"
	ConditionHookPhaseDuplicate                         = "HookPhaseDuplicate"
	ConditionInvalidHookNSName                          = "InvalidHookNSName"
	ConditionInvalidHookSAName                          = "InvalidHookSAName"
	ConditionIntraClusterMigration                      = "IntraClusterMigration"
	ConditionNfsNotAccessible                           = "NfsNotAccessible"
	ConditionNfsAccessCannotBeValidated                 = "NfsAccessCannotBeValidated"
	ConditionPvCapacityAdjustmentRequired               = "PvCapacityAdjustmentRequired"
	ConditionPvUsageAnalysisFailed                      = "PvUsageAnalysisFailed"
	ConditionKubeVirtNotInstalledSourceCluster          = "KubeVirtNotInstalledSourceCluster"
	ConditionKubeVirtVersionNotSupported                = "KubeVirtVersionNotSupported"
	ConditionKubeVirtStorageLiveMigrationNotEnabled     = "KubeVirtStorageLiveMigrationNotEnabled"
	ConditionClosed                                     = "Closed"
	ConditionSuspended                                  = "Suspended"
	ConditionStorageEnsured                             = "StorageEnsured"
	ConditionPvsDiscovered                              = "PvsDiscovered"
	ConditionMigrationTypeIdentified                    = "MigrationTypeIdentified"
	ConditionRegistriesEnsured                          = "RegistriesEnsured"
	ConditionRegistriesHealthy                          = "RegistriesHealthy"
)

// Reasons of the MigPlan MigrationTypeIdentified condition: the plan type.
const (
	ReasonStorageConversionPlan  = "StorageConversionPlan"
	ReasonStateMigrationPlan     = "StateMigrationPlan"
	ReasonNamespaceMigrationPlan = "NamespaceMigrationPlan"
)

// MigMigration condition types.
const (
	ConditionSucceededWithWarnings              = "SucceededWithWarnings"
	ConditionCanceling                          = "Canceling"
	ConditionCanceled                           = "Canceled"
	ConditionInvalidPlanRef                     = "InvalidPlanRef"
	ConditionPlanNotReady                       = "PlanNotReady"
	ConditionPlanClosed                         = "PlanClosed"
	ConditionHasFinalMigration                  = "HasFinalMigration"
	ConditionInvalidSpec                        = "InvalidSpec"
	ConditionConflictingPVCMappings             = "ConflictingPVCMappings"
	ConditionPostponed                          = "Postponed"
	ConditionRegistriesUnhealthy                = "RegistriesUnhealthy"
	ConditionStageNoOp                          = "StageNoOp"
	ConditionStagePodsCreated                   = "StagePodsCreated"
	ConditionStaleSrcVeleroCRsDeleted           = "StaleSrcVeleroCRsDeleted"
	ConditionStaleDestVeleroCRsDeleted          = "StaleDestVeleroCRsDeleted"
	ConditionStaleResticCRsDeleted              = "StaleResticCRsDeleted"
	ConditionVeleroInitialBackupPartiallyFailed = "VeleroInitialBackupPartiallyFailed"
	ConditionVeleroStageBackupPartiallyFailed   = "VeleroStageBackupPartiallyFailed"
	ConditionVeleroStageRestorePartiallyFailed  = "VeleroStageRestorePartiallyFailed"
	ConditionVeleroFinalRestorePartiallyFailed  = "VeleroFinalRestorePartiallyFailed"
	ConditionResticErrors                       = "ResticErrors"
	ConditionResticVerifyErrors                 = "ResticVerifyErrors"
	ConditionDirectImageMigrationFailed         = "DirectImageMigrationFailed"
	ConditionDirectVolumeMigrationFailed        = "DirectVolumeMigrationFailed"
	ConditionDirectVolumeMigrationBlocked       = "DirectVolumeMigrationBlocked"
	ConditionUnhealthyNamespaces                = "UnhealthyNamespaces"
)

// DirectVolumeMigration condition types and reasons.
const (
	ConditionInvalidPVCs                     = "InvalidPVCs"
	ConditionPodsNotFoundOnSourceCluster     = "PodsNotFoundOnSourceCluster"
	ConditionRsyncRouteNotAdmitted           = "RsyncRouteNotAdmitted"
	ConditionRsyncTransferPodsPending        = "RsyncTransferPodsPending"
	ConditionRsyncClientPodsPending          = "RsyncClientPodsPending"
	ConditionRsyncServerPodsRunningAsNonRoot = "RsyncServerPodsRunningAsNonRoot"
	ConditionFailedCreatingRsyncPods         = "FailedCreatingRsyncPods"
	ConditionFailedDeletingRsyncPods         = "FailedDeletingRsyncPods"
	ConditionSourceToDestinationNetworkError = "SourceToDestinationNetworkError"
	ConditionLiveMigrationsPending           = "LiveMigrationsPending"
	ConditionStunnelClientPodsPending        = "StunnelClientPodsPending"
	ReasonRsyncTimedOut                      = "RsyncTimedOut"
	ReasonRsyncNoRouteToHost                 = "RsyncNoRouteToHost"
	ReasonPodStuckInContainerCreating        = "PodStuckInContainerCreating"
	ReasonRsyncOperationsAreRunningAsNonRoot = "RsyncOperationsAreRunningAsNonRoot"
)

// DirectVolumeMigrationProgress condition types.
const (
	ConditionInvalidClusterRef  = "InvalidClusterRef"
	ConditionClusterNotReady    = "ClusterNotReady"
	ConditionInvalidPodRef      = "InvalidPodRef"
	ConditionInvalidPod         = "InvalidPod"
	ConditionPodNotReady        = "PodNotReady"
	ConditionInvalidPodSelector = "InvalidPodSelector"
)

// DirectImageMigration condition types.
const (
	ConditionInvalidDestinationCluster             = "InvalidDestinationCluster"
	ConditionMissingSourceClusterRegistryPath      = "MissingSourceClusterRegistryPath"
	ConditionMissingDestinationClusterRegistryPath = "MissingDestinationClusterRegistryPath"
)

// MigAnalytic condition types and reasons.
const (
	ConditionExtendedPVAnalysisFailed  = "ExtendedPVAnalysisFailed"
	ConditionExtendedPVAnalysisStarted = "ExtendedPVAnalysisStarted"
	ReasonFailedRunningDf              = "FailedRunningDf"
	ReasonFailedRunningDu              = "FailedRunningDu"
)
