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

// runBundle renders c as an official MTC must-gather and diagnoses it.
func runBundle(t *testing.T, c casetest.Case, opt casetest.RenderOptions) *rules.Report {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteMustGather(dir, opt); err != nil {
		t.Fatalf("render %s: %v", c.Name, err)
	}
	ctx := context.Background()
	b, err := snapshot.OpenBundle(ctx, snapshot.BundleConfig{Path: dir})
	if err != nil {
		t.Fatalf("open bundle: %v", err)
	}
	sel, err := rules.Select(rules.Catalogue(), c.Rules, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Run(ctx, b, rules.Config{Plan: c.Plan, Migration: c.Migration, Now: b.Taken()}, sel)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rep
}

// Got turns findings into expectations for comparison.
func got(rep *rules.Report) []casetest.Expect {
	var out []casetest.Expect
	for _, f := range rep.Findings {
		out = append(out, casetest.Expect{ID: f.ID, Kind: f.Object.Kind, Name: f.Object.Name})
	}
	return out
}

func TestCasesFromMustGather(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	for _, c := range casetest.All() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rep := runBundle(t, c, casetest.Full(now))
			if diff := casetest.Compare(c.Want, got(rep)); diff != "" {
				t.Fatalf("%s\nfindings: %v\nskipped: %v", diff, rep.Findings, rep.Skipped)
			}
			for _, f := range rep.Findings {
				if f.Remediation == "" || len(f.Evidence) == 0 || f.Summary == "" {
					t.Errorf("finding %s lacks remediation, evidence or summary: %+v", f.ID, f)
				}
			}
			for _, s := range rep.Skipped {
				t.Errorf("rule %s skipped on a full bundle: %s", s.ID, s.Reason)
			}
		})
	}
}

func TestHealthyHasNoWarnings(t *testing.T) {
	rep := runBundle(t, casetest.Healthy(), casetest.Full(time.Now()))
	for _, f := range rep.Findings {
		if f.Severity >= rules.Warning {
			t.Errorf("healthy migration gave %s", f)
		}
	}
}

// The shipped must-gather image does not inspect application namespaces:
// rules that need them must say so instead of passing.
func TestShippedMustGatherSkipsWhatItLacks(t *testing.T) {
	pos, _ := casetest.LeftQuiesced()
	opt := casetest.RenderOptions{Layout: casetest.LayoutClusters, Now: time.Now()}
	rep := runBundle(t, pos, opt)
	var reason string
	for _, s := range rep.Skipped {
		if s.ID == "MIG0009" {
			reason = s.Reason
		}
	}
	if !strings.Contains(reason, "not in the snapshot") {
		t.Fatalf("MIG0009 should be skipped for lack of the source namespace; skipped=%v findings=%v", rep.Skipped, rep.Findings)
	}
	pvPos, _ := casetest.PVReclaim()
	rep = runBundle(t, pvPos, opt)
	found := false
	for _, s := range rep.Skipped {
		found = found || s.ID == "MIG0011"
	}
	if !found {
		t.Fatalf("MIG0011 should be skipped without PersistentVolumes; skipped=%v", rep.Skipped)
	}
}

// Both layout versions of the must-gather give the same findings.
func TestLegacyLayout(t *testing.T) {
	pos, _ := casetest.NetworkError()
	opt := casetest.Full(time.Now())
	opt.Layout = casetest.LayoutLegacy
	rep := runBundle(t, pos, opt)
	if diff := casetest.Compare(pos.Want, got(rep)); diff != "" {
		t.Fatalf("legacy layout: %s\n%v", diff, rep.Findings)
	}
}
