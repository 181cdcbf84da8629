package setup_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/root"
)

// TestFlagValidation checks that bad flag combinations are refused with
// exit code 2 before any cluster is contacted (the kubeconfig points
// nowhere), and that secrets given on stdin never reach the output.
func TestFlagValidation(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("secret-token-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
		code  int // 0 means cli.ExitUsage
	}{
		{name: "no token", args: []string{"cluster", "add", "c", "--url", "https://x"}, want: "--token-file FILE"},
		{name: "token twice", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", tok, "--token-from-context", "x"}, want: "exclusive"},
		{name: "two CA options", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", tok, "--insecure", "--ca-from-server"}, want: "exclusive"},
		{name: "stdin twice", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", "-", "--ca-bundle", "-"}, want: "not both"},
		{name: "stdin token cannot confirm", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", "-", "--ca-from-server"}, stdin: "t", want: "--yes"},
		{name: "ca from server needs https", args: []string{"cluster", "add", "c", "--url", "http://x", "--token-file", tok, "--ca-from-server", "--yes"}, want: "https URL"},
		{name: "wait with dry run", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", tok, "--wait-ready", "--dry-run=client"}, want: "--wait-ready cannot"},
		{name: "empty stdin token", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", "-"}, stdin: "\n", want: "token is empty"},
		{name: "bad dry run", args: []string{"cluster", "add", "c", "--url", "https://x", "--token-file", tok, "--dry-run=maybe"}, want: "invalid --dry-run"},
		{name: "unknown provider", args: []string{"storage", "add", "s", "--provider", "ibm", "--bucket", "b"}, want: `--provider "ibm"`},
		{name: "gcp needs a file", args: []string{"storage", "add", "s", "--provider", "gcp", "--bucket", "b"}, want: "service-account JSON key"},
		{name: "profile with gcp", args: []string{"storage", "add", "s", "--provider", "gcp", "--bucket", "b", "--credentials-file", "-", "--profile", "p"},
			stdin: `{"type":"service_account","client_email":"e","private_key":"secret-token-value"}`, want: "--profile applies"},
		// cobra reports missing required flags itself, as a plain error.
		{name: "hook needs target", args: []string{"hook", "create", "h", "--image", "x", "--custom"}, want: `"target" not set`, code: cli.ExitFailure},
		{name: "describe output", args: []string{"cluster", "describe", "c", "-o", "wide"}, want: "-o must be json or yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			env := cli.NewEnv(genericiooptions.IOStreams{In: strings.NewReader(tt.stdin), Out: &out, ErrOut: &errOut})
			env.Getenv = func(string) string { return "" }
			cmd := root.NewCmdMig(env)
			cmd.SetArgs(append(tt.args, "--kubeconfig="+filepath.Join(dir, "missing-kubeconfig")))
			executed, err := cmd.ExecuteC()
			if err != nil {
				cli.PrintError(&errOut, executed.CommandPath(), err)
			}
			want := tt.code
			if want == 0 {
				want = cli.ExitUsage
			}
			if code := cli.ExitCode(err); code != want {
				t.Fatalf("exit %d, want %d:\n%s", code, want, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Fatalf("stderr lacks %q:\n%s", tt.want, errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), "secret-token-value") {
				t.Fatal("a secret reached the output")
			}
		})
	}
}
