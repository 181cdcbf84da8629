package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	"github.com/kubectl-mig/kubectl-mig/engine/karmada/karmadatest"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// startKarmada lets the host API server play the Karmada control plane: it
// installs the Karmada CRDs there, joins the source cluster as member
// "source", and runs the simulated Karmada controllers (the real ones do not
// run here) so takeovers and rollbacks complete as they would.
func startKarmada(ctx context.Context, pair *testenv.Pair) (stop func(), err error) {
	karmadaCRDs, err := crds.Karmada()
	if err != nil {
		return nil, err
	}
	if err := pair.Host.InstallCRDs(ctx, karmadaCRDs...); err != nil {
		return nil, fmt.Errorf("install the Karmada CRDs on host: %w", err)
	}
	if err := testenv.JoinKarmadaMember(ctx, pair.Host, pair.Source, testenv.SourceName); err != nil {
		return nil, err
	}
	c := karmadatest.Start(ctx, karmadatest.Config{
		Karmada: pair.Host.Dynamic(), KarmadaMapper: pair.Host.RESTMapper(),
		Member: pair.Source.Dynamic(), MemberMapper: pair.Source.RESTMapper(),
		ClusterName: testenv.SourceName,
		Logf:        func(format string, args ...any) { fmt.Fprintf(os.Stderr, "karmada controller: "+format+"\n", args...) },
	})
	return c.Stop, nil
}
