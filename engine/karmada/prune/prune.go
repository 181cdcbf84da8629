// Package prune turns a live member-cluster object into a Karmada resource
// template the way `karmadactl promote` does: it drops what the member's API
// server and controllers generated (identity, status, allocated cluster IPs,
// generated Job selectors, ...) so that Karmada, once it takes the object over
// with conflictResolution Overwrite, writes back the same spec and no pod
// restarts. It also drops the bookkeeping Karmada itself leaves on member
// objects, which a template must never carry.
package prune

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
)

// Well-known keys touched by the per-kind rules (the values Kubernetes uses).
const (
	deploymentRevision        = "deployment.kubernetes.io/revision"
	deploymentRevisionHistory = "deployment.kubernetes.io/revision-history"
	pvcSelectedNode           = "volume.kubernetes.io/selected-node"
	serviceAccountUID         = "kubernetes.io/service-account.uid"
	serviceAccountTokenType   = "kubernetes.io/service-account-token"
	clusterIPNone             = "None"
)

// jobGeneratedLabels are the labels the Job controller adds to a Job's
// selector and pod template unless spec.manualSelector is true.
var jobGeneratedLabels = []string{
	"controller-uid", "batch.kubernetes.io/controller-uid",
	"job-name", "batch.kubernetes.io/job-name",
}

// generatedMetadata are the metadata fields the API server fills in.
var generatedMetadata = []string{
	"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
	"managedFields", "resourceVersion", "selfLink", "uid", "ownerReferences", "finalizers",
}

// Template returns a pruned deep copy of obj, ready to be created on the
// Karmada API server. With addOverwrite it also sets the template annotation
// work.karmada.io/conflict-resolution=overwrite unless the object already
// has one (promote does the same; the policy field alone needs Karmada >=
// 1.7, the annotation works on every version).
func Template(obj *unstructured.Unstructured, addOverwrite bool) (*unstructured.Unstructured, error) {
	out := obj.DeepCopy()
	for _, f := range generatedMetadata {
		unstructured.RemoveNestedField(out.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(out.Object, "status")
	if rule, ok := kindRules[out.GetKind()]; ok {
		if err := rule(out); err != nil {
			return nil, fmt.Errorf("prune %s %s: %w", out.GetKind(), qualifiedName(out), err)
		}
	}
	dropKarmadaBookkeeping(out)
	if addOverwrite {
		setAnnotationIfAbsent(out, karmada.ConflictResolutionAnnotation, karmada.ConflictResolutionOverwrite)
	}
	return out, nil
}

var kindRules = map[string]func(*unstructured.Unstructured) error{
	"Deployment":            pruneDeployment,
	"Service":               pruneService,
	"Job":                   pruneJob,
	"ServiceAccount":        pruneServiceAccount,
	"Secret":                pruneSecret,
	"PersistentVolumeClaim": prunePVC,
}

// pruneDeployment drops the revision annotations the Deployment controller
// keeps: copied into a template they start an update war with the member
// (karmada-io/karmada#4946).
func pruneDeployment(u *unstructured.Unstructured) error {
	removeAnnotations(u, deploymentRevision, deploymentRevisionHistory)
	return nil
}

// pruneService drops the cluster IPs the member allocated, except for a
// headless Service where "None" is the user's choice.
func pruneService(u *unstructured.Unstructured) error {
	ip, found, err := unstructured.NestedString(u.Object, "spec", "clusterIP")
	if err != nil {
		return err
	}
	if found && ip != clusterIPNone {
		unstructured.RemoveNestedField(u.Object, "spec", "clusterIP")
		unstructured.RemoveNestedField(u.Object, "spec", "clusterIPs")
	}
	return nil
}

// pruneJob drops the selector and pod labels the Job controller generated;
// a Job with spec.manualSelector keeps them because the user wrote them.
func pruneJob(u *unstructured.Unstructured) error {
	manual, _, err := unstructured.NestedBool(u.Object, "spec", "manualSelector")
	if err != nil {
		return err
	}
	if manual {
		return nil
	}
	for _, path := range [][]string{
		{"spec", "selector", "matchLabels"},
		{"spec", "template", "metadata", "labels"},
	} {
		if err := removeMapKeys(u, path, jobGeneratedLabels); err != nil {
			return err
		}
	}
	return nil
}

// pruneServiceAccount drops the <name>-token-* Secrets the member's token
// controller generated (clusters before Kubernetes 1.24).
func pruneServiceAccount(u *unstructured.Unstructured) error {
	secrets, found, err := unstructured.NestedSlice(u.Object, "secrets")
	if err != nil || !found {
		return err
	}
	prefix := u.GetName() + "-token-"
	kept := make([]any, 0, len(secrets))
	for _, s := range secrets {
		if m, ok := s.(map[string]any); ok {
			if name, _ := m["name"].(string); strings.HasPrefix(name, prefix) {
				continue
			}
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 {
		unstructured.RemoveNestedField(u.Object, "secrets")
		return nil
	}
	return unstructured.SetNestedSlice(u.Object, kept, "secrets")
}

// pruneSecret empties a service-account token Secret: the member's token
// controller fills it, and the token is that cluster's credential.
func pruneSecret(u *unstructured.Unstructured) error {
	typ, _, err := unstructured.NestedString(u.Object, "type")
	if err != nil {
		return err
	}
	if typ == serviceAccountTokenType {
		removeAnnotations(u, serviceAccountUID)
		unstructured.RemoveNestedField(u.Object, "data")
		unstructured.RemoveNestedField(u.Object, "stringData")
	}
	return nil
}

// prunePVC drops the node the member's scheduler chose for the volume.
func prunePVC(u *unstructured.Unstructured) error {
	removeAnnotations(u, pvcSelectedNode)
	return nil
}

// dropKarmadaBookkeeping removes the labels and annotations Karmada writes
// on member objects (a previous takeover, or leftovers of a rollback): a
// template carrying karmada.io/managed or another binding's ids would lie
// about what manages it. The conflict-resolution annotation is the one
// exception: it is a user setting, kept as it is.
func dropKarmadaBookkeeping(u *unstructured.Unstructured) {
	labels := u.GetLabels()
	for k := range labels {
		if IsKarmadaKey(k) {
			delete(labels, k)
		}
	}
	setOrClearLabels(u, labels)
	annotations := u.GetAnnotations()
	for k := range annotations {
		if IsKarmadaKey(k) && k != karmada.ConflictResolutionAnnotation {
			delete(annotations, k)
		}
	}
	setOrClearAnnotations(u, annotations)
}

// IsKarmadaKey reports whether a label or annotation key belongs to Karmada
// (its prefix is karmada.io or a sub-domain of it).
func IsKarmadaKey(key string) bool {
	prefix, _, ok := strings.Cut(key, "/")
	return ok && (prefix == "karmada.io" || strings.HasSuffix(prefix, ".karmada.io"))
}

func removeAnnotations(u *unstructured.Unstructured, keys ...string) {
	a := u.GetAnnotations()
	for _, k := range keys {
		delete(a, k)
	}
	setOrClearAnnotations(u, a)
}

func setAnnotationIfAbsent(u *unstructured.Unstructured, key, value string) {
	a := u.GetAnnotations()
	if _, ok := a[key]; ok {
		return
	}
	if a == nil {
		a = map[string]string{}
	}
	a[key] = value
	u.SetAnnotations(a)
}

// setOrClearLabels keeps the template free of empty "labels: {}" maps.
func setOrClearLabels(u *unstructured.Unstructured, m map[string]string) {
	if len(m) == 0 {
		unstructured.RemoveNestedField(u.Object, "metadata", "labels")
		return
	}
	u.SetLabels(m)
}

func setOrClearAnnotations(u *unstructured.Unstructured, m map[string]string) {
	if len(m) == 0 {
		unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
		return
	}
	u.SetAnnotations(m)
}

func removeMapKeys(u *unstructured.Unstructured, path []string, keys []string) error {
	m, found, err := unstructured.NestedStringMap(u.Object, path...)
	if err != nil || !found {
		return err
	}
	for _, k := range keys {
		delete(m, k)
	}
	if len(m) == 0 {
		unstructured.RemoveNestedField(u.Object, path...)
		return nil
	}
	return unstructured.SetNestedStringMap(u.Object, m, path...)
}

func qualifiedName(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return u.GetNamespace() + "/" + u.GetName()
}
