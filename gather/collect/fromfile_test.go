package collect_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
)

// TestDiagnoseFromBundle: diagnose reading the bundle (as `diagnose --from`
// does) gives the same findings as the live diagnosis stored in it.
func TestDiagnoseFromBundle(t *testing.T) {
	env := scenario.Start(t, "failed-dvm-rsync-pending")
	res, a := gatherPair(t, env.Pair, nil)
	var live struct {
		Findings []rules.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(a.must(t, mustgather.DiagnoseJSON)), &live); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := snapshot.OpenBundle(ctx, snapshot.BundleConfig{Path: res.Path})
	if err != nil {
		t.Fatalf("diagnose cannot open the bundle: %v", err)
	}
	rep, err := rules.Run(ctx, snap, rules.Config{Now: snap.Taken()}, rules.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(rep.Findings), keys(live.Findings); got != want {
		t.Errorf("findings from the bundle:\n%s\nlive findings at gather time:\n%s", got, want)
	}
	if len(live.Findings) == 0 {
		t.Error("no live findings on a failed migration")
	}
}

func keys(fs []rules.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s/%s/%s", f.ID, f.Cluster, f.Object.Kind, f.Object.Namespace, f.Object.Name))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
