package collect_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
	"k8s.io/client-go/rest"
)

// archive is an extracted bundle: entry path (without the root directory)
// to content and mode.
type archive struct {
	raw   []byte // the .tar.gz bytes
	files map[string]string
	modes map[string]fs.FileMode
	dirs  map[string]fs.FileMode
	root  string
}

func readBundle(t *testing.T, path string) *archive {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	a := &archive{raw: raw, files: map[string]string{}, modes: map[string]fs.FileMode{}, dirs: map[string]fs.FileMode{}}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		root, rel, _ := strings.Cut(strings.TrimSuffix(h.Name, "/"), "/")
		a.root = root
		if h.Typeflag == tar.TypeDir {
			a.dirs[rel] = fs.FileMode(h.Mode).Perm()
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		a.files[rel] = string(b)
		a.modes[rel] = fs.FileMode(h.Mode).Perm()
	}
	return a
}

func (a *archive) must(t *testing.T, path string) string {
	t.Helper()
	s, ok := a.files[path]
	if !ok {
		t.Errorf("missing %s", path)
	}
	return s
}

// gatherPair resolves the pair's clusters the way the plugin does and runs
// a gather into a fresh archive.
func gatherPair(t *testing.T, p *testenv.Pair, mutate func(*collect.Config)) (*collect.Result, *archive) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return gatherWith(t, ctx, p.Host.Config(), mutate)
}

func gatherWith(t *testing.T, ctx context.Context, host *rest.Config, mutate func(*collect.Config)) (*collect.Result, *archive) {
	t.Helper()
	access, err := cluster.New(cluster.Options{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	targets, errs := access.All(ctx)
	cfg := collect.Config{
		Clusters: collect.FromTargets(targets, errs), Since: 72 * time.Hour, Concurrency: 8,
		RequestTimeout: 10 * time.Second, Metrics: collect.Metrics{Enabled: true}, Diagnose: true,
		Tool: mustgather.Tool{Name: "kubectl-mig", Version: "test"},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	b, err := bundle.Create(bundle.Options{Dir: t.TempDir(), Name: "mig-gather-test", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := collect.Run(ctx, cfg, b)
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return res, readBundle(t, res.Path)
}
