// Package cmdtest runs kubectl-mig commands through the real cobra tree
// against the two-cluster test harness, and plays the part of the MTC
// controller (which does not run in tests) by writing the statuses it would
// write. Only tests import it.
package cmdtest

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/root"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Namespace is where the MTC resources live in the harness.
const Namespace = testenv.MigrationNamespace

// Harness is a running host+source pair with a kubeconfig for it.
type Harness struct {
	T          testing.TB
	Pair       *testenv.Pair
	Kubeconfig string
	// Host and Source play the MTC controller on each cluster.
	Host, Source *Controller
}

// New starts the pair (skipping when the test binaries are missing) and
// writes a kubeconfig whose current context is the host.
func New(t testing.TB) *Harness {
	t.Helper()
	p := testenv.TwoClusters(t)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(path, p.Host, p.Source); err != nil {
		t.Fatal(err)
	}
	return &Harness{T: t, Pair: p, Kubeconfig: path,
		Host: &Controller{C: p.Host, NS: Namespace}, Source: &Controller{C: p.Source, NS: Namespace}}
}

// LoadScenario loads test/scenarios/<name> into the pair.
func (h *Harness) LoadScenario(name string) *scenario.Loaded {
	h.T.Helper()
	dir, err := scenario.Dir(name)
	if err != nil {
		h.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := scenario.Load(ctx, dir, h.Pair.Clusters())
	if err != nil {
		h.T.Fatalf("load scenario %s: %v", name, err)
	}
	return l
}

// Result is what a command printed and its exit code.
type Result struct {
	Out, Err string
	Code     int
}

// Run runs `kubectl mig <args>` against the harness.
func (h *Harness) Run(args ...string) Result {
	h.T.Helper()
	return Exec(context.Background(), h.Kubeconfig, nil, args...)
}

// RunCtx is Run with a context and an extra writer that also receives
// stderr (to react to progress).
func (h *Harness) RunCtx(ctx context.Context, errTap io.Writer, args ...string) Result {
	return Exec(ctx, h.Kubeconfig, errTap, args...)
}

// Exec runs the command tree as the kubectl-mig binary does, with the
// kubeconfig at path, and returns stdout, stderr and the exit code.
func Exec(ctx context.Context, kubeconfig string, errTap io.Writer, args ...string) Result {
	var out, errOut syncBuffer
	var errW io.Writer = &errOut
	if errTap != nil {
		errW = io.MultiWriter(&errOut, errTap)
	}
	env := cli.NewEnv(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: errW})
	env.Getenv = func(string) string { return "" }
	cmd := root.NewCmdMig(env)
	flag := "--kubeconfig=" + kubeconfig
	if len(args) > 0 && args[0] == "__complete" {
		// The last word is the one being completed: keep it last.
		args = append([]string{args[0], flag}, args[1:]...)
	} else {
		args = append(append([]string{}, args...), flag)
	}
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteContextC(ctx)
	if err != nil {
		path := env.Name()
		if executed != nil {
			path = executed.CommandPath()
		}
		cli.PrintError(errW, path, err)
	}
	return Result{Out: out.String(), Err: errOut.String(), Code: cli.ExitCode(err)}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of apply
// progress.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
