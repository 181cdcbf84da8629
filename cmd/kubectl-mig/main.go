// Command kubectl-mig is the umbrella kubectl/oc plugin: kubectl mig <verb> ...
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-mig/kubectl-mig/plugins/root"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(root.Main("", os.Args[1:], streams))
}
