// Command docs writes one Markdown page per kubectl-mig command into the
// directory given as its argument (make docs; CI fails when they drift).
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/root"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: docs DIR")
		os.Exit(2)
	}
	// Defaults derived from $HOME (the kubeconfig cache dir) must not differ
	// between machines, or the pages would never stop drifting.
	if err := os.Setenv("HOME", "~"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var discard bytes.Buffer
	env := cli.NewEnv(genericiooptions.IOStreams{In: &discard, Out: &discard, ErrOut: &discard})
	env.Getenv = func(string) string { return "" } // document the kubectl form
	cmd := root.NewCmdMig(env)
	disableAutoGenTag(cmd)
	if err := os.MkdirAll(os.Args[1], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := doc.GenMarkdownTree(cmd, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "docs:", err)
		os.Exit(1)
	}
}

// disableAutoGenTag drops cobra's dated footer, which would change every day.
func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
