package v1alpha1

// Outcome summarises where a MigMigration stands, derived from its phase and
// conditions the way MTC's UI does. status.phase alone is not enough:
// "Completed" is terminal for success, failure, cancel and rollback alike.
type Outcome string

// MigMigration outcomes.
const (
	// OutcomePending: the controller has not started the migration yet.
	OutcomePending Outcome = "Pending"
	// OutcomeBlocked: a Critical condition (PlanNotReady, Postponed,
	// HasFinalMigration, InvalidSpec, ...) keeps it from progressing.
	OutcomeBlocked Outcome = "Blocked"
	// OutcomeRunning: the controller is working through the itinerary.
	OutcomeRunning Outcome = "Running"
	// OutcomeCanceling: cancel requested, Cancel itinerary still running.
	OutcomeCanceling Outcome = "Canceling"
	// OutcomeFailing: failed, Failed itinerary (cleanup) still running.
	OutcomeFailing Outcome = "Failing"
	// OutcomeSucceeded: completed without failures or warnings.
	OutcomeSucceeded Outcome = "Succeeded"
	// OutcomeSucceededWithWarnings: completed; Warn conditions explain what
	// went partly wrong (Velero partial failures, DVM warnings, ...).
	OutcomeSucceededWithWarnings Outcome = "SucceededWithWarnings"
	// OutcomeFailed: completed with the Failed condition; see status.errors
	// and the failed pipeline step.
	OutcomeFailed Outcome = "Failed"
	// OutcomeCanceled: completed the Cancel itinerary.
	OutcomeCanceled Outcome = "Canceled"
	// OutcomeCompletedUnknown: phase Completed but none of the outcome
	// conditions is present (e.g. a hand-edited or truncated object).
	OutcomeCompletedUnknown Outcome = "CompletedUnknown"
)

// Terminal reports whether the migration has reached phase Completed.
func (o Outcome) Terminal() bool {
	switch o {
	case OutcomeSucceeded, OutcomeSucceededWithWarnings, OutcomeFailed, OutcomeCanceled, OutcomeCompletedUnknown:
		return true
	}
	return false
}

// Successful reports whether the migration completed and its data and
// resources are in place (possibly with warnings).
func (o Outcome) Successful() bool {
	return o == OutcomeSucceeded || o == OutcomeSucceededWithWarnings
}

// Outcome derives the migration's outcome from its status.
func (m *MigMigration) Outcome() Outcome {
	cs := m.Status.Conditions
	if m.Status.Phase == PhaseCompleted {
		switch {
		case cs.HasCondition(ConditionFailed):
			return OutcomeFailed
		case cs.HasCondition(ConditionCanceled):
			return OutcomeCanceled
		case cs.HasCondition(ConditionSucceededWithWarnings):
			return OutcomeSucceededWithWarnings
		case cs.HasCondition(ConditionSucceeded):
			return OutcomeSucceeded
		}
		return OutcomeCompletedUnknown
	}
	switch {
	case cs.HasCondition(ConditionFailed) || m.Status.Itinerary == ItineraryFailed:
		return OutcomeFailing
	case cs.HasCondition(ConditionCanceling, ConditionCanceled) || m.Status.Itinerary == ItineraryCancel:
		return OutcomeCanceling
	case cs.HasCritical():
		return OutcomeBlocked
	case cs.HasCondition(ConditionRunning) || m.Status.Phase != PhaseCreated:
		return OutcomeRunning
	}
	return OutcomePending
}

// ExpectedItinerary returns the itinerary the controller picks for this spec
// before any failure or cancel: Rollback, Stage (stage or migrateState) or
// Final.
func (s *MigMigrationSpec) ExpectedItinerary() string {
	switch {
	case s.Rollback:
		return ItineraryRollback
	case s.Stage || s.MigrateState:
		return ItineraryStage
	}
	return ItineraryFinal
}

// FailedStep returns the first pipeline step marked failed, or nil.
func (s *MigMigrationStatus) FailedStep() *Step {
	for i := range s.Pipeline {
		if s.Pipeline[i].Failed {
			return &s.Pipeline[i]
		}
	}
	return nil
}

// CurrentStep returns the pipeline step that has started but not completed,
// or nil when none is in progress.
func (s *MigMigrationStatus) CurrentStep() *Step {
	for i := range s.Pipeline {
		st := &s.Pipeline[i]
		if st.Started != nil && st.Completed == nil {
			return st
		}
	}
	return nil
}
