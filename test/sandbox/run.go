package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

type options struct {
	scenario string // comma-separated scenario directories or names
	dir      string
	karmada  bool
}

// run starts everything, reports how to use it, waits for ctx to end and
// stops every process it started.
func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := sandboxDir(o.dir)
	if err != nil {
		return err
	}
	var scenarioDirs []string
	for _, s := range strings.Split(o.scenario, ",") {
		d, err := resolveScenario(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		if d != "" {
			scenarioDirs = append(scenarioDirs, d)
		}
	}
	release, err := claim(dir)
	if err != nil {
		return err
	}
	defer release()

	start := time.Now()
	fmt.Fprintf(out, "starting clusters host and source in %s ...\n", dir)
	pair, err := testenv.StartPair(ctx, filepath.Join(dir, "clusters"))
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(out, "stopping clusters ...")
		pair.Stop()
	}()
	if o.karmada {
		stopKarmada, err := startKarmada(ctx, pair)
		if err != nil {
			return err
		}
		defer stopKarmada()
		fmt.Fprintln(out, "karmada: host serves the Karmada API, source joined as member cluster \"source\" (controller simulated)")
	}
	for _, d := range scenarioDirs {
		l, err := scenario.Load(ctx, d, pair.Clusters())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "loaded scenario %s: %d objects, %d container logs\n", d, len(l.Objects), l.Logs)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, pair.Host, pair.Source); err != nil {
		return err
	}
	defer os.Remove(kubeconfig) // its servers are gone once we return
	ready := filepath.Join(dir, "ready")
	if err := os.WriteFile(ready, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(ready)
	fmt.Fprintf(out, `ready in %s.
  export KUBECONFIG=%s
  kubectl get migmigrations -n openshift-migration          # context "host" (host + destination)
  kubectl --context source get pods -A                      # the source cluster
  host   %s  (logs %s)
  source %s  (logs %s)
Press Ctrl-C to stop.
`, time.Since(start).Round(100*time.Millisecond), kubeconfig,
		pair.Host.URL(), pair.Host.Dir(), pair.Source.URL(), pair.Source.Dir())
	<-ctx.Done()
	return nil
}

// sandboxDir returns the absolute sandbox directory, created 0700; the
// default is <repo>/bin/sandbox (or ./bin/sandbox outside the repository).
func sandboxDir(dir string) (string, error) {
	if dir == "" {
		root, err := testenv.RepoRoot()
		if err != nil {
			root = "."
		}
		dir = filepath.Join(root, "bin", "sandbox")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("create sandbox directory: %w", err)
	}
	return abs, nil
}

// resolveScenario accepts a directory or the name of one in test/scenarios.
func resolveScenario(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if st, err := os.Stat(s); err == nil && st.IsDir() {
		return filepath.Abs(s)
	}
	if !strings.ContainsRune(s, os.PathSeparator) {
		if dir, err := scenario.Dir(s); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("scenario %q: no such directory (give a path or a name under test/scenarios)", s)
}

// claim makes sure only one sandbox uses dir: it records our pid in
// dir/sandbox.pid, refusing if a live process already holds it, and clears
// what a previous run left (ready marker, cluster files).
func claim(dir string) (func(), error) {
	pidFile := filepath.Join(dir, "sandbox.pid")
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid != os.Getpid() && alive(pid) {
			return nil, fmt.Errorf("sandbox in %s is already running (pid %d); stop it or pass --dir", dir, pid)
		}
	}
	for _, stale := range []string{"ready", "kubeconfig", "clusters"} {
		if err := os.RemoveAll(filepath.Join(dir, stale)); err != nil {
			return nil, fmt.Errorf("clean %s: %w", stale, err)
		}
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return nil, err
	}
	return func() { os.Remove(pidFile) }, nil
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
