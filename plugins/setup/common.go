// Package setup holds the commands that prepare a migration, in the order
// MTC's workflow asks for them: `cluster` (register the source and
// destination clusters), `storage` (the replication repository), `hook`
// (custom code at migration phases) and `plan analyze` (what a plan would
// move). Secrets given to these commands are read from files, stdin or the
// environment, never from arguments, and are masked in every output.
package setup

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/readiness"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// hostTarget returns the host cluster (the kubeconfig's current context).
func hostTarget(env *cli.Env) (*cluster.Target, error) {
	a, err := env.Access()
	if err != nil {
		return nil, err
	}
	return a.Host(), nil
}

// warn prints each message as a kubectl-style warning on stderr.
func warn(w io.Writer, msgs ...string) {
	for _, m := range msgs {
		fmt.Fprintf(w, "Warning: %s\n", m)
	}
}

// printObjects prints what a command wrote: one "kind/name created" line
// per object by default (or -o name), or a List for -o json|yaml and the
// template printers.
func printObjects(w io.Writer, out *cmdkit.Output, dry cmdkit.DryRun, objs ...any) error {
	f := out.Format()
	if f == "" || f == "name" || len(objs) == 1 {
		for _, o := range objs {
			if err := out.Print(w, o, dry); err != nil {
				return err
			}
		}
		return nil
	}
	return out.PrintList(w, objs)
}

// skippedChecks tells a --dry-run=client user what was not verified.
func skippedChecks(w io.Writer, checks ...string) {
	fmt.Fprintln(w, "dry run (client): no cluster was contacted; these checks were skipped:")
	for _, c := range checks {
		fmt.Fprintf(w, "  - %s\n", c)
	}
}

// confirm asks a yes/no question on errOut and reads the answer from in.
// Anything but y/yes (including end of input) is no.
func confirm(in io.Reader, errOut io.Writer, question string) bool {
	fmt.Fprintf(errOut, "%s [y/N]: ", question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// openInput opens a file, or stdin for "-".
func openInput(path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(path)
}

// readFile reads a small input file ("-" is stdin) for flag.
func readFile(flag, path string, stdin io.Reader) ([]byte, error) {
	f, err := openInput(path, stdin)
	if err != nil {
		return nil, cli.Usagef("%s: %v", flag, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", flag, path, err)
	}
	return data, nil
}

// printStructured prints v as json or yaml, or calls text.
func printStructured(w io.Writer, format string, v any, text func(io.Writer)) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "":
		text(w)
		return nil
	}
	return cli.Usagef("-o must be json or yaml")
}

// checkStructuredFormat validates -o for commands that print a report.
func checkStructuredFormat(f string) error {
	if f != "" && f != "json" && f != "yaml" {
		return cli.Usagef("-o must be json or yaml for this command")
	}
	return nil
}

// waitReady waits for an MTC object to become Ready, printing condition
// changes on stderr.
func waitReady(ctx context.Context, env *cli.Env, t *cluster.Target, gvr schema.GroupVersionResource, kind, name string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errOut := env.Streams.ErrOut
	fmt.Fprintf(errOut, "waiting up to %s for the controller to validate %s %s...\n", timeout, kind, name)
	_, err := readiness.Wait(ctx, t.Dynamic, gvr, kind, env.MigNamespace(), name, readiness.WaitOptions{
		Prefix: env.Name(),
		Progress: func(cs mtc.Conditions) {
			for _, c := range cs {
				if c.IsTrue() && c.Type != mtc.ConditionReady {
					fmt.Fprintf(errOut, "  %s: %s\n", c.Type, c.Message)
				}
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "%s %s is Ready\n", kind, name)
	return nil
}

// orDash renders "" as "-".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func readyText(ready bool) string {
	if ready {
		return "True"
	}
	return "False"
}

// section starts a describe section.
func section(w io.Writer, title string) { fmt.Fprintf(w, "%s:\n", title) }

// writeConditions renders explained conditions in a describe.
func writeConditions(w io.Writer, cs []readiness.Explained, none string) {
	section(w, "Conditions")
	if len(cs) == 0 {
		fmt.Fprintf(w, "  <none> (%s)\n", none)
		return
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %s (%s)", c.Type, c.Category)
		if c.Reason != "" {
			fmt.Fprintf(w, " reason %s", c.Reason)
		}
		fmt.Fprintln(w)
		if c.Message != "" {
			fmt.Fprintf(w, "    message: %s\n", c.Message)
		}
		if c.Meaning != "" && c.Type != "Ready" {
			fmt.Fprintf(w, "    means:   %s\n", c.Meaning)
		}
		if c.Fix != "" && c.Type != "Ready" {
			fmt.Fprintf(w, "    fix:     %s\n", c.Fix)
		}
	}
}

// writeEvents renders events like kubectl describe.
func writeEvents(w io.Writer, events []readiness.Event, now time.Time) {
	section(w, "Events")
	if len(events) == 0 {
		fmt.Fprintln(w, "  <none>")
		return
	}
	t := cmdkit.NewTable(w, "  TYPE", "REASON", "AGE", "MESSAGE")
	for _, e := range events {
		age := "<unknown>"
		if !e.LastSeen.IsZero() {
			age = cmdkit.Age(metav1.NewTime(e.LastSeen), now)
		}
		t.Row("  "+e.Type, e.Reason, age, e.Message)
	}
	_ = t.Flush()
}

// completeWith returns a completion function over names from the host.
func completeWith(env *cli.Env, names func(ctx context.Context, t *cluster.Target, ns string) ([]string, error)) cobra.CompletionFunc {
	return cmdkit.Complete(func(ctx context.Context) ([]string, error) {
		t, err := hostTarget(env)
		if err != nil {
			return nil, err
		}
		return names(ctx, t, env.MigNamespace())
	})
}
