package v1alpha1

import (
	"reflect"
	"testing"
)

func TestCorrelationLabels(t *testing.T) {
	k, v := CorrelationLabel(KindMigPlan, "uid-1")
	if k != "migplan" || v != "uid-1" {
		t.Errorf("CorrelationLabel = %s=%s", k, v)
	}
	got := CorrelationLabels(KindDirectVolumeMigration, "uid-2")
	want := map[string]string{PartOfLabel: PartOfValue, "directvolumemigration": "uid-2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CorrelationLabels = %v", got)
	}
	dvm := DVMLabels("dvm-uid", "plan-uid")
	if dvm["directvolumemigration"] != "dvm-uid" || dvm[MigratedByMigPlanLabel] != "plan-uid" || dvm[DVMAppLabel] != DVMAppValue {
		t.Errorf("DVMLabels = %v", dvm)
	}
}

func TestMD5Names(t *testing.T) {
	// md5("abc") is a published test vector.
	if got := RsyncPodSelectorValue("abc"); got != "900150983cd24fb0d6963f7d28e17f72" {
		t.Errorf("RsyncPodSelectorValue = %s", got)
	}
	if DVMPName("a", "b", "c") != RsyncPodSelectorValue("abc") {
		t.Error("DVMPName must hash the concatenation dvm+pvc+namespace")
	}
}

func TestItineraryPhases(t *testing.T) {
	for _, it := range []string{ItineraryStage, ItineraryFinal, ItineraryCancel, ItineraryFailed, ItineraryRollback} {
		t.Run(it, func(t *testing.T) {
			phases := ItineraryPhases(it)
			if len(phases) == 0 || phases[len(phases)-1].Phase != PhaseCompleted {
				t.Fatalf("itinerary %s must end with Completed: %v", it, phases)
			}
			phases[0].Phase = "mutated"
			if ItineraryPhases(it)[0].Phase == "mutated" {
				t.Error("ItineraryPhases must return a fresh slice")
			}
		})
	}
	if ItineraryPhases("nope") != nil {
		t.Error("unknown itinerary must yield nil")
	}
	tests := []struct{ itinerary, phase, step string }{
		{ItineraryFinal, PhaseEnsureInitialBackup, StepBackup},
		{ItineraryFinal, PhaseFinalRestoreCreated, StepRestore},
		{ItineraryFinal, PhasePreBackupHooks, PhasePreBackupHooks},
		{ItineraryStage, PhaseEnsureStageRestore, StepStageRestore},
		{ItineraryRollback, PhaseDeleteMigrated, StepCleanupMigrated},
		{ItineraryRollback, PhaseWaitForDirectVolumeMigrationRollbackToComplete, StepRollbackLiveMigration},
		{ItineraryCancel, PhaseUnQuiesceSrcApplications, StepCleanupUnquiesce},
		{ItineraryStage, PhaseEnsureFinalRestore, ""},
	}
	for _, tt := range tests {
		t.Run(tt.itinerary+"/"+tt.phase, func(t *testing.T) {
			if got := StepForPhase(tt.itinerary, tt.phase); got != tt.step {
				t.Errorf("StepForPhase = %q, want %q", got, tt.step)
			}
		})
	}
}
