package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// openLive connects to the pair the way the command does, with the source
// reached through its own config (the MigCluster's caBundle may be wrong on
// purpose in a case).
func openLive(t *testing.T, ctx context.Context, p *testenv.Pair, plan, mig string) *snapshot.Live {
	t.Helper()
	live, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{
		Host: p.Host.Config(), Plan: plan, Migration: mig,
		Remote: func(_ context.Context, name string) (*rest.Config, error) {
			if name != testenv.SourceName {
				return nil, fmt.Errorf("unknown cluster %q", name)
			}
			return p.Source.Config(), nil
		},
	})
	if err != nil {
		t.Fatalf("open live snapshot: %v", err)
	}
	return live
}

func runRules(t *testing.T, ctx context.Context, s snapshot.Snapshot, c casetest.Case) *rules.Report {
	t.Helper()
	sel, err := rules.Select(rules.Catalogue(), c.Rules, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Run(ctx, s, rules.Config{Plan: c.Plan, Migration: c.Migration, Now: s.Taken()}, sel)
	if err != nil {
		t.Fatalf("run rules: %v", err)
	}
	return rep
}

func expects(rep *rules.Report) []casetest.Expect {
	var out []casetest.Expect
	for _, f := range rep.Findings {
		out = append(out, casetest.Expect{ID: f.ID, Kind: f.Object.Kind, Name: f.Object.Name})
	}
	return out
}

func skippedIDs(rep *rules.Report) []casetest.Expect {
	var out []casetest.Expect
	for _, s := range rep.Skipped {
		out = append(out, casetest.Expect{ID: s.ID})
	}
	return out
}

// TestCasesLiveAndFromBundle: each rule's positive and near-miss case gives
// the expected findings live, and exactly the same findings and skips from
// the case rendered as an MTC must-gather.
func TestCasesLiveAndFromBundle(t *testing.T) {
	p := testenv.TwoClusters(t)
	for _, c := range casetest.All() {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			dir := t.TempDir()
			if err := c.WriteScenario(dir); err != nil {
				t.Fatal(err)
			}
			loaded, err := scenario.Load(ctx, dir, p.Clusters())
			if loaded != nil {
				defer func() {
					if err := reset(ctx, p, loaded); err != nil {
						t.Errorf("reset clusters after %s: %v", c.Name, err)
					}
				}()
			}
			if err != nil {
				t.Fatalf("load scenario: %v", err)
			}
			checkCase(t, ctx, p, c, loaded.Now)
		})
	}
}

func checkCase(t *testing.T, ctx context.Context, p *testenv.Pair, c casetest.Case, now time.Time) {
	t.Helper()
	live := openLive(t, ctx, p, c.Plan, c.Migration)
	liveRep := runRules(t, ctx, live, c)
	if diff := casetest.Compare(c.Want, expects(liveRep)); diff != "" {
		t.Fatalf("live: %s\nfindings: %v\nskipped: %v\nnotes: %v", diff, liveRep.Findings, liveRep.Skipped, liveRep.Source.Notes)
	}
	bdir := t.TempDir()
	if err := c.WriteMustGather(bdir, casetest.Full(now)); err != nil {
		t.Fatal(err)
	}
	b, err := snapshot.OpenBundle(ctx, snapshot.BundleConfig{Path: bdir})
	if err != nil {
		t.Fatal(err)
	}
	bundleRep := runRules(t, ctx, b, c)
	if diff := casetest.Compare(expects(liveRep), expects(bundleRep)); diff != "" {
		t.Fatalf("live and bundle differ (want=live): %s", diff)
	}
	if diff := casetest.Compare(skippedIDs(liveRep), skippedIDs(bundleRep)); diff != "" {
		t.Fatalf("skipped rules differ live vs bundle (want=live): %s\nlive: %v\nbundle: %v", diff, liveRep.Skipped, bundleRep.Skipped)
	}
}
