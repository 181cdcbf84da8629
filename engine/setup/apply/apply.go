// Package apply writes an MTC object together with the credentials Secret it
// references, as one step that either completes or leaves nothing new
// behind: the Secret first (the controller would flag a dangling reference),
// then the object; if the object cannot be written, a Secret this step
// created is deleted again.
package apply

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
)

// Action is what happened to an object, in kubectl's words.
type Action string

// Actions.
const (
	Created   Action = "created"
	Updated   Action = "configured"
	Unchanged Action = "unchanged"
	Deleted   Action = "deleted"
)

// Result is what Pair wrote.
type Result struct {
	SecretAction Action
	ObjectAction Action
	// Object is the object as the server returned it.
	Object *unstructured.Unstructured
}

// Request is one object and its Secret.
type Request struct {
	Secret *corev1.Secret
	// Object is the typed object to create (TypeMeta set).
	Object any
	// Kind names the object in errors ("MigCluster").
	Kind string
	// Patch is the merge patch that updates an existing object when
	// Overwrite is set.
	Patch     map[string]any
	Overwrite bool
	DryRun    bool
}

// Pair writes req.Secret and then req.Object in ri.
func Pair(ctx context.Context, kc kubernetes.Interface, ri dynamic.ResourceInterface, req Request) (*Result, error) {
	applied, err := secrets.Apply(ctx, kc, req.Secret, req.Overwrite, req.DryRun)
	if err != nil {
		return nil, fmt.Errorf("store the credentials on the host cluster: %w", err)
	}
	res := &Result{SecretAction: secretAction(applied)}
	u, err := Prune(req.Object)
	if err != nil {
		return res, err
	}
	name := u.GetName()
	opts := metav1.CreateOptions{}
	if req.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	created, err := ri.Create(ctx, u, opts)
	switch {
	case err == nil:
		res.ObjectAction, res.Object = Created, created
		return res, nil
	case apierrors.IsAlreadyExists(err) && req.Overwrite && req.Patch != nil:
		if err := kube.MergePatch(ctx, ri, name, req.Patch, req.DryRun); err != nil {
			return res, fmt.Errorf("update %s %s/%s: %w", req.Kind, u.GetNamespace(), name, err)
		}
		res.ObjectAction = Updated
		res.Object, err = ri.Get(ctx, name, metav1.GetOptions{})
		return res, err
	}
	cause := fmt.Errorf("create %s %s/%s: %w", req.Kind, u.GetNamespace(), name, err)
	if applied == secrets.Created && !req.DryRun {
		if derr := secrets.Delete(ctx, kc, req.Secret.Namespace, req.Secret.Name, false); derr != nil {
			return res, fmt.Errorf("%w; the Secret %s/%s it left behind could not be removed either: %w",
				cause, req.Secret.Namespace, req.Secret.Name, derr)
		}
	}
	return res, cause
}

// Prune converts a typed MTC object for writing or printing: without
// status, creationTimestamp, or empty spec sub-objects (Go structs without
// omitempty, such as MigStorage's volumeSnapshotConfig, which mean "not set").
func Prune(obj any) (*unstructured.Unstructured, error) {
	u, err := kube.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	unstructured.RemoveNestedField(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	if spec, ok := u.Object["spec"].(map[string]any); ok {
		for k, v := range spec {
			if m, ok := v.(map[string]any); ok && len(m) == 0 {
				delete(spec, k)
			}
		}
	}
	return u, nil
}

func secretAction(a secrets.ApplyResult) Action {
	switch a {
	case secrets.Updated:
		return Updated
	case secrets.Unchanged:
		return Unchanged
	}
	return Created
}

// Delete deletes one object (a missing object is not an error).
func Delete(ctx context.Context, ri dynamic.ResourceInterface, kind, ns, name string, dryRun bool) error {
	opts := metav1.DeleteOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if err := ri.Delete(ctx, name, opts); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete %s %s/%s: %w", kind, ns, name, err)
	}
	return nil
}

// NamespacesExist checks that every namespace exists on the host, naming
// the likely cause when one does not.
func NamespacesExist(ctx context.Context, kc kubernetes.Interface, namespaces ...string) error {
	for _, ns := range namespaces {
		if _, err := kc.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				return fmt.Errorf("namespace %s does not exist on the host cluster: is MTC installed there (and is -n right)?", ns)
			}
			return fmt.Errorf("read namespace %s on the host cluster: %w", ns, err)
		}
	}
	return nil
}

// SecretFree refuses to take over a Secret someone else created (not
// labelled for owner), unless overwrite is asked.
func SecretFree(ctx context.Context, kc kubernetes.Interface, ns, name, owner string, overwrite bool) error {
	sec, err := kc.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("read Secret %s/%s on the host cluster: %w", ns, name, err)
	case overwrite || secrets.Owned(sec, owner):
		return nil
	}
	return fmt.Errorf("the Secret %s/%s already exists and was not created for %s: pass --secret-name to use another name, or --overwrite to replace its data",
		ns, name, owner)
}

// DeleteOwnedSecret deletes the Secret ns/name if kubectl-mig created it for
// owner and inUse reports no other user; it returns what it did or why it
// kept the Secret.
func DeleteOwnedSecret(ctx context.Context, kc kubernetes.Interface, ns, name, owner string, inUse func() (string, error), dryRun bool) (deleted bool, kept string, err error) {
	s, err := kc.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read Secret %s/%s: %w", ns, name, err)
	}
	if !secrets.Owned(s, owner) {
		return false, fmt.Sprintf("Secret %s/%s kept: it was not created by kubectl mig for %s", ns, name, owner), nil
	}
	user, err := inUse()
	if err != nil {
		return false, "", err
	}
	if user != "" {
		return false, fmt.Sprintf("Secret %s/%s kept: %s uses it too", ns, name, user), nil
	}
	if err := secrets.Delete(ctx, kc, ns, name, dryRun); err != nil {
		return false, "", err
	}
	return true, "", nil
}
