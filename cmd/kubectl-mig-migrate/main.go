// Command kubectl-mig-migrate is the thin kubectl plugin for `kubectl mig migrate`, built from the same command tree as kubectl-mig.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/root"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(root.Main("migrate", os.Args[1:], streams))
}
