package gather

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// run executes `gather args...` as the root command would and returns
// stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	e := &cli.Env{Streams: streams, Config: genericclioptions.NewConfigFlags(true), Getenv: func(string) string { return "" }}
	cmd := NewCmdGather(e)
	e.AddFlags(cmd.PersistentFlags())
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		cli.PrintError(errOut, "kubectl mig gather", err)
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

func TestUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"since and since-time", []string{"--since", "1h", "--since-time", "2024-01-01T00:00:00Z"}, "mutually exclusive"},
		{"bad since-time", []string{"--since-time", "yesterday"}, "RFC3339"},
		{"bad size", []string{"--max-log-bytes", "lots"}, "--max-log-bytes"},
		{"negative size", []string{"--max-log-bytes", "-1"}, "must not be negative"},
		{"concurrency", []string{"--concurrency", "0"}, "--concurrency"},
		{"request timeout", []string{"--request-timeout", "soon"}, "--request-timeout"},
		{"prometheus url", []string{"--prometheus-url", "thanos:9090"}, "http:// or https://"},
		{"dest is a file", []string{"--dest-dir", file}, "not a directory"},
		{"arguments", []string{"extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, tt.args...)
			if code != cli.ExitUsage && tt.name != "arguments" {
				t.Errorf("exit %d, want %d (%s)", code, cli.ExitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
		})
	}
}

func TestProgressLine(t *testing.T) {
	p := &collectProgress{}
	p.Total.Store(200)
	p.Done.Store(50)
	p.Phase.Store("logs")
	got := progressLine(p, bundleStats{Bytes: 3 << 20})
	if want := "[======>                 ] 50/200 items  3.0 MiB  0 faults  logs"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestGather runs the command on the healthy-final scenario, with a
// stand-in Velero serving every log: a complete bundle (exit 0); then as a
// user who may not read Secrets or logs: a partial bundle (exit 3) and the
// first faults on stderr.
func TestGather(t *testing.T) {
	env := scenario.Start(t, "healthy-final")
	files := map[string]string{}
	for _, k := range []string{"BackupLog/shop-final-initial-5qz8k", "BackupResults/shop-final-initial-5qz8k",
		"RestoreLog/shop-final-final-m2x7d", "RestoreResults/shop-final-final-m2x7d"} {
		files[k] = "time=now level=info msg=ok\n"
	}
	gathertest.StartVelero(t, env.Clusters(), files, nil)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, env.Host); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "out")
	out, errOut, code := run(t, "--kubeconfig", kubeconfig, "--dest-dir", dest, "--since", "24h", "--request-timeout", "10s", "--metrics=false")
	if code != 0 || !strings.Contains(out, "Bundle written to "+dest+"/mig-gather-") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	matches, _ := filepath.Glob(filepath.Join(dest, "mig-gather-*.tar.gz"))
	if len(matches) != 1 {
		t.Fatalf("archives: %v", matches)
	}
	if st, err := os.Stat(matches[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("archive mode: %v %v", st, err)
	}

	limited := limitedKubeconfig(t, env.Host, filepath.Join(dir, "limited"))
	out, errOut, code = run(t, "--kubeconfig", limited, "--dest-dir", dest, "--no-archive", "--request-timeout", "10s", "--metrics=false")
	if code != ExitPartial || !strings.Contains(errOut, "The bundle is partial") || !strings.Contains(errOut, "[forbidden]") {
		t.Fatalf("limited user: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	dirs, _ := filepath.Glob(filepath.Join(dest, "mig-gather-*"))
	var bundleDir string
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			bundleDir = d
		}
	}
	if _, err := os.Stat(filepath.Join(bundleDir, "errors.json")); err != nil {
		t.Errorf("directory bundle: %v", err)
	}
}

// limitedKubeconfig writes a kubeconfig for a service account that may read
// neither Secrets nor logs.
func limitedKubeconfig(t *testing.T, host *testenv.Cluster, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "gather-view"}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Verbs: []string{"get", "list"}, Resources: []string{"pods", "configmaps", "events", "namespaces", "services"}},
		{APIGroups: []string{"migration.openshift.io", "velero.io", "apps"}, Verbs: []string{"get", "list"}, Resources: []string{"*"}},
	}}
	if _, err := host.Client().RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := host.EnsureServiceAccount(ctx, "default", "viewer", role.Name); err != nil {
		t.Fatal(err)
	}
	token, err := host.ServiceAccountToken(ctx, "default", "viewer", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["host"] = &clientcmdapi.Cluster{Server: host.URL(), CertificateAuthorityData: host.CA()}
	cfg.AuthInfos["viewer"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["host"] = &clientcmdapi.Context{Cluster: "host", AuthInfo: "viewer"}
	cfg.CurrentContext = "host"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

type (
	collectProgress = collect.Progress
	bundleStats     = bundle.Stats
)
