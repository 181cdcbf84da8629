package collect

import (
	"errors"
	"fmt"

	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
)

// FromTargets turns the clusters engine/cluster resolved (host first, then
// every MigCluster) into gather clusters; the MigClusters it could not
// resolve become clusters with Err set, so that the gather records them.
func FromTargets(targets []*cluster.Target, errs []error) []Cluster {
	out := make([]Cluster, 0, len(targets)+len(errs))
	for _, t := range targets {
		out = append(out, Cluster{Name: t.Name, MigCluster: t.Name, Host: t.IsHost, Config: t.Config})
	}
	for i, err := range errs {
		name := fmt.Sprintf("unresolved-%d", i+1)
		var ce *cluster.Error
		if errors.As(err, &ce) && ce.Cluster != "" {
			name = ce.Cluster
		}
		out = append(out, Cluster{Name: name, MigCluster: name, Err: err})
	}
	return out
}
