package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Env is a fresh host/source pair with a scenario loaded into it.
type Env struct {
	*testenv.Pair
	Scenario *Loaded
}

// Start starts a fresh pair (testenv.TwoClusters: skipped without binaries,
// stopped at the end of the test) and loads test/scenarios/<name> into it.
func Start(t testing.TB, name string) *Env {
	t.Helper()
	dir, err := Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	p := testenv.TwoClusters(t)
	return &Env{Pair: p, Scenario: load(t, dir, p.Clusters())}
}

// LoadT loads test/scenarios/<name> into already running clusters (e.g. a
// testenv.KarmadaPair's Clusters()) and fails the test on error.
func LoadT(t testing.TB, name string, clusters map[string]*testenv.Cluster) *Loaded {
	t.Helper()
	dir, err := Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	return load(t, dir, clusters)
}

func load(t testing.TB, dir string, clusters map[string]*testenv.Cluster) *Loaded {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := Load(ctx, dir, clusters)
	if err != nil {
		t.Fatalf("load scenario %s: %v", dir, err)
	}
	return l
}
