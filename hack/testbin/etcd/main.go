// Command etcd is a pinned etcd server for the kubectl-mig test harness.
// It is built from the Go module proxy so tests need no downloaded binaries.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
