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

	"github.com/kubectl-mig/kubectl-mig/test/kubelet"
)

const (
	// KarmadaClusterNamespace holds member-cluster credentials on the
	// Karmada control plane.
	KarmadaClusterNamespace = "karmada-cluster"
	// KarmadaSystemNamespace is where the member's service account lives.
	KarmadaSystemNamespace = "karmada-system"
	// KarmadaMemberServiceAccount is the member-side service account whose
	// token the control plane uses (bound to cluster-admin).
	KarmadaMemberServiceAccount = "karmada-impersonator"
)

// KarmadaClusterGVR is clusters.cluster.karmada.io/v1alpha1 (cluster-scoped).
var KarmadaClusterGVR = schema.GroupVersionResource{Group: "cluster.karmada.io", Version: "v1alpha1", Resource: "clusters"}

// JoinKarmadaMember registers member on the control plane as a Push-mode
// Karmada Cluster named memberName: a Secret karmada-cluster/<memberName>
// with a real token ("token") and CA ("caBundle"), the Cluster object with
// apiEndpoint and secretRef, and a Ready status. The Karmada CRDs must be
// installed on the control plane.
func JoinKarmadaMember(ctx context.Context, controlPlane, member *Cluster, memberName string) error {
	if err := member.EnsureServiceAccount(ctx, KarmadaSystemNamespace, KarmadaMemberServiceAccount, "cluster-admin"); err != nil {
		return err
	}
	token, err := member.ServiceAccountToken(ctx, KarmadaSystemNamespace, KarmadaMemberServiceAccount, TokenValidity)
	if err != nil {
		return err
	}
	if err := controlPlane.EnsureNamespace(ctx, KarmadaClusterNamespace); err != nil {
		return err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: memberName, Namespace: KarmadaClusterNamespace},
		Data:       map[string][]byte{"token": []byte(token), "caBundle": member.CA()},
	}
	if _, err := controlPlane.client.CoreV1().Secrets(KarmadaClusterNamespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create Secret %s/%s: %w", controlPlane.name, KarmadaClusterNamespace, memberName, err)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": KarmadaClusterGVR.GroupVersion().String(),
		"kind":       "Cluster",
		"metadata":   map[string]any{"name": memberName},
		"spec": map[string]any{
			"syncMode":    "Push",
			"apiEndpoint": member.URL(),
			"secretRef":   map[string]any{"namespace": KarmadaClusterNamespace, "name": memberName},
		},
	}}
	if _, err := controlPlane.dynamic.Resource(KarmadaClusterGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create Karmada Cluster %s: %w", controlPlane.name, memberName, err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	status := map[string]any{
		"kubernetesVersion": kubelet.KubeletVersion,
		"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "ClusterReady",
			"message": "cluster is healthy and ready to accept workloads", "lastTransitionTime": now,
		}},
	}
	return controlPlane.PatchStatus(ctx, KarmadaClusterGVR, "", memberName, status)
}
