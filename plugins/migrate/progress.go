package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/term"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/migration"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Exit codes of `migrate --wait` (and `rollback --wait`), on top of cli's
// 0 (success), 1 (error) and 2 (usage).
const (
	// ExitWarnings: SucceededWithWarnings under --strict.
	ExitWarnings = 3
	// ExitFailed: the migration failed.
	ExitFailed = 4
	// ExitCanceled: the migration was canceled.
	ExitCanceled = 5
	// ExitTimeout: --timeout passed first; the migration goes on.
	ExitTimeout = 6
	// ExitBlocked: the controller refuses to start it (PlanClosed,
	// HasFinalMigration, InvalidSpec, ...).
	ExitBlocked = 7
)

// ExitCodesHelp documents the exit codes for --help.
const ExitCodesHelp = `Exit codes with --wait:
  0  Succeeded (also SucceededWithWarnings, unless --strict)
  1  error (e.g. the API server could not be reached), or interrupted
  2  invalid arguments
  3  SucceededWithWarnings with --strict
  4  Failed
  5  Canceled
  6  --timeout passed before the migration finished (it goes on running)
  7  blocked: the controller will not run it (plan closed, final migration already done, invalid spec)`

// WaitConfig tunes Wait.
type WaitConfig struct {
	// Timeout bounds the wait; 0 waits until the migration finishes.
	Timeout time.Duration
	// Strict turns SucceededWithWarnings into ExitWarnings.
	Strict bool
}

// Wait follows the migration to its outcome: progress goes to ErrOut (a bar
// on a terminal, plain lines otherwise), the outcome report to Out. The
// returned error carries the exit code; a nil error means success.
func Wait(ctx context.Context, env *cli.Env, host dynamic.Interface, ns, name string, cfg WaitConfig) (migration.Progress, error) {
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	r := newRenderer(env.Streams.ErrOut)
	last, err := migration.Follow(ctx, host, ns, name, r.update)
	r.finish()
	switch {
	case errors.Is(err, migration.ErrTimeout):
		return last, cli.WithExitCode(ExitTimeout, fmt.Errorf("timed out after %s waiting for migration %s (phase %q); it goes on running: follow it with '%s migration describe %s'",
			cfg.Timeout, name, last.Phase, env.Name(), name))
	case err != nil && ctx.Err() != nil:
		return last, fmt.Errorf("stopped following migration %s (%w); it goes on running: see '%s migration describe %s'", name, err, env.Name(), name)
	case err != nil:
		return last, err
	}
	return last, Report(env, last, cfg.Strict)
}

// Report prints the outcome of a finished migration to Out and returns the
// matching exit code (nil on success).
func Report(env *cli.Env, p migration.Progress, strict bool) error {
	w := env.Streams.Out
	ref := "migmigration.migration.openshift.io/" + p.Name
	switch {
	case p.Outcome == mtc.OutcomeSucceeded:
		fmt.Fprintf(w, "%s %s\n", ref, p.Outcome)
		return nil
	case p.Outcome == mtc.OutcomeSucceededWithWarnings:
		fmt.Fprintf(w, "%s %s:\n", ref, p.Outcome)
		writeConditions(w, p.Warnings)
		if strict {
			return cli.WithExitCode(ExitWarnings, nil)
		}
		return nil
	case p.Outcome == mtc.OutcomeCanceled:
		fmt.Fprintf(w, "%s %s\n", ref, p.Outcome)
		return cli.WithExitCode(ExitCanceled, nil)
	case p.Outcome == mtc.OutcomeFailed:
		writeFailure(env, w, ref, p)
		return cli.WithExitCode(ExitFailed, nil)
	case len(p.StuckBlockers()) > 0:
		fmt.Fprintf(w, "%s Blocked: the controller will not run it:\n", ref)
		writeConditions(w, p.Blockers)
		return cli.WithExitCode(ExitBlocked, nil)
	}
	fmt.Fprintf(w, "%s %s\n", ref, p.Outcome)
	return cli.WithExitCode(cli.ExitFailure, nil)
}

func writeFailure(env *cli.Env, w io.Writer, ref string, p migration.Progress) {
	fmt.Fprintf(w, "%s Failed", ref)
	if p.FailedStep != "" {
		fmt.Fprintf(w, " at step %s", p.FailedStep)
	}
	if p.FailedPhase != "" {
		fmt.Fprintf(w, " (phase %s)", p.FailedPhase)
	}
	fmt.Fprintln(w)
	if len(p.Errors) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, e := range p.Errors {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "warnings:")
		writeConditions(w, p.Warnings)
	}
	fmt.Fprintf(w, "Find out why with: %s diagnose --migration %s\n", env.Name(), p.Name)
}

func writeConditions(w io.Writer, cs []mtc.Condition) {
	for _, c := range cs {
		fmt.Fprintf(w, "  - %s: %s\n", c.Type, c.Message)
	}
}

// renderer draws follow updates.
type renderer struct {
	w     io.Writer
	tty   bool
	width int
	bar   string              // the bar currently drawn (tty)
	steps map[string][]string // progress lines already shown, per step
}

func newRenderer(w io.Writer) *renderer {
	r := &renderer{w: w, steps: map[string][]string{}}
	if f, ok := w.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		r.tty = true
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			r.width = width
		}
	}
	return r
}

// update reports one change.
func (r *renderer) update(u migration.Update) {
	p := u.Progress
	for _, c := range u.NewBlockers {
		r.line(fmt.Sprintf("Blocked: %s: %s", c.Type, c.Message))
	}
	for _, c := range u.NewWarnings {
		r.line(fmt.Sprintf("Warning: %s: %s", c.Type, c.Message))
	}
	for _, e := range u.NewErrors {
		r.line("Error: " + e)
	}
	for _, s := range p.Pipeline {
		seen := r.steps[s.Name]
		for _, l := range s.Progress {
			if !containsLine(seen, l) {
				r.line(fmt.Sprintf("  %s: %s", s.Name, l))
				seen = append(seen, l)
			}
		}
		r.steps[s.Name] = seen
	}
	if !u.Changed {
		return
	}
	status := statusText(p)
	if r.tty {
		r.draw(progressBar(p, 24) + " " + status)
		return
	}
	r.line(status)
}

// statusText renders "[12/38] Final: InitialBackupCreated (step Backup)".
func statusText(p migration.Progress) string {
	var b strings.Builder
	if l := p.StepLabel(); l != "" {
		b.WriteString("[" + l + "] ")
	}
	b.WriteString(p.Kind + ": ")
	switch {
	case p.Outcome.Terminal():
		b.WriteString(string(p.Outcome))
	case p.Phase != "":
		b.WriteString(p.Phase)
	default:
		b.WriteString(string(p.Outcome))
	}
	if p.Current != "" && !p.Outcome.Terminal() {
		b.WriteString(" (step " + p.Current + ")")
	}
	return b.String()
}

func progressBar(p migration.Progress, width int) string {
	filled := 0
	switch {
	case p.Outcome.Terminal():
		filled = width
	case p.Total > 0:
		filled = p.Step * width / p.Total
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}

// line prints a full line; on a terminal the bar is redrawn below it.
func (r *renderer) line(s string) {
	if r.tty && r.bar != "" {
		fmt.Fprint(r.w, "\r\033[K")
		fmt.Fprintln(r.w, s)
		fmt.Fprint(r.w, r.bar)
		return
	}
	fmt.Fprintln(r.w, s)
}

func (r *renderer) draw(bar string) {
	if r.width > 0 && len(bar) >= r.width {
		bar = bar[:r.width-1]
	}
	r.bar = bar
	fmt.Fprint(r.w, "\r\033[K"+bar)
}

// finish ends the bar's line.
func (r *renderer) finish() {
	if r.tty && r.bar != "" {
		fmt.Fprintln(r.w)
		r.bar = ""
	}
}

func containsLine(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
