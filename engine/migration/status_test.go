package migration

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestParseStep(t *testing.T) {
	tests := []struct {
		in          string
		step, total int
	}{
		{"Step: 12/38", 12, 38},
		{" Step:1/2 ", 1, 2},
		{"Step: 0/5", 0, 5},
		{"Step: x/5", 0, 0},
		{"Step: 3/0", 0, 0},
		{"Running", 0, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, n := ParseStep(tt.in)
			if s != tt.step || n != tt.total {
				t.Fatalf("ParseStep(%q) = %d/%d, want %d/%d", tt.in, s, n, tt.step, tt.total)
			}
		})
	}
}

func cond(typ, cat, msg string) mtc.Condition {
	return mtc.Condition{Type: typ, Status: mtc.ConditionTrue, Category: cat, Message: msg}
}

func TestSnapshotAndDone(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name    string
		m       mtc.MigMigration
		outcome mtc.Outcome
		done    bool
		check   func(t *testing.T, p Progress)
	}{
		{
			name: "running", outcome: mtc.OutcomeRunning,
			m: mtc.MigMigration{Status: mtc.MigMigrationStatus{Phase: "InitialBackupCreated", Itinerary: "Final",
				Conditions: mtc.Conditions{cond("Running", "Advisory", "Step: 19/48")},
				Pipeline:   []mtc.Step{{Name: "Prepare", Started: &now, Completed: &now}, {Name: "Backup", Started: &now}}}},
			check: func(t *testing.T, p Progress) {
				if p.Step != 19 || p.Total != 48 || p.Current != "Backup" || p.StepLabel() != "19/48" {
					t.Fatalf("progress = %+v", p)
				}
			},
		},
		{
			name: "failed", outcome: mtc.OutcomeFailed, done: true,
			m: mtc.MigMigration{Status: mtc.MigMigrationStatus{Phase: "Completed", Errors: []string{"boom"},
				Conditions: mtc.Conditions{cond("Failed", "Advisory", "The migration has failed.  See: Errors.")},
				Pipeline:   []mtc.Step{{Name: "Prepare"}, {Name: "DirectVolume", Failed: true}}}},
			check: func(t *testing.T, p Progress) {
				if p.FailedStep != "DirectVolume" || len(p.Errors) != 1 {
					t.Fatalf("progress = %+v", p)
				}
			},
		},
		{
			name: "plan not ready is transient", outcome: mtc.OutcomeBlocked,
			m: mtc.MigMigration{Status: mtc.MigMigrationStatus{Conditions: mtc.Conditions{cond("PlanNotReady", "Critical", "not ready")}}},
		},
		{
			name: "plan closed is final", outcome: mtc.OutcomeBlocked, done: true,
			m: mtc.MigMigration{Status: mtc.MigMigrationStatus{Conditions: mtc.Conditions{cond("PlanClosed", "Critical", "closed")}}},
		},
		{
			name: "warnings", outcome: mtc.OutcomeSucceededWithWarnings, done: true,
			m: mtc.MigMigration{Status: mtc.MigMigrationStatus{Phase: "Completed", Conditions: mtc.Conditions{
				cond("SucceededWithWarnings", "Advisory", "w"), cond("ResticErrors", "Warn", "restic")}}},
			check: func(t *testing.T, p Progress) {
				if len(p.Warnings) != 1 || p.Warnings[0].Type != "ResticErrors" {
					t.Fatalf("warnings = %+v", p.Warnings)
				}
			},
		},
		{
			name: "rollback kind", outcome: mtc.OutcomePending,
			m: mtc.MigMigration{Spec: mtc.MigMigrationSpec{Rollback: true, MigPlanRef: &corev1.ObjectReference{Name: "p"}}},
			check: func(t *testing.T, p Progress) {
				if p.Kind != "Rollback" || p.Plan != "p" {
					t.Fatalf("progress = %+v", p)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Snapshot(&tt.m)
			if p.Outcome != tt.outcome || p.Done() != tt.done {
				t.Fatalf("outcome %s done %v, want %s %v", p.Outcome, p.Done(), tt.outcome, tt.done)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	first := Progress{Phase: "Started", Warnings: []mtc.Condition{cond("A", "Warn", "a")}, Errors: []string{"e1"}}
	u := diff(nil, first)
	if !u.Changed || len(u.NewWarnings) != 1 || len(u.NewErrors) != 1 {
		t.Fatalf("first update = %+v", u)
	}
	same := first
	if u := diff(&first, same); !u.Empty() {
		t.Fatalf("no-change update = %+v", u)
	}
	next := Progress{Phase: "Started", Warnings: []mtc.Condition{cond("A", "Warn", "a"), cond("B", "Warn", "b")}, Errors: []string{"e1", "e2"}}
	u = diff(&first, next)
	if u.Changed || len(u.NewWarnings) != 1 || u.NewWarnings[0].Type != "B" || len(u.NewErrors) != 1 || u.NewErrors[0] != "e2" {
		t.Fatalf("update = %+v", u)
	}
	moved := next
	moved.Step = 3
	if u := diff(&next, moved); !u.Changed {
		t.Fatal("step change not seen")
	}
}

func TestBuild(t *testing.T) {
	m := Build(Options{Namespace: "openshift-migration", Plan: "shop", QuiescePods: true})
	if m.GenerateName != "shop-final-" || m.Name != "" || m.Spec.MigPlanRef.Name != "shop" || !m.Spec.QuiescePods || m.Spec.Stage {
		t.Fatalf("migration = %+v", m)
	}
	r := Build(Options{Namespace: "openshift-migration", Plan: "shop", Name: "undo", Rollback: true})
	if r.Name != "undo" || r.GenerateName != "" || !r.Spec.Rollback {
		t.Fatalf("rollback = %+v", r)
	}
}

func TestCheckPlan(t *testing.T) {
	ready := mtc.MigPlan{Status: mtc.MigPlanStatus{Conditions: mtc.Conditions{cond("Ready", "Required", "ok")}}}
	if err := CheckPlan(&ready); err != nil {
		t.Fatal(err)
	}
	closed := ready
	closed.Spec.Closed = true
	if err := CheckPlan(&closed); err == nil || !isErr(err, ErrPlanClosed) {
		t.Fatalf("closed: %v", err)
	}
	blocked := mtc.MigPlan{Status: mtc.MigPlanStatus{Conditions: mtc.Conditions{cond("NamespaceNotFoundOnSourceCluster", "Critical", "Namespaces [x] not found")}}}
	err := CheckPlan(&blocked)
	if err == nil || !isErr(err, ErrPlanNotReady) {
		t.Fatalf("blocked: %v", err)
	}
	var re *RefusedError
	if !errors.As(err, &re) || len(re.Blockers) != 1 {
		t.Fatalf("blockers = %v", re.Blockers)
	}
}

func isErr(err, target error) bool {
	type iser interface{ Is(error) bool }
	e, ok := err.(iser)
	return ok && e.Is(target)
}
