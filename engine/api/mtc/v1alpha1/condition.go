package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition status values. MTC stores them as plain strings.
const (
	ConditionTrue  = "True"
	ConditionFalse = "False"
)

// Condition categories. The category, not the status, decides whether a
// condition blocks the object: MTC deletes a condition rather than setting it
// False, so "present" means "asserted".
const (
	// CategoryCritical blocks reconcile and the Ready condition.
	CategoryCritical = "Critical"
	// CategoryError blocks the Ready condition.
	CategoryError = "Error"
	// CategoryWarn does not block Ready; it turns a success into
	// SucceededWithWarnings on a MigMigration.
	CategoryWarn = "Warn"
	// CategoryRequired conditions are needed for Ready (e.g. StorageEnsured).
	CategoryRequired = "Required"
	// CategoryAdvisory conditions are informational (Running, Succeeded, ...).
	CategoryAdvisory = "Advisory"
)

// Condition is one entry of status.conditions on every MTC kind. Unlike
// metav1.Condition it carries a category and a durable flag.
type Condition struct {
	// Type of the condition, e.g. Ready, PlanNotReady, Failed.
	Type string `json:"type"`
	// Status is "True" or "False".
	Status string `json:"status"`
	// Reason is a machine-readable reason; for MigMigration Running and Failed
	// it is the phase.
	Reason string `json:"reason,omitempty"`
	// Category is one of Critical, Error, Warn, Required, Advisory.
	Category string `json:"category"`
	// Message is the human-readable description.
	Message string `json:"message,omitempty"`
	// LastTransitionTime is when the condition last changed.
	LastTransitionTime metav1.Time `json:"lastTransitionTime"`
	// Durable conditions survive the controller's end-of-reconcile cleanup.
	Durable bool `json:"durable,omitempty"`
}

// IsTrue reports whether the condition's status is "True".
func (c *Condition) IsTrue() bool {
	return c != nil && c.Status == ConditionTrue
}

// IsBlocker reports whether the condition is asserted with a category that
// blocks readiness (Critical or Error).
func (c *Condition) IsBlocker() bool {
	return c.IsTrue() && (c.Category == CategoryCritical || c.Category == CategoryError)
}

// Conditions is the status.conditions list shared by all MTC kinds.
type Conditions []Condition

// Find returns the condition of the given type, or nil. The pointer refers to
// the slice element, so callers can edit it in place.
func (cs Conditions) Find(condType string) *Condition {
	for i := range cs {
		if cs[i].Type == condType {
			return &cs[i]
		}
	}
	return nil
}

// HasCondition reports whether any of the given types is present with status
// True.
func (cs Conditions) HasCondition(types ...string) bool {
	for _, t := range types {
		if cs.Find(t).IsTrue() {
			return true
		}
	}
	return false
}

// IsReady reports whether the Ready condition is asserted. MTC removes Ready
// instead of setting it False, so its absence means "not ready".
func (cs Conditions) IsReady() bool {
	return cs.HasCondition(ConditionReady)
}

// ByCategory returns the asserted conditions whose category is one of cats,
// in list order.
func (cs Conditions) ByCategory(cats ...string) []Condition {
	var out []Condition
	for _, c := range cs {
		if !c.IsTrue() {
			continue
		}
		for _, cat := range cats {
			if c.Category == cat {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// HasCritical reports whether a Critical condition is asserted; such a
// condition stops the controller from reconciling the object.
func (cs Conditions) HasCritical() bool {
	return len(cs.ByCategory(CategoryCritical)) > 0
}

// HasBlocker reports whether a Critical or Error condition is asserted, i.e.
// whether something keeps the object from becoming Ready.
func (cs Conditions) HasBlocker() bool {
	return len(cs.Blockers()) > 0
}

// Blockers returns the asserted Critical and Error conditions.
func (cs Conditions) Blockers() []Condition {
	return cs.ByCategory(CategoryCritical, CategoryError)
}

// Warnings returns the asserted Warn conditions.
func (cs Conditions) Warnings() []Condition {
	return cs.ByCategory(CategoryWarn)
}
