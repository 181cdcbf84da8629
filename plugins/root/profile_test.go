package root

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestProfileFlags checks kubectl's --profile/--profile-output pair: each
// profile kind lands in its file, a bad name is a usage error (exit 2)
// that writes nothing.
func TestProfileFlags(t *testing.T) {
	for _, name := range []string{"cpu", "heap", "allocs", "goroutine", "block", "mutex"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), name+".pprof")
			streams, _, _, errOut := genericiooptions.NewTestIOStreams()
			if code := Main("", []string{"version", "--profile", name, "--profile-output", out}, streams); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			st, err := os.Stat(out)
			if err != nil || st.Size() == 0 || st.Mode().Perm() != 0o600 {
				t.Fatalf("profile file: %v, %v", st, err)
			}
		})
	}
	t.Run("unknown profile", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "x.pprof")
		streams, _, _, errOut := genericiooptions.NewTestIOStreams()
		if code := Main("", []string{"version", "--profile", "bogus", "--profile-output", out}, streams); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
		if !strings.Contains(errOut.String(), `--profile "bogus"`) {
			t.Errorf("stderr: %s", errOut)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a profile file was written: %v", err)
		}
	})
}
