// Package secrets writes, masks and removes the Secrets that hold the
// credentials MTC needs (a remote cluster's service-account token, a
// replication repository's cloud keys). Their values are never returned in
// errors or output: what leaves this package for display is always masked.
package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// DefaultNamespace is where MTC's documentation keeps credential Secrets.
const DefaultNamespace = "openshift-config"

// Labels marking the Secrets kubectl-mig creates, so that removing a
// MigCluster or MigStorage removes only Secrets we made.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "kubectl-mig"
	// ForLabel names the MigCluster or MigStorage the Secret was made for
	// ("migcluster.<name>" or "migstorage.<name>").
	ForLabel = "app.kubernetes.io/instance"
)

// Redacted is what a masked value shows instead of the secret.
const Redacted = "<redacted>"

// New returns an Opaque Secret labelled as ours, for owner ("migcluster" or
// "migstorage") and its name.
func New(namespace, name, ownerKind, ownerName string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{
			ManagedByLabel: ManagedByValue,
			ForLabel:       ownerKind + "." + ownerName,
		}},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
}

// Masked returns a copy of s fit for printing: data is replaced by
// stringData entries reading "<redacted>", so the keys stay visible and the
// values do not.
func Masked(s *corev1.Secret) *corev1.Secret {
	if s == nil {
		return nil
	}
	m := s.DeepCopy()
	m.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}
	m.StringData = map[string]string{}
	for k := range s.Data {
		m.StringData[k] = Redacted
	}
	for k := range s.StringData {
		m.StringData[k] = Redacted
	}
	m.Data = nil
	m.ManagedFields = nil
	return m
}

// Keys lists the data keys of s, sorted: what describe shows instead of values.
func Keys(s *corev1.Secret) []string {
	keys := make([]string, 0, len(s.Data))
	for k := range s.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Owned reports whether kubectl-mig created s for owner ("migcluster.x").
func Owned(s *corev1.Secret, owner string) bool {
	return s.Labels[ManagedByLabel] == ManagedByValue && s.Labels[ForLabel] == owner
}

// ApplyResult says what Apply did.
type ApplyResult int

// Apply outcomes.
const (
	Created ApplyResult = iota
	Unchanged
	Updated
)

// ErrExists is wrapped when a different Secret already has the name.
type ErrExists struct{ Namespace, Name string }

func (e *ErrExists) Error() string {
	return fmt.Sprintf("Secret %s/%s already exists with other content", e.Namespace, e.Name)
}

// Apply creates s. When a Secret of that name exists: identical data means
// nothing to do; different data is replaced only with overwrite (by a merge
// patch of data, so other fields stay), else ErrExists.
func Apply(ctx context.Context, kc kubernetes.Interface, s *corev1.Secret, overwrite, dryRun bool) (ApplyResult, error) {
	api := kc.CoreV1().Secrets(s.Namespace)
	_, err := api.Create(ctx, s, metav1.CreateOptions{DryRun: dryRunOpt(dryRun)})
	if err == nil {
		return Created, nil
	}
	if !apierrors.IsAlreadyExists(err) {
		return 0, fmt.Errorf("create Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	res := Unchanged
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := api.Get(ctx, s.Name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("read Secret %s/%s: %w", s.Namespace, s.Name, err)
		}
		if sameData(cur.Data, s.Data) {
			res = Unchanged
			return nil
		}
		if !overwrite {
			return &ErrExists{Namespace: s.Namespace, Name: s.Name}
		}
		res = Updated
		return replaceData(ctx, kc, cur, s.Data, dryRun)
	})
	return res, err
}

// replaceData sets exactly data on the Secret: a strategic merge would keep
// stale keys, so stale keys are nulled explicitly in a merge patch.
func replaceData(ctx context.Context, kc kubernetes.Interface, cur *corev1.Secret, data map[string][]byte, dryRun bool) error {
	patch := map[string]any{}
	for k := range cur.Data {
		if _, keep := data[k]; !keep {
			patch[k] = nil
		}
	}
	for k, v := range data {
		patch[k] = v
	}
	body, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": cur.ResourceVersion},
		"data":     patch,
	})
	if err != nil {
		return err
	}
	_, err = kc.CoreV1().Secrets(cur.Namespace).Patch(ctx, cur.Name, types.MergePatchType, body, metav1.PatchOptions{DryRun: dryRunOpt(dryRun)})
	if err != nil {
		return fmt.Errorf("update Secret %s/%s: %w", cur.Namespace, cur.Name, err)
	}
	return nil
}

func sameData(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// Delete removes a Secret; a Secret already gone is not an error.
func Delete(ctx context.Context, kc kubernetes.Interface, namespace, name string, dryRun bool) error {
	err := kc.CoreV1().Secrets(namespace).Delete(ctx, name, metav1.DeleteOptions{DryRun: dryRunOpt(dryRun)})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete Secret %s/%s: %w", namespace, name, err)
	}
	return nil
}

func dryRunOpt(dryRun bool) []string {
	if dryRun {
		return []string{metav1.DryRunAll}
	}
	return nil
}
