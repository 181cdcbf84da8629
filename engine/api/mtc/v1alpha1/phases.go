package v1alpha1

// MigMigration itineraries (status.itinerary).
const (
	ItineraryStage    = "Stage"
	ItineraryFinal    = "Final"
	ItineraryCancel   = "Cancel"
	ItineraryFailed   = "Failed"
	ItineraryRollback = "Rollback"
)

// MigMigration phases (status.phase). PhaseCompleted is terminal for success,
// failure, cancel and rollback alike; the outcome is in the conditions.
const (
	PhaseCreated                                = ""
	PhaseStarted                                = "Started"
	PhaseStartRefresh                           = "StartRefresh"
	PhaseWaitForRefresh                         = "WaitForRefresh"
	PhaseCleanStaleAnnotations                  = "CleanStaleAnnotations"
	PhaseCleanStaleResticCRs                    = "CleanStaleResticCRs"
	PhaseCleanStaleVeleroCRs                    = "CleanStaleVeleroCRs"
	PhaseRestartVelero                          = "RestartVelero"
	PhaseCleanStaleStagePods                    = "CleanStaleStagePods"
	PhaseWaitForStaleStagePodsTerminated        = "WaitForStaleStagePodsTerminated"
	PhaseCreateRegistries                       = "CreateRegistries"
	PhaseWaitForVeleroReady                     = "WaitForVeleroReady"
	PhaseWaitForRegistriesReady                 = "WaitForRegistriesReady"
	PhaseEnsureCloudSecretPropagated            = "EnsureCloudSecretPropagated"
	PhasePreBackupHooks                         = "PreBackupHooks"
	PhaseCreateDirectImageMigration             = "CreateDirectImageMigration"
	PhaseCreateDirectVolumeMigrationStage       = "CreateDirectVolumeMigrationStage"
	PhaseEnsureInitialBackup                    = "EnsureInitialBackup"
	PhaseInitialBackupCreated                   = "InitialBackupCreated"
	PhaseQuiesceSourceApplications              = "QuiesceSourceApplications"
	PhaseEnsureSrcQuiesced                      = "EnsureSrcQuiesced"
	PhaseEnsureStagePodsFromRunning             = "EnsureStagePodsFromRunning"
	PhaseEnsureStagePodsFromTemplates           = "EnsureStagePodsFromTemplates"
	PhaseEnsureStagePodsFromOrphanedPVCs        = "EnsureStagePodsFromOrphanedPVCs"
	PhaseStagePodsCreated                       = "StagePodsCreated"
	PhaseRestartRestic                          = "RestartRestic"
	PhaseAnnotateResources                      = "AnnotateResources"
	PhaseWaitForResticReady                     = "WaitForResticReady"
	PhaseCreateDirectVolumeMigrationFinal       = "CreateDirectVolumeMigrationFinal"
	PhaseEnsureStageBackup                      = "EnsureStageBackup"
	PhaseStageBackupCreated                     = "StageBackupCreated"
	PhaseEnsureStageBackupReplicated            = "EnsureStageBackupReplicated"
	PhaseEnsureStageRestore                     = "EnsureStageRestore"
	PhaseStageRestoreCreated                    = "StageRestoreCreated"
	PhaseEnsureStagePodsDeleted                 = "EnsureStagePodsDeleted"
	PhaseEnsureStagePodsTerminated              = "EnsureStagePodsTerminated"
	PhaseEnsureAnnotationsDeleted               = "EnsureAnnotationsDeleted"
	PhaseWaitForDirectImageMigrationToComplete  = "WaitForDirectImageMigrationToComplete"
	PhaseWaitForDirectVolumeMigrationToComplete = "WaitForDirectVolumeMigrationToComplete"
	PhasePostBackupHooks                        = "PostBackupHooks"
	PhasePreRestoreHooks                        = "PreRestoreHooks"
	PhaseEnsureInitialBackupReplicated          = "EnsureInitialBackupReplicated"
	PhaseEnsureFinalRestore                     = "EnsureFinalRestore"
	PhaseFinalRestoreCreated                    = "FinalRestoreCreated"
	PhaseUnQuiesceDestApplications              = "UnQuiesceDestApplications"
	PhasePostRestoreHooks                       = "PostRestoreHooks"
	PhaseSwapPVCReferences                      = "SwapPVCReferences"
	PhaseDeleteRegistries                       = "DeleteRegistries"
	PhaseVerification                           = "Verification"
	PhaseCompleted                              = "Completed"
	PhaseCanceling                              = "Canceling"
	PhaseDeleteBackups                          = "DeleteBackups"
	PhaseDeleteRestores                         = "DeleteRestores"
	PhaseDeleteHookJobs                         = "DeleteHookJobs"
	PhaseDeleteDirectVolumeMigrationResources   = "DeleteDirectVolumeMigrationResources"
	PhaseDeleteDirectImageMigrationResources    = "DeleteDirectImageMigrationResources"
	PhaseUnQuiesceSrcApplications               = "UnQuiesceSrcApplications"
	PhaseCanceled                               = "Canceled"
	PhaseMigrationFailed                        = "MigrationFailed"
	PhaseRollback                               = "Rollback"
	PhaseQuiesceDestinationApplications         = "QuiesceDestinationApplications"
	PhaseEnsureDestQuiesced                     = "EnsureDestQuiesced"
	PhaseCreateDirectVolumeMigrationRollback    = "CreateDirectVolumeMigrationRollback"
	PhaseDeleteMigrated                         = "DeleteMigrated"
	PhaseEnsureMigratedDeleted                  = "EnsureMigratedDeleted"
	// PhaseWaitForDirectVolumeMigrationRollbackToComplete keeps the controller's
	// string value, whose word order differs from its Go constant name.
	PhaseWaitForDirectVolumeMigrationRollbackToComplete = "WaitForDirectVolumeMigrationToRollbackComplete"
)

// Failure phases, set transiently when a step fails; the Failed condition's
// reason carries the phase in which the migration failed.
const (
	PhasePreBackupHooksFailed        = "PreBackupHooksFailed"
	PhasePostBackupHooksFailed       = "PostBackupHooksFailed"
	PhasePreRestoreHooksFailed       = "PreRestoreHooksFailed"
	PhasePostRestoreHooksFailed      = "PostRestoreHooksFailed"
	PhaseInitialBackupFailed         = "InitialBackupFailed"
	PhaseStagePodsFailed             = "StagePodsFailed"
	PhaseSourceStagePodsFailed       = "SourceStagePodsFailed"
	PhaseStageBackupFailed           = "StageBackupFailed"
	PhaseStageRestoreFailed          = "StageRestoreFailed"
	PhaseFinalRestoreFailed          = "FinalRestoreFailed"
	PhaseDirectVolumeMigrationFailed = "DirectVolumeMigrationFailed"
)

// MigMigration pipeline step names (status.pipeline[].name). Hook steps are
// named after the hook phase (PhasePreBackupHooks, ...).
const (
	StepPrepare               = "Prepare"
	StepDirectImage           = "DirectImage"
	StepDirectVolume          = "DirectVolume"
	StepBackup                = "Backup"
	StepStageBackup           = "StageBackup"
	StepStageRestore          = "StageRestore"
	StepRestore               = "Restore"
	StepCleanup               = "Cleanup"
	StepCleanupVelero         = "CleanupVelero"
	StepCleanupHelpers        = "CleanupHelpers"
	StepCleanupMigrated       = "CleanupMigrated"
	StepCleanupUnquiesce      = "CleanupUnquiesce"
	StepRollbackLiveMigration = "RollbackLiveMigration"
)

// Pipeline step messages written by the controller when it reflects the
// pipeline.
const (
	StepMessageCompleted  = "Completed"
	StepMessageFailed     = "Failed"
	StepMessageSkipped    = "Skipped"
	StepMessageNotStarted = "Not started"
)

// DirectVolumeMigration itineraries (status.itinerary).
const (
	DVMItineraryVolumeMigration         = "VolumeMigration"
	DVMItineraryVolumeMigrationFailed   = "VolumeMigrationFailed"
	DVMItineraryVolumeMigrationRollback = "VolumeMigrationRollback"
)

// DirectVolumeMigration phases (status.phase); "", Started, Completed and
// MigrationFailed are shared with the MigMigration constants above.
const (
	DVMPhasePrepare                                     = "Prepare"
	DVMPhaseCleanStaleRsyncResources                    = "CleanStaleRsyncResources"
	DVMPhaseWaitForStaleRsyncResourcesTerminated        = "WaitForStaleRsyncResourcesTerminated"
	DVMPhaseVerifyVMs                                   = "VerifyVMs"
	DVMPhaseCreateDestinationNamespaces                 = "CreateDestinationNamespaces"
	DVMPhaseDestinationNamespacesCreated                = "DestinationNamespacesCreated"
	DVMPhaseCreateDestinationPVCs                       = "CreateDestinationPVCs"
	DVMPhaseDeleteStaleVirtualMachineInstanceMigrations = "DeleteStaleVirtualMachineInstanceMigrations"
	DVMPhaseCreateRsyncRoute                            = "CreateRsyncRoute"
	DVMPhaseEnsureRsyncRouteAdmitted                    = "EnsureRsyncRouteAdmitted"
	DVMPhaseCreateRsyncConfig                           = "CreateRsyncConfig"
	DVMPhaseCreateStunnelConfig                         = "CreateStunnelConfig"
	DVMPhaseCreatePVProgressCRs                         = "CreatePVProgressCRs"
	DVMPhaseCreateRsyncTransferPods                     = "CreateRsyncTransferPods"
	DVMPhaseWaitForRsyncTransferPodsRunning             = "WaitForRsyncTransferPodsRunning"
	DVMPhaseRunRsyncOperations                          = "RunRsyncOperations"
	DVMPhaseDeleteRsyncResources                        = "DeleteRsyncResources"
	DVMPhaseWaitForRsyncResourcesTerminated             = "WaitForRsyncResourcesTerminated"
	DVMPhaseCleanupStaleVirtHandlerPods                 = "CleanupStaleVirtHandlerPods"
)

// DirectImageMigration phases (status.phase).
const (
	DIMPhasePrepare                                         = "Prepare"
	DIMPhaseCreateDestinationNamespaces                     = "CreateDestinationNamespaces"
	DIMPhaseListImageStreams                                = "ListImageStreams"
	DIMPhaseCreateDirectImageStreamMigrations               = "CreateDirectImageStreamMigrations"
	DIMPhaseWaitingForDirectImageStreamMigrationsToComplete = "WaitingForDirectImageStreamMigrationsToComplete"
)

// PhaseStep pairs a MigMigration phase with the pipeline step it reports
// progress under.
type PhaseStep struct {
	Phase string
	Step  string
}

// ItineraryPhases returns, in execution order, every phase the controller may
// run for the named itinerary together with its pipeline step, or nil for an
// unknown name. Some phases are skipped at run time depending on the plan
// (quiesce, direct/indirect volume and image migration, hooks, storage
// conversion, live VM migration), so the list is an upper bound: use it to
// place a phase in context ("how far did it get"), not to count steps. A
// fresh slice is returned on every call.
func ItineraryPhases(itinerary string) []PhaseStep {
	switch itinerary {
	case ItineraryStage:
		return stageItinerary()
	case ItineraryFinal:
		return finalItinerary()
	case ItineraryCancel:
		return cancelItinerary()
	case ItineraryFailed:
		return failedItinerary()
	case ItineraryRollback:
		return rollbackItinerary()
	}
	return nil
}

// StepForPhase returns the pipeline step under which phase runs in the named
// itinerary, or "" if the phase is not part of it.
func StepForPhase(itinerary, phase string) string {
	for _, ps := range ItineraryPhases(itinerary) {
		if ps.Phase == phase {
			return ps.Step
		}
	}
	return ""
}

func prepareSteps() []PhaseStep {
	return []PhaseStep{
		{PhaseCreated, StepPrepare},
		{PhaseStarted, StepPrepare},
		{PhaseStartRefresh, StepPrepare},
		{PhaseWaitForRefresh, StepPrepare},
		{PhaseCleanStaleAnnotations, StepPrepare},
		{PhaseCleanStaleResticCRs, StepPrepare},
		{PhaseCleanStaleVeleroCRs, StepPrepare},
		{PhaseRestartVelero, StepPrepare},
		{PhaseCleanStaleStagePods, StepPrepare},
		{PhaseWaitForStaleStagePodsTerminated, StepPrepare},
		{PhaseCreateRegistries, StepPrepare},
	}
}

func stageItinerary() []PhaseStep {
	return append(prepareSteps(),
		PhaseStep{PhaseCreateDirectImageMigration, StepStageBackup},
		PhaseStep{PhaseQuiesceSourceApplications, StepStageBackup},
		PhaseStep{PhaseEnsureSrcQuiesced, StepStageBackup},
		PhaseStep{PhaseCreateDirectVolumeMigrationStage, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromRunning, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromTemplates, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromOrphanedPVCs, StepStageBackup},
		PhaseStep{PhaseStagePodsCreated, StepStageBackup},
		PhaseStep{PhaseRestartRestic, StepStageBackup},
		PhaseStep{PhaseAnnotateResources, StepStageBackup},
		PhaseStep{PhaseWaitForVeleroReady, StepStageBackup},
		PhaseStep{PhaseWaitForResticReady, StepStageBackup},
		PhaseStep{PhaseWaitForRegistriesReady, StepStageBackup},
		PhaseStep{PhaseEnsureCloudSecretPropagated, StepStageBackup},
		PhaseStep{PhaseEnsureStageBackup, StepStageBackup},
		PhaseStep{PhaseStageBackupCreated, StepStageBackup},
		PhaseStep{PhaseEnsureStageBackupReplicated, StepStageBackup},
		PhaseStep{PhaseEnsureStageRestore, StepStageRestore},
		PhaseStep{PhaseStageRestoreCreated, StepStageRestore},
		PhaseStep{PhaseWaitForDirectImageMigrationToComplete, StepDirectImage},
		PhaseStep{PhaseWaitForDirectVolumeMigrationToComplete, StepDirectVolume},
		PhaseStep{PhaseSwapPVCReferences, StepCleanup},
		PhaseStep{PhaseDeleteRegistries, StepCleanup},
		PhaseStep{PhaseEnsureStagePodsDeleted, StepCleanup},
		PhaseStep{PhaseEnsureStagePodsTerminated, StepCleanup},
		PhaseStep{PhaseEnsureAnnotationsDeleted, StepCleanup},
		PhaseStep{PhaseCompleted, StepCleanup},
	)
}

func finalItinerary() []PhaseStep {
	return append(prepareSteps(),
		PhaseStep{PhaseWaitForVeleroReady, StepPrepare},
		PhaseStep{PhaseWaitForRegistriesReady, StepPrepare},
		PhaseStep{PhaseEnsureCloudSecretPropagated, StepPrepare},
		PhaseStep{PhasePreBackupHooks, PhasePreBackupHooks},
		PhaseStep{PhaseCreateDirectImageMigration, StepBackup},
		PhaseStep{PhaseCreateDirectVolumeMigrationStage, StepStageBackup},
		PhaseStep{PhaseEnsureInitialBackup, StepBackup},
		PhaseStep{PhaseInitialBackupCreated, StepBackup},
		PhaseStep{PhaseQuiesceSourceApplications, StepStageBackup},
		PhaseStep{PhaseEnsureSrcQuiesced, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromRunning, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromTemplates, StepStageBackup},
		PhaseStep{PhaseEnsureStagePodsFromOrphanedPVCs, StepStageBackup},
		PhaseStep{PhaseStagePodsCreated, StepStageBackup},
		PhaseStep{PhaseRestartRestic, StepStageBackup},
		PhaseStep{PhaseAnnotateResources, StepStageBackup},
		PhaseStep{PhaseWaitForResticReady, StepStageBackup},
		PhaseStep{PhaseCreateDirectVolumeMigrationFinal, StepStageBackup},
		PhaseStep{PhaseEnsureStageBackup, StepStageBackup},
		PhaseStep{PhaseStageBackupCreated, StepStageBackup},
		PhaseStep{PhaseEnsureStageBackupReplicated, StepStageBackup},
		PhaseStep{PhaseEnsureStageRestore, StepStageRestore},
		PhaseStep{PhaseStageRestoreCreated, StepStageRestore},
		PhaseStep{PhaseEnsureStagePodsDeleted, StepStageRestore},
		PhaseStep{PhaseEnsureStagePodsTerminated, StepStageRestore},
		PhaseStep{PhaseEnsureAnnotationsDeleted, StepStageRestore},
		PhaseStep{PhaseWaitForDirectImageMigrationToComplete, StepDirectImage},
		PhaseStep{PhaseWaitForDirectVolumeMigrationToComplete, StepDirectVolume},
		PhaseStep{PhasePostBackupHooks, PhasePostBackupHooks},
		PhaseStep{PhasePreRestoreHooks, PhasePreRestoreHooks},
		PhaseStep{PhaseEnsureInitialBackupReplicated, StepRestore},
		PhaseStep{PhaseEnsureFinalRestore, StepRestore},
		PhaseStep{PhaseFinalRestoreCreated, StepRestore},
		PhaseStep{PhaseUnQuiesceDestApplications, StepRestore},
		PhaseStep{PhasePostRestoreHooks, PhasePostRestoreHooks},
		PhaseStep{PhaseSwapPVCReferences, StepCleanup},
		PhaseStep{PhaseDeleteRegistries, StepCleanup},
		PhaseStep{PhaseVerification, StepCleanup},
		PhaseStep{PhaseCompleted, StepCleanup},
	)
}

func cancelItinerary() []PhaseStep {
	return []PhaseStep{
		{PhaseCanceling, StepCleanupVelero},
		{PhaseDeleteBackups, StepCleanupVelero},
		{PhaseDeleteRestores, StepCleanupVelero},
		{PhaseDeleteRegistries, StepCleanupHelpers},
		{PhaseDeleteHookJobs, StepCleanupHelpers},
		{PhaseDeleteDirectVolumeMigrationResources, StepCleanupHelpers},
		{PhaseDeleteDirectImageMigrationResources, StepCleanupHelpers},
		{PhaseEnsureStagePodsDeleted, StepCleanupHelpers},
		{PhaseEnsureAnnotationsDeleted, StepCleanupHelpers},
		{PhaseUnQuiesceSrcApplications, StepCleanupUnquiesce},
		{PhaseCanceled, StepCleanup},
		{PhaseCompleted, StepCleanup},
	}
}

func failedItinerary() []PhaseStep {
	return []PhaseStep{
		{PhaseMigrationFailed, StepCleanupHelpers},
		{PhaseDeleteRegistries, StepCleanupHelpers},
		{PhaseEnsureAnnotationsDeleted, StepCleanupHelpers},
		{PhaseCompleted, StepCleanup},
	}
}

func rollbackItinerary() []PhaseStep {
	return []PhaseStep{
		{PhaseRollback, StepCleanupVelero},
		{PhaseDeleteBackups, StepCleanupVelero},
		{PhaseDeleteRestores, StepCleanupVelero},
		{PhaseDeleteRegistries, StepCleanupHelpers},
		{PhaseEnsureStagePodsDeleted, StepCleanupHelpers},
		{PhaseEnsureAnnotationsDeleted, StepCleanupHelpers},
		{PhaseQuiesceDestinationApplications, StepCleanupMigrated},
		{PhaseEnsureDestQuiesced, StepCleanupMigrated},
		{PhaseSwapPVCReferences, StepCleanupMigrated},
		{PhaseCreateDirectVolumeMigrationRollback, StepRollbackLiveMigration},
		{PhaseWaitForDirectVolumeMigrationRollbackToComplete, StepRollbackLiveMigration},
		{PhaseDeleteMigrated, StepCleanupMigrated},
		{PhaseEnsureMigratedDeleted, StepCleanupMigrated},
		{PhaseUnQuiesceSrcApplications, StepCleanupUnquiesce},
		{PhaseCompleted, StepCleanup},
	}
}
