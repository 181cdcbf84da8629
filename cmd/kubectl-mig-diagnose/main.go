// Command kubectl-mig-diagnose is the thin kubectl plugin for `kubectl mig diagnose`, built from the same command tree as kubectl-mig.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/root"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(root.Main("diagnose", os.Args[1:], streams))
}
