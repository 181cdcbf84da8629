package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Environment variables understood by the harness.
const (
	// EnvTestbin names a directory holding the etcd and kube-apiserver
	// binaries; it overrides <repo>/bin/testbin.
	EnvTestbin = "KUBECTL_MIG_TESTBIN"
	// EnvRequireTestbin turns "binaries missing" from a skip into a failure
	// (CI sets it so that a broken build cannot pass silently).
	EnvRequireTestbin = "KUBECTL_MIG_REQUIRE_TESTBIN"
)

// Binaries are the paths of the two programs a test cluster runs.
type Binaries struct {
	Etcd      string
	APIServer string
}

// ErrBinariesMissing is wrapped by FindBinaries when a binary is absent.
var ErrBinariesMissing = errors.New("test binaries missing")

// FindBinaries locates etcd and kube-apiserver: $KUBECTL_MIG_TESTBIN if set,
// else bin/testbin under the repository root found by walking up from the
// working directory to go.mod.
func FindBinaries() (Binaries, error) {
	dir := os.Getenv(EnvTestbin)
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return Binaries{}, fmt.Errorf("%w: %w (set %s to the directory holding etcd and kube-apiserver)", ErrBinariesMissing, err, EnvTestbin)
		}
		dir = filepath.Join(root, "bin", "testbin")
	}
	b := Binaries{Etcd: filepath.Join(dir, "etcd"), APIServer: filepath.Join(dir, "kube-apiserver")}
	for _, p := range []string{b.Etcd, b.APIServer} {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return b, fmt.Errorf("%w: %s is not an executable file; build them with hack/testbin/build.sh (or make testbin), or set %s", ErrBinariesMissing, p, EnvTestbin)
		}
	}
	return b, nil
}

// RequireBinaries returns the binaries or ends the test: t.Skip when they are
// missing, t.Fatal when $KUBECTL_MIG_REQUIRE_TESTBIN is set or the lookup
// failed for another reason.
func RequireBinaries(t testing.TB) Binaries {
	t.Helper()
	b, err := FindBinaries()
	if err == nil {
		return b
	}
	if errors.Is(err, ErrBinariesMissing) && os.Getenv(EnvRequireTestbin) == "" {
		t.Skipf("skipping: %v (set %s=1 to make this a failure)", err, EnvRequireTestbin)
	}
	t.Fatalf("%v", err)
	return b
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}
