// Package migration creates, follows, cancels and inspects MTC migrations
// (MigMigration). Following reports progress through a callback; nothing
// here prints.
package migration

import (
	"strconv"
	"strings"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// Progress is what a MigMigration says about itself at one moment.
type Progress struct {
	Name      string      `json:"name"`
	Plan      string      `json:"plan"`
	Kind      string      `json:"kind"` // Stage, Final or Rollback
	Itinerary string      `json:"itinerary,omitempty"`
	Phase     string      `json:"phase,omitempty"`
	Outcome   mtc.Outcome `json:"outcome"`
	// Step and Total come from the Running condition ("Step: 12/38").
	Step  int `json:"step,omitempty"`
	Total int `json:"total,omitempty"`
	// Pipeline is the UI's step list; Current the step in progress.
	Pipeline []mtc.Step `json:"pipeline,omitempty"`
	Current  string     `json:"current,omitempty"`
	// FailedStep and FailedPhase say where a failed migration stopped.
	FailedStep  string          `json:"failedStep,omitempty"`
	FailedPhase string          `json:"failedPhase,omitempty"`
	Errors      []string        `json:"errors,omitempty"`
	Warnings    []mtc.Condition `json:"warnings,omitempty"`
	Blockers    []mtc.Condition `json:"blockers,omitempty"`
}

// Snapshot reads a MigMigration's status into a Progress.
func Snapshot(m *mtc.MigMigration) Progress {
	p := Progress{
		Name: m.Name, Kind: m.Spec.ExpectedItinerary(), Itinerary: m.Status.Itinerary,
		Phase: m.Status.Phase, Outcome: m.Outcome(), Pipeline: m.Status.Pipeline,
		Errors: m.Status.Errors, Warnings: m.Status.Conditions.Warnings(), Blockers: m.Status.Conditions.Blockers(),
	}
	if m.Spec.MigPlanRef != nil {
		p.Plan = m.Spec.MigPlanRef.Name
	}
	if c := m.Status.Conditions.Find(mtc.ConditionRunning); c.IsTrue() {
		p.Step, p.Total = ParseStep(c.Message)
	}
	if s := m.Status.CurrentStep(); s != nil {
		p.Current = s.Name
	}
	if s := m.Status.FailedStep(); s != nil {
		p.FailedStep = s.Name
	}
	if c := m.Status.Conditions.Find(mtc.ConditionFailed); c.IsTrue() {
		p.FailedPhase = c.Reason
	}
	return p
}

// ParseStep parses the Running condition's "Step: n/total" message; it
// returns zeros when the message has another shape.
func ParseStep(msg string) (step, total int) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(msg), "Step:")
	if !ok {
		return 0, 0
	}
	a, b, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok {
		return 0, 0
	}
	n, err1 := strconv.Atoi(strings.TrimSpace(a))
	t, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 0 || t <= 0 {
		return 0, 0
	}
	return n, t
}

// StepLabel renders "12/38", or "" when unknown.
func (p Progress) StepLabel() string {
	if p.Total == 0 {
		return ""
	}
	return strconv.Itoa(p.Step) + "/" + strconv.Itoa(p.Total)
}

// terminalBlockers are Critical conditions the controller never clears by
// itself: a migration carrying one will not start, so following it further
// is pointless. PlanNotReady, Postponed and ReconcileFailed are transient.
var terminalBlockers = []string{
	mtc.ConditionPlanClosed, mtc.ConditionHasFinalMigration, mtc.ConditionInvalidSpec,
	mtc.ConditionInvalidPlanRef, mtc.ConditionConflictingPVCMappings,
}

// StuckBlockers returns the blockers among terminalBlockers, when the
// migration has not started.
func (p Progress) StuckBlockers() []mtc.Condition {
	if p.Outcome != mtc.OutcomeBlocked {
		return nil
	}
	var out []mtc.Condition
	for _, c := range p.Blockers {
		for _, t := range terminalBlockers {
			if c.Type == t {
				out = append(out, c)
			}
		}
	}
	return out
}

// Done reports whether following can stop: the migration completed, or it
// is blocked by a condition the controller never clears.
func (p Progress) Done() bool {
	return p.Outcome.Terminal() || len(p.StuckBlockers()) > 0
}

// Update is one change the follower observed.
type Update struct {
	Progress Progress
	// Changed is true when the phase, step or pipeline moved.
	Changed bool
	// NewWarnings, NewBlockers and NewErrors were not in the previous
	// update; the first update carries everything present.
	NewWarnings []mtc.Condition
	NewBlockers []mtc.Condition
	NewErrors   []string
}

// diff computes the Update between prev (nil for the first) and cur.
func diff(prev *Progress, cur Progress) Update {
	u := Update{Progress: cur}
	if prev == nil {
		u.Changed = true
		u.NewWarnings, u.NewBlockers, u.NewErrors = cur.Warnings, cur.Blockers, cur.Errors
		return u
	}
	u.Changed = prev.Phase != cur.Phase || prev.Step != cur.Step || prev.Total != cur.Total ||
		prev.Outcome != cur.Outcome || !samePipeline(prev.Pipeline, cur.Pipeline)
	u.NewWarnings = newConditions(prev.Warnings, cur.Warnings)
	u.NewBlockers = newConditions(prev.Blockers, cur.Blockers)
	for _, e := range cur.Errors {
		if !contains(prev.Errors, e) {
			u.NewErrors = append(u.NewErrors, e)
		}
	}
	return u
}

// Empty reports whether the update carries nothing worth reporting.
func (u Update) Empty() bool {
	return !u.Changed && len(u.NewWarnings) == 0 && len(u.NewBlockers) == 0 && len(u.NewErrors) == 0
}

func newConditions(prev, cur []mtc.Condition) []mtc.Condition {
	var out []mtc.Condition
	for _, c := range cur {
		seen := false
		for _, p := range prev {
			if p.Type == c.Type && p.Message == c.Message {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, c)
		}
	}
	return out
}

func samePipeline(a, b []mtc.Step) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Message != b[i].Message || a[i].Failed != b[i].Failed ||
			a[i].Skipped != b[i].Skipped || (a[i].Started == nil) != (b[i].Started == nil) ||
			(a[i].Completed == nil) != (b[i].Completed == nil) || strings.Join(a[i].Progress, "\n") != strings.Join(b[i].Progress, "\n") {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
