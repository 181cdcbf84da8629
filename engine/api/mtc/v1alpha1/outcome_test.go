package v1alpha1

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestMigMigrationOutcome(t *testing.T) {
	adv := func(ty string) Condition { return cond(ty, ConditionTrue, CategoryAdvisory) }
	tests := []struct {
		name       string
		phase      string
		itinerary  string
		conditions Conditions
		want       Outcome
		terminal   bool
		successful bool
	}{
		{"new", PhaseCreated, "", nil, OutcomePending, false, false},
		{"blocked by plan", PhaseCreated, "", Conditions{cond(ConditionPlanNotReady, ConditionTrue, CategoryCritical)}, OutcomeBlocked, false, false},
		{"postponed", PhaseCreated, "", Conditions{cond(ConditionPostponed, ConditionTrue, CategoryCritical)}, OutcomeBlocked, false, false},
		{"running", PhaseEnsureInitialBackup, ItineraryFinal, Conditions{adv(ConditionRunning)}, OutcomeRunning, false, false},
		{"running with warning", PhaseWaitForDirectVolumeMigrationToComplete, ItineraryFinal,
			Conditions{adv(ConditionRunning), cond(ConditionDirectVolumeMigrationBlocked, ConditionTrue, CategoryWarn)}, OutcomeRunning, false, false},
		{"phase without Running condition", PhaseStarted, ItineraryStage, nil, OutcomeRunning, false, false},
		{"failing", PhaseDeleteRegistries, ItineraryFailed, Conditions{adv(ConditionFailed)}, OutcomeFailing, false, false},
		{"canceling", PhaseDeleteBackups, ItineraryCancel, Conditions{adv(ConditionCanceling)}, OutcomeCanceling, false, false},
		{"succeeded", PhaseCompleted, ItineraryFinal, Conditions{adv(ConditionSucceeded)}, OutcomeSucceeded, true, true},
		{"succeeded with warnings", PhaseCompleted, ItineraryFinal,
			Conditions{adv(ConditionSucceededWithWarnings), cond(ConditionVeleroFinalRestorePartiallyFailed, ConditionTrue, CategoryWarn)},
			OutcomeSucceededWithWarnings, true, true},
		{"failed", PhaseCompleted, ItineraryFailed, Conditions{adv(ConditionFailed)}, OutcomeFailed, true, false},
		{"failed wins over succeeded", PhaseCompleted, ItineraryFailed, Conditions{adv(ConditionSucceeded), adv(ConditionFailed)}, OutcomeFailed, true, false},
		{"canceled", PhaseCompleted, ItineraryCancel, Conditions{adv(ConditionCanceled)}, OutcomeCanceled, true, false},
		{"rollback succeeded", PhaseCompleted, ItineraryRollback, Conditions{adv(ConditionSucceeded)}, OutcomeSucceeded, true, true},
		{"completed without outcome", PhaseCompleted, ItineraryFinal, nil, OutcomeCompletedUnknown, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &MigMigration{Status: MigMigrationStatus{Phase: tt.phase, Itinerary: tt.itinerary, Conditions: tt.conditions}}
			got := m.Outcome()
			if got != tt.want {
				t.Fatalf("Outcome() = %s, want %s", got, tt.want)
			}
			if got.Terminal() != tt.terminal || got.Successful() != tt.successful {
				t.Errorf("%s: Terminal()=%v Successful()=%v, want %v %v", got, got.Terminal(), got.Successful(), tt.terminal, tt.successful)
			}
		})
	}
}

func TestExpectedItinerary(t *testing.T) {
	tests := []struct {
		name string
		spec MigMigrationSpec
		want string
	}{
		{"final", MigMigrationSpec{}, ItineraryFinal},
		{"stage", MigMigrationSpec{Stage: true}, ItineraryStage},
		{"state migration", MigMigrationSpec{MigrateState: true}, ItineraryStage},
		{"rollback", MigMigrationSpec{Rollback: true}, ItineraryRollback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.spec.ExpectedItinerary(); got != tt.want {
				t.Errorf("ExpectedItinerary() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPipelineSteps(t *testing.T) {
	now := metav1.Now()
	s := MigMigrationStatus{Pipeline: []Step{
		{Name: StepPrepare, Started: &now, Completed: &now},
		{Name: StepBackup, Started: &now},
		{Name: StepRestore},
	}}
	if st := s.CurrentStep(); st == nil || st.Name != StepBackup {
		t.Errorf("CurrentStep() = %+v", st)
	}
	if st := s.FailedStep(); st != nil {
		t.Errorf("FailedStep() = %+v, want nil", st)
	}
	s.Pipeline[1].Failed = true
	if st := s.FailedStep(); st == nil || st.Name != StepBackup {
		t.Errorf("FailedStep() = %+v", st)
	}
}
