package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// reset undoes a loaded scenario so the next case starts from the state
// testenv.StartPair left: every object the scenario created is deleted
// (finalizers removed first: no controllers run here to honour them),
// namespace annotations are cleared, container logs dropped, and the
// MigClusters are recreated as SetupMTC makes them. Sharing one pair keeps
// the whole case matrix to a few seconds per case.
func reset(ctx context.Context, p *testenv.Pair, loaded *scenario.Loaded) error {
	clusters := p.Clusters()
	zero := int64(0)
	// Background: the default for Jobs is Orphan, which waits for a garbage
	// collector that does not run here.
	background := metav1.DeletePropagationBackground
	for _, o := range loaded.Objects {
		c := clusters[o.Cluster]
		if c == nil || o.Resource.Resource == "" {
			continue
		}
		ri := c.Dynamic().Resource(o.Resource)
		if o.GVK.Kind == "Node" || o.GVK.Kind == "CustomResourceDefinition" {
			continue // harness infrastructure: the stand-in kubelet's Node stays
		}
		if o.GVK.Kind == "Namespace" {
			patch := []byte(`{"metadata":{"annotations":null}}`)
			if _, err := ri.Patch(ctx, o.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("clear namespace %s: %w", o.Name, err)
			}
			continue
		}
		nri := ri.Namespace(o.Namespace)
		fin := []byte(`{"metadata":{"finalizers":null}}`)
		if _, err := nri.Patch(ctx, o.Name, types.MergePatchType, fin, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("clear finalizers of %s %s/%s: %w", o.GVK.Kind, o.Namespace, o.Name, err)
		}
		err := nri.Delete(ctx, o.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, PropagationPolicy: &background})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s %s/%s: %w", o.GVK.Kind, o.Namespace, o.Name, err)
		}
		if o.GVK.Kind == "Pod" {
			dir := filepath.Dir(c.Kubelet().LogPath(o.Namespace, o.Name, "x", false))
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	for _, name := range []string{testenv.HostName, testenv.SourceName} {
		err := p.Host.Dynamic().Resource(testenv.MigClusterGVR).Namespace(testenv.MigrationNamespace).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete MigCluster %s: %w", name, err)
		}
	}
	return testenv.SetupMTC(ctx, p.Host, p.Source, testenv.SourceName)
}
