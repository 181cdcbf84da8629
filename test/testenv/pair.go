package testenv

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
)

// Pair is an MTC setup: Host runs the (absent) MTC controller and is also
// the migration destination; Source is the remote source cluster.
type Pair struct {
	Host   *Cluster
	Source *Cluster
}

// Clusters returns the clusters by name ("host", "source").
func (p *Pair) Clusters() map[string]*Cluster {
	return map[string]*Cluster{HostName: p.Host, SourceName: p.Source}
}

// Stop stops both clusters.
func (p *Pair) Stop() { stopAll(p.Host, p.Source) }

// StartPair starts host and source, installs the MTC, Velero and OpenShift
// CRDs on both (MTC installs its operator and CRDs on every cluster), and
// wires them with SetupMTC. With baseDir set, the clusters live in
// baseDir/host and baseDir/source (kept on Stop); else in temp dirs.
func StartPair(ctx context.Context, baseDir string, opts ...Option) (*Pair, error) {
	sets := [][]crdSet{{crds.MTC, crds.Velero, crds.OpenShift}, {crds.MTC, crds.Velero, crds.OpenShift}}
	cs, err := startClusters(ctx, baseDir, []string{HostName, SourceName}, sets, opts)
	if err != nil {
		return nil, err
	}
	p := &Pair{Host: cs[0], Source: cs[1]}
	if err := SetupMTC(ctx, p.Host, p.Source, SourceName); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// TwoClusters starts a Pair for a test and stops it when the test ends (see
// NewCluster for skipping and failure logs).
func TwoClusters(t testing.TB, opts ...Option) *Pair {
	t.Helper()
	bins := RequireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, err := StartPair(ctx, "", append([]Option{WithBinaries(bins)}, opts...)...)
	if err != nil {
		t.Fatalf("start host and source clusters: %v", err)
	}
	registerCleanup(t, p.Host)
	registerCleanup(t, p.Source)
	return p
}

// Karmada cluster names.
const (
	KarmadaControlPlaneName = "karmada"
	KarmadaMemberName       = "member1"
)

// KarmadaPair is a Karmada control plane (an apiserver with the Karmada
// CRDs, as karmada-apiserver is) and one member cluster joined in Push mode.
type KarmadaPair struct {
	ControlPlane *Cluster
	Member       *Cluster
}

// Clusters returns the clusters by name ("karmada", "member1").
func (k *KarmadaPair) Clusters() map[string]*Cluster {
	return map[string]*Cluster{KarmadaControlPlaneName: k.ControlPlane, KarmadaMemberName: k.Member}
}

// Stop stops both clusters.
func (k *KarmadaPair) Stop() { stopAll(k.ControlPlane, k.Member) }

// StartKarmadaPair starts the control plane and the member and joins the
// member (JoinKarmadaMember). baseDir works as in StartPair.
func StartKarmadaPair(ctx context.Context, baseDir string, opts ...Option) (*KarmadaPair, error) {
	sets := [][]crdSet{{crds.Karmada}, nil}
	cs, err := startClusters(ctx, baseDir, []string{KarmadaControlPlaneName, KarmadaMemberName}, sets, opts)
	if err != nil {
		return nil, err
	}
	k := &KarmadaPair{ControlPlane: cs[0], Member: cs[1]}
	if err := JoinKarmadaMember(ctx, k.ControlPlane, k.Member, KarmadaMemberName); err != nil {
		k.Stop()
		return nil, err
	}
	return k, nil
}

// NewKarmadaPair starts a KarmadaPair for a test and stops it at the end.
func NewKarmadaPair(t testing.TB, opts ...Option) *KarmadaPair {
	t.Helper()
	bins := RequireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	k, err := StartKarmadaPair(ctx, "", append([]Option{WithBinaries(bins)}, opts...)...)
	if err != nil {
		t.Fatalf("start karmada control plane and member: %v", err)
	}
	registerCleanup(t, k.ControlPlane)
	registerCleanup(t, k.Member)
	return k
}

type crdSet func() ([]*apiextensionsv1.CustomResourceDefinition, error)

// startClusters starts the named clusters in parallel and installs each
// one's CRD sets; on any error every started cluster is stopped.
func startClusters(ctx context.Context, baseDir string, names []string, sets [][]crdSet, opts []Option) ([]*Cluster, error) {
	out := make([]*Cluster, len(names))
	g, gctx := errgroup.WithContext(ctx)
	for i, name := range names {
		g.Go(func() error {
			o := opts
			if baseDir != "" {
				o = append(append([]Option{}, opts...), WithDir(filepath.Join(baseDir, name)))
			}
			c, err := StartCluster(gctx, name, o...)
			if err != nil {
				return err
			}
			out[i] = c
			return installSets(gctx, c, sets[i])
		})
	}
	if err := g.Wait(); err != nil {
		stopAll(out...)
		return nil, err
	}
	return out, nil
}

func installSets(ctx context.Context, c *Cluster, sets []crdSet) error {
	var all []*apiextensionsv1.CustomResourceDefinition
	for _, set := range sets {
		crds, err := set()
		if err != nil {
			return fmt.Errorf("cluster %s: load CRDs: %w", c.name, err)
		}
		all = append(all, crds...)
	}
	if len(all) == 0 {
		return nil
	}
	return c.InstallCRDs(ctx, all...)
}

func stopAll(cs ...*Cluster) {
	for _, c := range cs {
		if c != nil {
			c.Stop()
		}
	}
}
