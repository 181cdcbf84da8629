package testenv

import (
	"context"
	"fmt"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EnsureNamespace creates a namespace if it does not exist.
func (c *Cluster) EnsureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := c.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create namespace %s: %w", c.name, name, err)
	}
	return nil
}

// EnsureServiceAccount creates namespace/name (and its namespace) and, when
// clusterRole is not empty, a ClusterRoleBinding "<namespace>-<name>" to it.
func (c *Cluster) EnsureServiceAccount(ctx context.Context, namespace, name, clusterRole string) error {
	if err := c.EnsureNamespace(ctx, namespace); err != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
	if _, err := c.client.CoreV1().ServiceAccounts(namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: create ServiceAccount %s/%s: %w", c.name, namespace, name, err)
	}
	if clusterRole == "" {
		return nil
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: namespace + "-" + name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}},
	}
	if _, err := c.client.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cluster %s: bind %s/%s to %s: %w", c.name, namespace, name, clusterRole, err)
	}
	return nil
}

// ServiceAccountToken asks the apiserver's TokenRequest API for a real,
// signed token of an existing service account.
func (c *Cluster) ServiceAccountToken(ctx context.Context, namespace, name string, validity time.Duration) (string, error) {
	secs := int64(validity / time.Second)
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &secs}}
	out, err := c.client.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, tr, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("cluster %s: token for ServiceAccount %s/%s: %w", c.name, namespace, name, err)
	}
	return out.Status.Token, nil
}
