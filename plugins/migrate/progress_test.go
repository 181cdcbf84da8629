package migrate

import (
	"bytes"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/migration"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

func TestStatusTextAndBar(t *testing.T) {
	p := migration.Progress{Kind: "Final", Phase: "InitialBackupCreated", Outcome: mtc.OutcomeRunning, Step: 6, Total: 12, Current: "Backup"}
	if got := statusText(p); got != "[6/12] Final: InitialBackupCreated (step Backup)" {
		t.Fatal(got)
	}
	if got := progressBar(p, 10); got != "[#####-----]" {
		t.Fatal(got)
	}
	done := migration.Progress{Kind: "Rollback", Phase: "Completed", Outcome: mtc.OutcomeSucceeded}
	if statusText(done) != "Rollback: Succeeded" || progressBar(done, 4) != "[####]" {
		t.Fatal(statusText(done), progressBar(done, 4))
	}
}

func TestRendererPlain(t *testing.T) {
	var b bytes.Buffer
	r := newRenderer(&b) // a buffer is not a terminal: plain lines
	step := mtc.Step{Name: "Backup", Progress: []string{"1 of 3"}}
	p := migration.Progress{Kind: "Final", Phase: "A", Outcome: mtc.OutcomeRunning, Pipeline: []mtc.Step{step}}
	r.update(migration.Update{Progress: p, Changed: true,
		NewWarnings: []mtc.Condition{{Type: "W", Message: "careful"}}, NewErrors: []string{"boom"}})
	step.Progress = append(step.Progress, "2 of 3")
	p.Pipeline = []mtc.Step{step}
	r.update(migration.Update{Progress: p})
	r.finish()
	want := "Warning: W: careful\nError: boom\n  Backup: 1 of 3\nFinal: A\n  Backup: 2 of 3\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestReportExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		p      migration.Progress
		strict bool
		code   int
		out    string
	}{
		{"succeeded", migration.Progress{Name: "m", Outcome: mtc.OutcomeSucceeded}, false, 0, "m Succeeded"},
		{"warnings", migration.Progress{Name: "m", Outcome: mtc.OutcomeSucceededWithWarnings,
			Warnings: []mtc.Condition{{Type: "ResticErrors", Message: "x"}}}, false, 0, "ResticErrors: x"},
		{"strict", migration.Progress{Name: "m", Outcome: mtc.OutcomeSucceededWithWarnings}, true, ExitWarnings, "SucceededWithWarnings"},
		{"failed", migration.Progress{Name: "m", Outcome: mtc.OutcomeFailed, FailedStep: "Backup", Errors: []string{"e"}}, false, ExitFailed, "diagnose --migration m"},
		{"canceled", migration.Progress{Name: "m", Outcome: mtc.OutcomeCanceled}, false, ExitCanceled, "m Canceled"},
		{"blocked", migration.Progress{Name: "m", Outcome: mtc.OutcomeBlocked,
			Blockers: []mtc.Condition{{Type: "PlanClosed", Status: "True", Category: "Critical"}}}, false, ExitBlocked, "PlanClosed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			env := cli.NewEnv(genericiooptions.IOStreams{Out: &out, ErrOut: &bytes.Buffer{}})
			env.Getenv = func(string) string { return "" }
			err := Report(env, tt.p, tt.strict)
			if got := cli.ExitCode(err); got != tt.code || !strings.Contains(out.String(), tt.out) {
				t.Fatalf("exit %d, out %q", got, out.String())
			}
		})
	}
}
