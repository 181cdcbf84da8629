package logs

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestLogsCommand runs `logs` as a user would, through the kubeconfig, on the
// failed-dvm-rsync-pending scenario.
func TestLogsCommand(t *testing.T) {
	env := scenario.Start(t, "failed-dvm-rsync-pending")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, env.Host, env.Source); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, args ...string) (string, string, error) {
		t.Helper()
		e, out, errOut := newTestEnv(kubeconfig)
		cmd := NewCmdLogs(e)
		cmd.SetArgs(args)
		cmd.SetOut(out)
		cmd.SetErr(errOut)
		err := cmd.ExecuteContext(context.Background())
		return out.String(), errOut.String(), err
	}

	t.Run("text", func(t *testing.T) {
		out, errOut, err := run(t, "inventory-plan")
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		for _, want := range []string{
			"host/controller/migration-controller-6c8d7f9b5-p9d4h/mtc {\"level\":\"info\"",
			"source/rsync/rsync-7n4xd rsync error: error in socket IO (code 10)",
			"source/stunnel/rsync-7n4xd LOG3[0]: s_connect: connect 52.18.104.7:443: Connection refused (111)",
			"host/velero/velero-7f9b6c8d4-z6b2n time=",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in:\n%s", want, out)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Error("colours in output that is not a terminal")
		}
		for _, want := range []string{
			"source/inventory/rsync-4kzt8 [rsync stunnel]: not started (ContainerCreating), no log yet",
			"host/inventory/rsync-server [rsync stunnel]: not started (Unschedulable: 0/1 nodes are available: 1 node(s) didn't match node selector.), no log yet",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("missing notice %q in stderr:\n%s", want, errOut)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		out, errOut, err := run(t, "--migration", "inventory-final", "-o", "json", "--component", "controller,velero,rsync")
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		var n int
		var sawError, sawLogSource bool
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			n++
			var l jsonLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("line %d is not JSON: %v\n%s", n, err, sc.Text())
			}
			if l.Time == "" || l.Cluster == "" || l.Pod == "" || l.Line == "" {
				t.Fatalf("line %d lacks its origin: %s", n, sc.Text())
			}
			switch l.Component {
			case "controller":
				if l.Format != "json" || l.Level != "info" || l.Msg == "" {
					t.Errorf("controller line not parsed: %s", sc.Text())
				}
				sawError = sawError || l.Error == "DVM failed: rsync operation for PVC inventory/data-mysql-0 failed after 20 attempts"
			case "velero":
				if l.Format != "logfmt" || l.Level == "" || l.Msg == "" || !strings.HasPrefix(l.LogSource, "pkg/") {
					t.Errorf("velero line not parsed: %s", sc.Text())
				}
				sawLogSource = true
			case "rsync":
			default:
				t.Errorf("component %q was not asked for: %s", l.Component, sc.Text())
			}
		}
		if n < 20 || !sawError || !sawLogSource {
			t.Fatalf("%d lines, error field seen %v, logSource seen %v:\n%s", n, sawError, sawLogSource, out)
		}
	})

	t.Run("unknown migration", func(t *testing.T) {
		_, _, err := run(t, "--migration", "nope")
		if err == nil || err.Error() != `MigMigration "nope" not found in namespace openshift-migration: list them with 'kubectl mig migration list', or set -n` {
			t.Fatalf("err = %v", err)
		}
	})
}
