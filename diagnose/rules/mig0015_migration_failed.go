package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

type migrationFailed struct{}

func (migrationFailed) Meta() Meta {
	return Meta{
		ID: "MIG0015", Severity: Error, Title: "migration failed",
		Description: "The latest MigMigration of a plan (or the one asked for) failed: the finding gives the failed step and phase, status.errors, and the IDs of the other findings about the same migration, which usually name the cause.",
		Fix:         "Fix the causes the related findings name; roll back if the application was quiesced; then start a new migration.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigMigration},
	}
}

func (migrationFailed) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	for _, m := range currentMigrations(in) {
		o := m.Outcome()
		if o != mtc.OutcomeFailed && o != mtc.OutcomeFailing {
			continue
		}
		obj := ref(mtc.KindMigMigration, m.Namespace, m.Name)
		var ev []Evidence
		if c := m.Status.Conditions.Find(mtc.ConditionFailed); c != nil {
			ev = append(ev, condEvidence(in.Host(), obj, *c))
		}
		step, phase := "", ""
		if c := m.Status.Conditions.Find(mtc.ConditionFailed); c != nil {
			phase = c.Reason
		}
		if s := m.Status.FailedStep(); s != nil {
			step = s.Name
			if phase == "" {
				phase = s.Phase
			}
			ev = append(ev, Evidence{Type: "object", Cluster: in.Host(), Object: &obj, Message: fmt.Sprintf("pipeline step %s failed (phase %s): %s", s.Name, orDash(s.Phase), strings.Join(s.Progress, "; "))})
		}
		for _, e := range m.Status.Errors {
			ev = append(ev, Evidence{Type: "object", Cluster: in.Host(), Object: &obj, Message: "status.errors: " + e})
		}
		summary := fmt.Sprintf("migration %s failed", m.Name)
		switch {
		case step != "" && phase != "":
			summary += fmt.Sprintf(" in step %s (phase %s)", step, phase)
		case phase != "":
			summary += " in phase " + phase
		case step != "":
			summary += " in step " + step
		}
		if len(m.Status.Errors) > 0 {
			summary += ": " + m.Status.Errors[0]
		}
		fix := []string{"Fix the causes named by the related findings (same migration), then run a new migration of the plan."}
		if m.Spec.QuiescePods {
			if p := in.PlanOf(m); p != nil {
				fix = append(fix, fmt.Sprintf("The source application was quiesced: roll back first to bring it back and avoid data corruption:\n  %s mig rollback %s -n %s", in.Cfg.CLI, p.Name, p.Namespace))
			}
		}
		fix = append(fix, "Full details: "+in.cmd("describe migmigration %s -n %s", m.Name, m.Namespace))
		out = append(out, Finding{Cluster: in.Host(), Object: obj, Summary: summary, Evidence: ev, Remediation: strings.Join(fix, "\n"), Migration: migKey(m)})
	}
	return out, nil
}

// currentMigrations are the migrations whose outcome matters now: the one
// asked for, or the latest migration of each plan in scope (an older failure
// followed by a newer run is history, not a problem).
func currentMigrations(in *Input) []*mtc.MigMigration {
	if in.Cfg.Migration != "" {
		return in.Migrations
	}
	var out []*mtc.MigMigration
	for _, p := range in.Plans {
		if migs := in.MigrationsOf(p); len(migs) > 0 {
			out = append(out, migs[len(migs)-1])
		}
	}
	return out
}
