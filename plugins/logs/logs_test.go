package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	englogs "github.com/kubectl-mig/kubectl-mig/engine/logs"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

var ts = time.Date(2024, 4, 10, 14, 22, 24, 500000000, time.UTC)

func TestPrinterText(t *testing.T) {
	lines := []englogs.Line{
		{Time: ts, Cluster: "host", Namespace: "openshift-migration", Pod: "migration-controller-6c8d7f9b5-p9d4h", Container: "mtc",
			Component: englogs.Controller, Text: `{"level":"info","msg":"[COMPLETED]"}`},
		{Time: ts, Cluster: "source", Namespace: "inventory", Pod: "rsync-7n4xd", Container: "rsync",
			Component: englogs.Rsync, Text: "rsync error: error in socket IO (code 10)"},
		{Cluster: "source", Namespace: "inventory", Pod: "rsync-7n4xd", Container: "stunnel",
			Component: englogs.Stunnel, Text: "no timestamp"},
	}
	tests := []struct {
		name              string
		timestamps, color bool
		want              string
	}{
		{"plain", false, false, `host/controller/migration-controller-6c8d7f9b5-p9d4h/mtc {"level":"info","msg":"[COMPLETED]"}
source/rsync/rsync-7n4xd rsync error: error in socket IO (code 10)
source/stunnel/rsync-7n4xd no timestamp
`},
		{"timestamps", true, false, `2024-04-10T14:22:24.5Z host/controller/migration-controller-6c8d7f9b5-p9d4h/mtc {"level":"info","msg":"[COMPLETED]"}
2024-04-10T14:22:24.5Z source/rsync/rsync-7n4xd rsync error: error in socket IO (code 10)
- source/stunnel/rsync-7n4xd no timestamp
`},
		{"colour", false, true, "\x1b[36mhost/controller/migration-controller-6c8d7f9b5-p9d4h/mtc\x1b[0m {\"level\":\"info\",\"msg\":\"[COMPLETED]\"}\n" +
			"\x1b[32msource/rsync/rsync-7n4xd\x1b[0m rsync error: error in socket IO (code 10)\n" +
			"\x1b[33msource/stunnel/rsync-7n4xd\x1b[0m no timestamp\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b, false, tt.timestamps, tt.color)
			for _, l := range lines {
				if err := p.WriteLine(l); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Fatalf("output:\n%q\nwant:\n%q", b.String(), tt.want)
			}
		})
	}
}

func TestPrinterJSON(t *testing.T) {
	tests := []struct {
		name   string
		line   englogs.Line
		want   map[string]string
		fields string // the other fields, sorted k=v
	}{
		{"velero logfmt", englogs.Line{Time: ts, Cluster: "source", Component: englogs.Velero, Pod: "velero-1", Container: "velero",
			Namespace: "openshift-migration",
			Text:      `time="2024-04-10T14:22:24Z" level=error msg="Error backing up item" backup=velero/monitoring error="timed out waiting for all PodVolumeBackups to complete" logSource="pkg/backup/backup.go:435"`},
			map[string]string{"time": "2024-04-10T14:22:24.5Z", "cluster": "source", "component": "velero", "format": "logfmt",
				"level": "error", "msg": "Error backing up item", "error": "timed out waiting for all PodVolumeBackups to complete",
				"logSource": "pkg/backup/backup.go:435"}, "backup=velero/monitoring"},
		{"controller zap", englogs.Line{Time: ts, Cluster: "host", Component: englogs.Controller, Pod: "mc", Container: "mtc",
			Text: `{"level":"info","ts":1712758944000,"logger":"migration","msg":"Phase execution failed.","error":"DVM failed","caller":"migmigration/task.go:812"}`},
			map[string]string{"format": "json", "level": "info", "msg": "Phase execution failed.", "error": "DVM failed",
				"logSource": "migmigration/task.go:812"}, "logger=migration ts=1712758944000"},
		{"rsync text", englogs.Line{Time: ts, Cluster: "source", Component: englogs.Rsync, Pod: "rsync-7n4xd", Container: "rsync",
			Text: "rsync error: error in socket IO (code 10)"},
			map[string]string{"format": "text", "msg": "rsync error: error in socket IO (code 10)", "line": "rsync error: error in socket IO (code 10)"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b, true, false, true)
			if err := p.WriteLine(tt.line); err != nil {
				t.Fatal(err)
			}
			if err := p.Flush(); err != nil {
				t.Fatal(err)
			}
			if strings.Count(b.String(), "\n") != 1 || strings.Contains(b.String(), "\x1b") {
				t.Fatalf("not one plain JSON line: %q", b.String())
			}
			var got map[string]any
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %q (all: %s)", k, got[k], v, b.String())
				}
			}
			var fields []string
			if m, ok := got["fields"].(map[string]any); ok {
				for k, v := range m {
					fields = append(fields, fmt.Sprintf("%s=%v", k, v))
				}
			}
			slices.Sort(fields)
			if f := strings.Join(fields, " "); f != tt.fields {
				t.Errorf("fields = %q, want %q", f, tt.fields)
			}
		})
	}
}

func TestColourWanted(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name  string
		out   any
		plain bool
		env   func(string) string
	}{
		{"buffer", &bytes.Buffer{}, false, env()},
		{"regular file", f, false, env()},
		{"plain", f, true, env()},
		{"NO_COLOR", f, false, env("NO_COLOR", "1")},
		{"dumb terminal", f, false, env("TERM", "dumb")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if colourWanted(tt.out.(interface{ Write([]byte) (int, error) }), tt.plain, tt.env) {
				t.Fatal("colour on where it must be off")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		args []string
		want string
	}{
		{"plan", Options{Output: "text", Tail: -1, MaxRequests: 1}, []string{"p"}, ""},
		{"migration", Options{Migration: "m", Output: "json", Tail: 5, MaxRequests: 1}, nil, ""},
		{"nothing", Options{Output: "text", Tail: -1, MaxRequests: 1}, nil, "name a plan"},
		{"both", Options{Migration: "m", Output: "text", Tail: -1, MaxRequests: 1}, []string{"p"}, "not both"},
		{"output", Options{Output: "yaml", Tail: -1, MaxRequests: 1}, []string{"p"}, "text or json"},
		{"tail", Options{Output: "text", Tail: -2, MaxRequests: 1}, []string{"p"}, "--tail"},
		{"since", Options{Output: "text", Tail: -1, Since: -time.Second, MaxRequests: 1}, []string{"p"}, "--since"},
		{"timestamps with json", Options{Output: "json", Tail: -1, Timestamps: true, MaxRequests: 1}, []string{"p"}, "--timestamps"},
		{"component", Options{Output: "text", Tail: -1, Components: []string{"rsync,nope"}, MaxRequests: 1}, []string{"p"}, `unknown component "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Complete(tt.args)
			if err == nil {
				err = tt.o.Validate()
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *cli.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error containing %q", err, tt.want)
			}
		})
	}
}

func TestNotices(t *testing.T) {
	tests := []struct {
		name   string
		follow bool
		ev     englogs.Event
		want   string
	}{
		{"added", true, englogs.Event{Kind: englogs.PodAdded, Cluster: "source", Namespace: "inventory", Pod: "rsync-abc",
			Containers: []string{"rsync", "stunnel"}}, "+ source/inventory/rsync-abc [rsync stunnel]"},
		{"gone", true, englogs.Event{Kind: englogs.PodGone, Cluster: "source", Namespace: "inventory", Pod: "rsync-abc", Message: "deleted"},
			"- source/inventory/rsync-abc: pod deleted, its log ends here"},
		{"waiting", false, englogs.Event{Kind: englogs.ContainerWaiting, Cluster: "host", Namespace: "inventory", Pod: "rsync-server",
			Containers: []string{"rsync", "stunnel"}, Message: "Unschedulable: 0/1 nodes are available"},
			"host/inventory/rsync-server [rsync stunnel]: not started (Unschedulable: 0/1 nodes are available), no log yet"},
		{"unreachable", true, englogs.Event{Kind: englogs.ClusterUnreachable, Cluster: "source",
			Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")},
			`warning: cluster "source" does not answer, its logs stop here while the other clusters' go on: dial tcp 127.0.0.1:1: connect: connection refused`},
		{"incomplete", false, englogs.Event{Kind: englogs.Incomplete, Cluster: "source", Err: errors.New("forbidden"),
			Message: "lines are matched by migration name only"},
			`warning: cluster "source": forbidden: lines are matched by migration name only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			newNotifier(&b, tt.follow).event(tt.ev)
			if got := strings.TrimSuffix(b.String(), "\n"); got != tt.want {
				t.Fatalf("notice:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// newTestEnv returns an Env on the given kubeconfig with captured streams.
func newTestEnv(kubeconfig string) (*cli.Env, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	env := cli.NewEnv(genericiooptions.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut})
	*env.Config.KubeConfig = kubeconfig
	env.Getenv = func(string) string { return "" }
	return env, out, errOut
}
