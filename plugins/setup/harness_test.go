package setup_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
	"github.com/kubectl-mig/kubectl-mig/plugins/root"
	"github.com/kubectl-mig/kubectl-mig/plugins/setup"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

const migNS = testenv.MigrationNamespace

// harness is a host+source pair with a kubeconfig, run through the real
// command tree.
type harness struct {
	*cmdtest.Harness
	t   *testing.T
	dir string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{Harness: cmdtest.New(t), t: t, dir: t.TempDir()}
}

// result is what a command printed and its exit code.
type result struct {
	Out, Err string
	Code     int
}

// all is stdout and stderr together, for "never printed" assertions.
func (r result) all() string { return r.Out + r.Err }

// call is one command invocation.
type call struct {
	args       []string
	stdin      string
	env        map[string]string
	kubeconfig string
	ctx        context.Context
}

// run runs `kubectl mig <args>` with empty stdin and environment.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	return h.exec(call{args: args})
}

// exec runs the command tree as the kubectl-mig binary does, with the
// given stdin and environment. `plan analyze` is attached under `plan` the
// way the root command will.
func (h *harness) exec(c call) result {
	var out, errOut syncBuffer
	in := strings.NewReader(c.stdin)
	env := cli.NewEnv(genericiooptions.IOStreams{In: in, Out: &out, ErrOut: &errOut})
	env.Getenv = func(k string) string { return c.env[k] }
	cmd := root.NewCmdMig(env)
	if plan, _, err := cmd.Find([]string{"plan"}); err == nil && plan != cmd {
		if sub, _, _ := plan.Find([]string{"analyze"}); sub == plan {
			plan.AddCommand(setup.NewCmdPlanAnalyze(env))
		}
	}
	kc := c.kubeconfig
	if kc == "" {
		kc = h.Kubeconfig
	}
	cmd.SetArgs(append(c.args, "--kubeconfig="+kc))
	ctx := c.ctx
	if ctx == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
	}
	executed, err := cmd.ExecuteContextC(ctx)
	if err != nil {
		path := env.Name()
		if executed != nil {
			path = executed.CommandPath()
		}
		cli.PrintError(&errOut, path, err)
	}
	return result{Out: out.String(), Err: errOut.String(), Code: cli.ExitCode(err)}
}

// file writes a temporary file (0600) and returns its path.
func (h *harness) file(name, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// exists reports whether an MTC object exists on the host.
func (h *harness) exists(gvr schema.GroupVersionResource, name string) bool {
	_, err := h.Host.Get(context.Background(), gvr, name)
	return err == nil
}

// secretExists reports whether a Secret exists on the host.
func (h *harness) secretExists(ns, name string) bool {
	_, err := h.Pair.Host.Client().CoreV1().Secrets(ns).Get(context.Background(), name, metav1.GetOptions{})
	return err == nil
}

// mustSucceed fails the test unless the command exited 0.
func mustSucceed(t *testing.T, r result) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Out, r.Err)
	}
}

// mustContain fails unless s holds every want.
func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// neverShows fails if any secret, or its base64 form, appears in output.
func neverShows(t *testing.T, output string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s))} {
			if form != "" && strings.Contains(output, form) {
				t.Fatalf("a secret value appears in the output:\n%s", output)
			}
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
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
