package rules_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
)

type panicky struct{}

func (panicky) Meta() rules.Meta {
	return rules.Meta{ID: "MIG0999", Severity: rules.Info, Title: "test rule that panics"}
}
func (panicky) Check(context.Context, *rules.Input) ([]rules.Finding, error) {
	var rs []rules.Finding
	return []rules.Finding{rs[3]}, nil // index out of range
}

type needy struct{}

func (needy) Meta() rules.Meta {
	return rules.Meta{ID: "MIG0998", Severity: rules.Error, Title: "needs PVs on the host", Needs: []snapshot.Kind{snapshot.PersistentVolume}}
}
func (needy) Check(context.Context, *rules.Input) ([]rules.Finding, error) {
	return []rules.Finding{{Summary: "must not run"}}, nil
}

func openCase(t *testing.T, c casetest.Case, opt casetest.RenderOptions) *snapshot.Bundle {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteMustGather(dir, opt); err != nil {
		t.Fatal(err)
	}
	b, err := snapshot.OpenBundle(context.Background(), snapshot.BundleConfig{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPanicBecomesFindingAndSkipIsReported(t *testing.T) {
	b := openCase(t, casetest.Healthy(), casetest.RenderOptions{Now: time.Now()})
	rep, err := rules.Run(context.Background(), b, rules.Config{}, []rules.Rule{panicky{}, needy{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].ID != rules.CrashID || !strings.Contains(rep.Findings[0].Summary, "MIG0999") {
		t.Fatalf("findings = %v", rep.Findings)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].ID != "MIG0998" || !strings.Contains(rep.Skipped[0].Reason, "persistentvolumes") {
		t.Fatalf("skipped = %+v", rep.Skipped)
	}
}

func TestSelect(t *testing.T) {
	cat := rules.Catalogue()
	tests := []struct {
		name       string
		only, skip []string
		want       int
		err        string
	}{
		{"all", nil, nil, len(cat), ""},
		{"only two, case-insensitive", []string{"mig0001", "MIG0002"}, nil, 2, ""},
		{"skip one", nil, []string{"MIG0007"}, len(cat) - 1, ""},
		{"unknown", []string{"MIG4242"}, nil, 0, "unknown rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.Select(cat, tt.only, tt.skip)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("got %d rules, err %v", len(got), err)
			}
		})
	}
}

func TestCatalogueIsStable(t *testing.T) {
	cat := rules.Catalogue()
	if len(cat) != 17 {
		t.Fatalf("catalogue has %d rules", len(cat))
	}
	for i, r := range cat {
		m := r.Meta()
		want := "MIG00" + []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17"}[i]
		if m.ID != want || m.Title == "" || m.Description == "" || m.Fix == "" || m.Docs == "" || m.Severity == 0 {
			t.Errorf("rule %d: %+v", i, m)
		}
	}
}

func TestUnknownScope(t *testing.T) {
	b := openCase(t, casetest.Healthy(), casetest.RenderOptions{Now: time.Now()})
	_, err := rules.Run(context.Background(), b, rules.Config{Migration: "nope"}, rules.Catalogue())
	if err == nil || !strings.Contains(err.Error(), "MigMigration nope") {
		t.Fatalf("err = %v", err)
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []string{"info", "warning", "error"} {
		v, err := rules.ParseSeverity(s)
		if err != nil || v.String() != s {
			t.Fatalf("%s -> %v %v", s, v, err)
		}
	}
	if _, err := rules.ParseSeverity("fatal"); err == nil {
		t.Fatal("want error")
	}
}
