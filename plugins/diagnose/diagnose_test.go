package diagnose

import (
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// run executes `diagnose args...` and returns stdout, stderr and exit code.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	e := &cli.Env{
		Streams: streams,
		Config:  genericclioptions.NewConfigFlags(true),
		Getenv:  func(k string) string { return env[k] },
	}
	cmd := NewCmdDiagnose(e)
	// What the root command adds for every verb: kubeconfig flags and -v.
	e.AddFlags(cmd.PersistentFlags())
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	cmd.PersistentFlags().AddGoFlag(fs.Lookup("v"))
	t.Cleanup(func() { _ = fs.Set("v", "0") })
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		cli.PrintError(errOut, "kubectl mig diagnose", err)
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

func bundle(t *testing.T, c casetest.Case) string {
	t.Helper()
	dir := t.TempDir()
	if err := c.WriteMustGather(dir, casetest.Full(time.Now())); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExitCodes(t *testing.T) {
	failed, _ := casetest.RsyncPending()
	bsl, _ := casetest.BSLNotFound()
	healthy := bundle(t, casetest.Healthy())
	pending := bundle(t, failed)
	info := bundle(t, bsl)
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"healthy", []string{"--from", healthy}, 0, "No problems found."},
		{"error finding", []string{"--from", pending}, 1, "MIG0001"},
		{"info below default threshold", []string{"--from", info}, 0, "MIG0007"},
		{"info at threshold info", []string{"--from", info, "--failure-threshold", "info"}, 1, "MIG0007"},
		{"skip the rule", []string{"--from", pending, "--skip-rules", "MIG0001"}, 0, ""},
		{"only other rules", []string{"--from", pending, "--rules", "MIG0007,MIG0011"}, 0, ""},
		{"migration scope", []string{"--from", pending, "--migration", "mig1"}, 1, "MIG0001"},
		{"unknown migration", []string{"--from", pending, "--migration", "nope"}, 2, ""},
		{"bad threshold", []string{"--from", healthy, "--failure-threshold", "fatal"}, 2, ""},
		{"exclusive scope", []string{"--from", healthy, "--plan", "a", "--migration", "b"}, 2, ""},
		{"unknown rule", []string{"--from", healthy, "--rules", "MIG4242"}, 2, ""},
		{"bad output", []string{"--from", healthy, "-o", "xml"}, 2, ""},
		{"missing bundle", []string{"--from", "/nonexistent/bundle"}, 2, ""},
		{"list rules", []string{"--list-rules"}, 0, "MIG0017"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if code == 2 && !strings.Contains(errOut, "error:") {
				t.Fatalf("usage/access error not explained on stderr: %q", errOut)
			}
		})
	}
}

func TestJSONOutputAndNoColor(t *testing.T) {
	pos, _ := casetest.RsyncPending()
	dir := bundle(t, pos)
	out, _, code := run(t, map[string]string{"NO_COLOR": "1"}, "--from", dir, "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		APIVersion string `json:"apiVersion"`
		Findings   []struct {
			ID       string `json:"id"`
			Evidence []any  `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if doc.APIVersion != "mig.diagnose/v1" || len(doc.Findings) != 1 || doc.Findings[0].ID != "MIG0001" || len(doc.Findings[0].Evidence) == 0 {
		t.Fatalf("doc = %+v", doc)
	}
	if strings.Contains(out, "\x1b[") {
		t.Fatal("colour codes in JSON")
	}
}
