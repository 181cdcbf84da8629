package collect_test

import (
	"os"
	"testing"

	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
)

func TestMain(m *testing.M) {
	if gathertest.MaybeServeExporter() {
		return
	}
	os.Exit(m.Run())
}
