package diagnose

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestLiveCommand runs the command end to end on real API servers: host
// from the kubeconfig, source through its MigCluster (URL, token, caBundle).
func TestLiveCommand(t *testing.T) {
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir, err := scenario.Dir("failed-dvm-rsync-pending")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Load(ctx, dir, p.Clusters()); err != nil {
		t.Fatalf("load: %v", err)
	}
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kc, p.Host); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, nil, "--kubeconfig", kc, "--migration", "inventory-final", "-o", "json", "-v=1")
	if code != 1 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var doc struct {
		Source struct {
			Type string `json:"type"`
		} `json:"source"`
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	ids := map[string]bool{}
	for _, f := range doc.Findings {
		ids[f.ID] = true
	}
	for _, id := range []string{"MIG0001", "MIG0009", "MIG0015"} {
		if !ids[id] {
			t.Errorf("missing %s in %v", id, ids)
		}
	}
	if doc.Source.Type != "live" || !strings.Contains(errOut, "API requests:") {
		t.Fatalf("source %q; -v=1 should print the request count on stderr:\n%s", doc.Source.Type, errOut)
	}
	_, errOut, code = run(t, nil, "--kubeconfig", kc, "--plan", "no-such-plan")
	if code != 2 || !strings.Contains(errOut, "no-such-plan") {
		t.Fatalf("unknown plan: exit %d, stderr %q", code, errOut)
	}
}
