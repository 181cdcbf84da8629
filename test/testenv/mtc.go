package testenv

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Names of the MTC wiring every pair gets.
const (
	// MigrationNamespace is where MTC (and its Velero) live on every cluster.
	MigrationNamespace = "openshift-migration"
	// ConfigNamespace holds the remote cluster's token Secret on the host.
	ConfigNamespace = "openshift-config"
	// MigrationServiceAccount is the source cluster's service account whose
	// token the host's MigCluster uses (bound to cluster-admin).
	MigrationServiceAccount = "migration-controller"
	// SourceTokenSecret is the Secret (in ConfigNamespace on the host) whose
	// key SATokenKey holds the source cluster's token.
	SourceTokenSecret = "source-token"
	// SATokenKey is the key MTC reads from a MigCluster's token Secret.
	SATokenKey = "saToken"
	// HostName and SourceName are the cluster names, which are also the
	// names of the MigCluster objects.
	HostName   = "host"
	SourceName = "source"
	// TokenValidity is how long the issued service-account token is valid.
	TokenValidity = 7 * 24 * time.Hour
)

// MigClusterGVR is migclusters.migration.openshift.io/v1alpha1.
var MigClusterGVR = schema.GroupVersionResource{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migclusters"}

// SetupMTC wires host and remote the way an MTC administrator does: on the
// remote, ServiceAccount openshift-migration/migration-controller bound to
// cluster-admin; on the host, Secret openshift-config/<remoteName>-token with
// a real token for it under "saToken", MigCluster "host" (isHostCluster) and
// MigCluster <remoteName> (url, caBundle, serviceAccountSecretRef). Both
// MigClusters get the Ready condition the controller would set. The MTC CRDs
// must be installed on the host.
func SetupMTC(ctx context.Context, host, remote *Cluster, remoteName string) error {
	if err := host.EnsureNamespace(ctx, MigrationNamespace); err != nil {
		return err
	}
	if err := host.EnsureNamespace(ctx, ConfigNamespace); err != nil {
		return err
	}
	if err := remote.EnsureServiceAccount(ctx, MigrationNamespace, MigrationServiceAccount, "cluster-admin"); err != nil {
		return err
	}
	token, err := remote.ServiceAccountToken(ctx, MigrationNamespace, MigrationServiceAccount, TokenValidity)
	if err != nil {
		return err
	}
	secretName := remoteName + "-token"
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName, Namespace: ConfigNamespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{SATokenKey: []byte(token)},
	}
	if _, err := host.client.CoreV1().Secrets(ConfigNamespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create Secret %s/%s: %w", host.name, ConfigNamespace, secretName, err)
	}
	if err := host.createMigCluster(ctx, HostName, map[string]any{"isHostCluster": true}); err != nil {
		return err
	}
	return host.createMigCluster(ctx, remoteName, map[string]any{
		"isHostCluster": false,
		"url":           remote.URL(),
		"caBundle":      remote.CABase64(),
		"insecure":      false,
		"serviceAccountSecretRef": map[string]any{
			"name": secretName, "namespace": ConfigNamespace,
		},
	})
}

func (c *Cluster) createMigCluster(ctx context.Context, name string, spec map[string]any) error {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": MigClusterGVR.GroupVersion().String(),
		"kind":       "MigCluster",
		"metadata": map[string]any{
			"name": name, "namespace": MigrationNamespace,
			"labels": map[string]any{"controller-tools.k8s.io": "1.0"},
		},
		"spec": spec,
	}}
	if _, err := c.dynamic.Resource(MigClusterGVR).Namespace(MigrationNamespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create MigCluster %s: %w", c.name, name, err)
	}
	status := map[string]any{"conditions": []any{map[string]any{
		"type": "Ready", "status": "True", "category": "Required",
		"message": "The cluster is ready.", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
	}}}
	return c.PatchStatus(ctx, MigClusterGVR, MigrationNamespace, name, status)
}
