package integration

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestSharedScenarios diagnoses the project's shared scenarios live and from
// the same scenario rendered as an MTC must-gather.
func TestSharedScenarios(t *testing.T) {
	tests := []struct {
		name string
		want []casetest.Expect
	}{
		{"healthy-final", nil},
		{"failed-dvm-rsync-pending", []casetest.Expect{
			{ID: "MIG0001", Kind: "DirectVolumeMigration", Name: "inventory-final-6wmzq"},
			{ID: "MIG0008", Kind: "Pod", Name: "rsync-4kzt8"},
			{ID: "MIG0009", Kind: "MigPlan", Name: "inventory-plan"},
			{ID: "MIG0010", Kind: "MigPlan", Name: "inventory-plan"},
			{ID: "MIG0011", Kind: "PersistentVolume", Name: "nfs-archive"},
			{ID: "MIG0015", Kind: "MigMigration", Name: "inventory-final"},
		}},
	}
	p := testenv.TwoClusters(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			dir, err := scenario.Dir(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := scenario.Load(ctx, dir, p.Clusters())
			if loaded != nil {
				defer func() {
					if err := reset(ctx, p, loaded); err != nil {
						t.Errorf("reset: %v", err)
					}
				}()
			}
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			c, err := casetest.FromDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			c.Want = tt.want
			live := openLive(t, ctx, p, "", "")
			rep := runRules(t, ctx, live, c)
			for _, f := range rep.Findings {
				t.Logf("%s", f)
			}
			for _, s := range rep.Skipped {
				t.Logf("skipped %s: %s", s.ID, s.Reason)
			}
			if tt.name == "healthy-final" {
				for _, f := range rep.Findings {
					if f.Severity >= rules.Warning {
						t.Errorf("healthy migration: %s", f)
					}
				}
			}
			checkCase(t, ctx, p, c, loaded.Now)
		})
	}
}
