package karmada

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Skipped is a member object a bulk selection (--kind, --all-kinds) left
// out, with the reason.
type Skipped struct {
	Ref    ObjectRef `json:"ref"`
	Reason string    `json:"reason"`
}

// neverTakenOver are kinds a namespace always holds but that belong to the
// member cluster's own controllers (or are not objects one applies):
// --all-kinds leaves them out. Pods are among them: Karmada would try to
// overwrite a running pod, most of whose spec is immutable; take over the
// workload that owns it instead.
var neverTakenOver = map[schema.GroupResource]string{
	{Resource: "pods"}:                                                     "pods are not taken over: take over their workload",
	{Resource: "events"}:                                                   "events are not taken over",
	{Group: "events.k8s.io", Resource: "events"}:                           "events are not taken over",
	{Resource: "endpoints"}:                                                "maintained by the member's endpoints controller",
	{Group: "discovery.k8s.io", Resource: "endpointslices"}:                "maintained by the member's endpointslice controller",
	{Group: "apps", Resource: "controllerrevisions"}:                       "history kept by the member's workload controllers",
	{Group: "coordination.k8s.io", Resource: "leases"}:                     "leases are held by running processes",
	{Resource: "bindings"}:                                                 "not an object",
	{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"}: "not an object",
	{Group: "metrics.k8s.io", Resource: "pods"}:                            "metrics are not objects",
}

// generatedByMember are objects the member's controller-manager (or
// OpenShift's) creates in every namespace; each cluster has its own.
var generatedByMember = map[schema.GroupKind]map[string]bool{
	{Kind: "ConfigMap"}:      {"kube-root-ca.crt": true, "openshift-service-ca.crt": true},
	{Kind: "ServiceAccount"}: {"default": true, "builder": true, "deployer": true, "pipeline": true},
}

// skipReason says why a bulk selection leaves obj out, or "" to take it.
// Explicitly named objects (--resource) are never skipped.
func skipReason(obj *unstructured.Unstructured) string {
	gk := obj.GroupVersionKind().GroupKind()
	switch {
	case obj.GetDeletionTimestamp() != nil:
		return "being deleted"
	case metav1.GetControllerOfNoCopy(obj) != nil:
		owner := metav1.GetControllerOfNoCopy(obj)
		return "owned by " + strings.ToLower(owner.Kind) + "/" + owner.Name + ": Karmada takes over the owner, whose controller keeps managing this object"
	case generatedByMember[gk][obj.GetName()]:
		return "created by the member's controller-manager in every namespace"
	case gk.Kind == "Secret" && isGeneratedSecret(obj):
		return "a token or pull secret the member generated for a service account"
	case gk.Group == "rbac.authorization.k8s.io" && isBootstrapRBAC(obj):
		return "a built-in RBAC object the member's API server maintains"
	case gk.Group == "" && gk.Kind == "Namespace" && isSystemNamespace(obj.GetName()):
		return "a system namespace"
	case gk.Group == "scheduling.k8s.io" && strings.HasPrefix(obj.GetName(), "system-"):
		return "a built-in priority class"
	}
	return ""
}

func isGeneratedSecret(obj *unstructured.Unstructured) bool {
	typ, _, _ := unstructured.NestedString(obj.Object, "type")
	if typ == "kubernetes.io/service-account-token" {
		return true
	}
	_, forSA := obj.GetAnnotations()["kubernetes.io/service-account.name"]
	return forSA && typ == "kubernetes.io/dockercfg"
}

func isBootstrapRBAC(obj *unstructured.Unstructured) bool {
	return obj.GetLabels()["kubernetes.io/bootstrapping"] == "rbac-defaults" ||
		obj.GetAnnotations()["rbac.authorization.kubernetes.io/autoupdate"] == "true" ||
		strings.HasPrefix(obj.GetName(), "system:")
}

// isSystemNamespace covers namespaces Karmada itself will not propagate
// (kube-*, its own karmada-*) and the ones every cluster has.
func isSystemNamespace(name string) bool {
	return name == "default" || strings.HasPrefix(name, "kube-") ||
		strings.HasPrefix(name, "karmada-") || strings.HasPrefix(name, "openshift")
}

// namespaceRefusal says why templates in namespace ns would never be
// propagated, or "".
func namespaceRefusal(ns string) string {
	switch {
	case strings.HasPrefix(ns, "kube-"):
		return "Karmada does not propagate resources in kube-* namespaces (karmada-controller-manager --skipped-propagating-namespaces defaults to kube-.*)"
	case strings.HasPrefix(ns, "karmada-"):
		return "karmada-* namespaces are reserved by Karmada"
	}
	return ""
}
