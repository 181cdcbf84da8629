// Package cli holds what every kubectl-mig command shares: exit codes, the
// translation of API errors into advice, and the display name (kubectl or oc).
package cli

import (
	"errors"
	"fmt"
)

// Exit codes common to every command. Commands with richer outcomes (migrate
// --wait, diagnose) define their own codes on top of these.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// ExitError carries the process exit code a command wants, so that only main
// calls os.Exit and deferred clean-ups below it always run.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// WithExitCode wraps err so that main exits with code. A nil err with a
// non-zero code is still an error (for example "findings at threshold").
func WithExitCode(code int, err error) error {
	return &ExitError{Code: code, Err: err}
}

// UsageError marks bad input: main prints it with a pointer to --help and
// exits with ExitUsage.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}
