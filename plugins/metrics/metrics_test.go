package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	gm "github.com/kubectl-mig/kubectl-mig/gather/metrics"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

func TestMain(m *testing.M) {
	if gathertest.MaybeServeExporter() {
		return
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	e := &cli.Env{Streams: streams, Config: genericclioptions.NewConfigFlags(true), Getenv: func(string) string { return "" }}
	cmd := NewCmdMetrics(e)
	e.AddFlags(cmd.PersistentFlags())
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		cli.PrintError(errOut, "kubectl mig metrics", err)
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-o", "wide"}, {"--since", "-1h"}, {"--prometheus-url", "thanos"}} {
		if _, _, code := run(t, args...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestWriteTable(t *testing.T) {
	r := &gm.Report{Source: "https://thanos (route)", Window: "1h",
		ByKind:        []gm.KindStat{{Kind: "Secret", Requests: 40, LatencyMS: 160, AvgLatencyMS: 4}, {Kind: "", Requests: 1, LatencyMS: 1, AvgLatencyMS: 1}},
		TotalRequests: 41, TotalLatencyMS: 161, AvgLatencyMS: 3.93,
		Migrations: []gm.MigrationStat{{Type: "final", Status: "running", Count: 1}}, Running: 1}
	var b bytes.Buffer
	if err := Write(&b, r, "table"); err != nil {
		t.Fatal(err)
	}
	want := `Source: https://thanos (route)
API requests over the last 1h

KIND    REQUESTS  LATENCY (ms)  AVG LATENCY (ms)
Secret  40        160           4.00
<none>  1         1             1.00
TOTAL   41        161           3.93

Migrations (running: 1)

TYPE   STATUS   COUNT
final  running  1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestMetrics runs the command against a real Prometheus found through the
// thanos-querier Route, then, with the Route gone, against the
// controller's /metrics through the service proxy (a netns test host).
func TestMetrics(t *testing.T) {
	gathertest.PrometheusBinary(t)
	exp := gathertest.StartNetnsExporter(t)
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exp.Expose(ctx, p.Host, "openshift-migration"); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, p.Host); err != nil {
		t.Fatal(err)
	}

	t.Run("service proxy without Prometheus", func(t *testing.T) {
		out, errOut, code := run(t, "--kubeconfig", kubeconfig, "-o", "json")
		var r gm.Report
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if !strings.Contains(r.Source, "mig-controller-metrics") || len(r.ByKind) != 3 || r.Running != 1 || r.TotalRequests == 0 {
			t.Errorf("report %+v", r)
		}
	})

	gathertest.StartMonitoring(t, p.Host, p.Host.AdminToken())
	t.Run("prometheus through the route", func(t *testing.T) {
		out, errOut, code := run(t, "--kubeconfig", kubeconfig, "--since", "1m")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		for _, want := range []string{"route openshift-monitoring/thanos-querier", "over the last 1m", "Secret", "MigPlan", "Pod", "TOTAL", "Migrations (running: 1)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		rows := map[string]bool{}
		for _, l := range strings.Split(out, "\n") {
			rows[strings.Join(strings.Fields(l), " ")] = true
		}
		if !rows["final running 1"] || !rows["final completed 3"] || !rows["stage failed 1"] {
			t.Errorf("migration rows missing:\n%s", out)
		}
	})
}
