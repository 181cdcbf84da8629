package volumes

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// result is what a command printed and its exit code.
type result struct {
	Out, Err string
	Code     int
}

// run runs `kubectl mig plan volumes <args>` through a command tree shaped
// like the real one (the lead attaches NewCmdPlanVolumes under `plan`).
func run(ctx context.Context, kubeconfig string, args ...string) result {
	return runRaw(ctx, kubeconfig, append([]string{"plan", "volumes"}, args...)...)
}

// runRaw runs `kubectl mig <args>`; for shell completion ("__complete ...")
// the kubeconfig flag goes before the word being completed, which stays last.
func runRaw(ctx context.Context, kubeconfig string, args ...string) result {
	var out, errOut bytes.Buffer
	env := cli.NewEnv(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	env.Getenv = func(string) string { return "" }
	root := &cobra.Command{Use: "mig", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	env.AddFlags(root.PersistentFlags())
	plan := &cobra.Command{Use: "plan"}
	plan.AddCommand(NewCmdPlanVolumes(env))
	root.AddCommand(plan)
	flag := "--kubeconfig=" + kubeconfig
	if len(args) > 0 && args[0] == "__complete" {
		args = append([]string{args[0], flag}, args[1:]...)
	} else {
		args = append(append([]string{}, args...), flag)
	}
	root.SetArgs(args)
	executed, err := root.ExecuteContextC(ctx)
	if err != nil {
		path := "kubectl mig"
		if executed != nil {
			path = executed.CommandPath()
		}
		cli.PrintError(&errOut, path, err)
	}
	return result{Out: out.String(), Err: errOut.String(), Code: cli.ExitCode(err)}
}

// TestUsage covers what is refused before any cluster is contacted (the
// kubeconfig points nowhere).
func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no volumes named", []string{"set", "shop", "--action", "copy"}, "name the volumes to change"},
		{"two ways", []string{"set", "shop", "--all", "--pv", "a", "--action", "copy"}, "name volumes one way"},
		{"bad pvc", []string{"set", "shop", "--pvc", "db", "--action", "copy"}, `invalid PVC "db": want namespace/name`},
		{"nothing to change", []string{"set", "shop", "--all"}, "set --action, --copy-method, --storage-class, --access-mode or --verify"},
		{"bad action", []string{"set", "shop", "--all", "--action", "teleport"}, `unknown action "teleport": want copy, move, skip`},
		{"bad copy method", []string{"set", "shop", "--all", "--copy-method", "rsync"}, `unknown copy method "rsync"`},
		{"RWOP", []string{"set", "shop", "--all", "--access-mode", "RWOP"}, "--access-mode: access mode ReadWriteOncePod is not accepted by MTC"},
		{"bad dry run", []string{"set", "shop", "--all", "--action", "copy", "--dry-run=maybe"}, `invalid --dry-run value "maybe"`},
		{"bad output for set", []string{"set", "shop", "--all", "--action", "copy", "-o", "wide"}, "-o wide is only for list commands"},
		{"bad output for list", []string{"shop", "-o", "table"}, `unknown output format "table"`},
		{"no plan", []string{}, "accepts 1 arg(s), received 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(context.Background(), "/nonexistent/kubeconfig", tt.args...)
			if r.Code == 0 || !strings.Contains(r.Err, tt.want) {
				t.Fatalf("exit %d, stderr %q; want a failure mentioning %q", r.Code, r.Err, tt.want)
			}
			if tt.name != "no plan" && r.Code != cli.ExitUsage {
				t.Fatalf("exit %d, want %d (usage)", r.Code, cli.ExitUsage)
			}
		})
	}
}

func TestDefaultFlagsValidate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		dry  bool
		want string
	}{
		{name: "none"},
		{name: "ok", args: []string{"--default-action", "move", "--default-copy-method", "snapshot", "--default-storage-class", "gp3"}},
		{name: "bad action", args: []string{"--default-action", "teleport"}, want: `unknown action "teleport"`},
		{name: "bad copy method", args: []string{"--default-copy-method", "rsync"}, want: `unknown copy method "rsync"`},
		{name: "dry run", args: []string{"--default-action", "move"}, dry: true, want: "cannot be combined with --dry-run"},
		{name: "dry run without defaults", dry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d DefaultFlags
			cmd := &cobra.Command{Use: "create"}
			d.AddFlags(cmd)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			err := d.Validate(tt.dry)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || cli.ExitCode(err) != cli.ExitUsage {
				t.Fatalf("err = %v (exit %d), want a usage error with %q", err, cli.ExitCode(err), tt.want)
			}
		})
	}
}
