package testenv

import (
	"context"
	"testing"
	"time"
)

// NewCluster starts a cluster for a test and stops it when the test ends. It
// skips the test when the binaries are missing (see RequireBinaries). If the
// test failed, the tails of the etcd and apiserver logs are logged.
func NewCluster(t testing.TB, name string, opts ...Option) *Cluster {
	t.Helper()
	bins := RequireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := StartCluster(ctx, name, append([]Option{WithBinaries(bins)}, opts...)...)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	registerCleanup(t, c)
	return c
}

func registerCleanup(t testing.TB, c *Cluster) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cluster %s logs:\n%s", c.Name(), c.LogTails(30))
		}
		c.Stop()
	})
}
