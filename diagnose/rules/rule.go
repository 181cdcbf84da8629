package rules

import (
	"context"
	"errors"
	"fmt"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
)

// Rule is one check. Rules are pure: they read the Input and return
// findings; they never call an API server except through optional snapshot
// capabilities (a live TLS probe).
type Rule interface {
	Meta() Meta
	Check(ctx context.Context, in *Input) ([]Finding, error)
}

// Meta describes a rule for the catalogue, --list-rules and the README.
type Meta struct {
	ID       string
	Severity Severity
	Title    string
	// Description says what the rule detects, in a sentence or two.
	Description string
	// Fix is the generic remediation (findings carry the specific one).
	Fix  string
	Docs string
	// Needs are the host-cluster kinds the rule cannot run without; the
	// engine reports the rule as skipped when one is unavailable.
	Needs []snapshot.Kind
	// Patterns are the log strings the rule looks for; all rules' patterns
	// are searched together in one pass over each log.
	Patterns []Pattern
}

// Pattern is a fixed string searched in logs of some components.
type Pattern struct {
	// Key names the pattern for Input.LogHits ("MIG0002/pvb-timeout").
	Key  string
	Text string
	// Components limits the logs searched; empty means every log.
	Components []snapshot.Component
}

// SkipError makes the engine report the rule as skipped with Reason.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// Skip returns a SkipError.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

// skipReason tells whether err means "could not run" and why.
func skipReason(err error) (string, bool) {
	var s *SkipError
	if errors.As(err, &s) {
		return s.Reason, true
	}
	var u *snapshot.UnavailableError
	if errors.As(err, &u) {
		return u.Error(), true
	}
	return "", false
}
