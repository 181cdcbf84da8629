package karmada

import (
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
)

// Karmada resources the engine reads and writes.
var (
	PropagationPolicies        = policyv1alpha1.SchemeGroupVersion.WithResource("propagationpolicies")
	ClusterPropagationPolicies = policyv1alpha1.SchemeGroupVersion.WithResource("clusterpropagationpolicies")
	ResourceBindings           = workv1alpha2.SchemeGroupVersion.WithResource("resourcebindings")
	ClusterResourceBindings    = workv1alpha2.SchemeGroupVersion.WithResource("clusterresourcebindings")
	Works                      = workv1alpha1.SchemeGroupVersion.WithResource("works")
	Namespaces                 = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	Pods                       = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

// MigrationLabel marks the policies kubectl mig karmada migrate writes; its
// value is the policy name, which ties the PropagationPolicy and the
// ClusterPropagationPolicy of one migration together.
const MigrationLabel = "kubectl-mig.io/karmada-migration"

// FieldManager is the field manager of every write.
const FieldManager = "kubectl-mig"

// DefaultPolicyName follows the documentation's examples: "deployments-pp"
// for a kind, "nginx-pp" for an application, "<namespace>-pp" for all kinds.
func DefaultPolicyName(sel Selection, app, namespace string) string {
	switch {
	case sel.AllKinds:
		return namespace + "-pp"
	case len(sel.Resources) > 0:
		if app == "" {
			return ""
		}
		return app + "-pp"
	}
	var parts []string
	for _, k := range sel.Kinds {
		parts = append(parts, plural(strings.ToLower(k.Kind)))
	}
	sort.Strings(parts)
	name := strings.Join(parts, "-") + "-pp"
	if len(name) > 63 {
		return ""
	}
	return name
}

// plural is enough for default names ("deployment" -> "deployments"; a
// resource name typed by the user is already plural).
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "ss"):
		return s + "es"
	case strings.HasSuffix(s, "s"):
		return s
	case strings.HasSuffix(s, "y") && !strings.HasSuffix(s, "ay") && !strings.HasSuffix(s, "ey"):
		return strings.TrimSuffix(s, "y") + "ies"
	}
	return s + "s"
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
