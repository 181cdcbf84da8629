// Command sandbox starts the test clusters (host + source, each with a
// stand-in kubelet), loads a scenario into them and keeps them running until
// SIGINT/SIGTERM, for trying kubectl-mig by hand:
//
//	go run ./test/sandbox --scenario failed-dvm-rsync-pending[,karmada-takeover] [--karmada] [--dir bin/sandbox]
//
// It writes <dir>/kubeconfig (contexts "host" -- current -- and "source")
// and then <dir>/ready.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var o options
	flag.StringVar(&o.scenario, "scenario", "", "scenario directories or names under test/scenarios, comma-separated (empty: none)")
	flag.BoolVar(&o.karmada, "karmada", false, "also serve the Karmada API on host, join source as member cluster \"source\" and simulate Karmada's controllers")
	flag.StringVar(&o.dir, "dir", "", "sandbox directory for kubeconfig, ready marker and cluster files (default <repo>/bin/sandbox)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}
