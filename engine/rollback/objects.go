package rollback

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// IsReusedApplicationPod reports whether a stage-labelled pod is an
// application pod MTC borrowed (is-application-pod), not one it created.
func IsReusedApplicationPod(u *unstructured.Unstructured) bool {
	return u.GetLabels()[mtc.ApplicationPodLabel] == "true"
}

// ReleasePodChange removes the stage labels and annotation MTC put on a
// reused application pod. The correlation labels migplan/migmigration are
// removed only when migplan names this plan, so a user's own labels of
// those names are kept.
func ReleasePodChange(u *unstructured.Unstructured, planUID types.UID) (detail string, ops []kube.JSONPatchOp) {
	labels := u.GetLabels()
	remove := []string{mtc.StagePodLabel, mtc.ApplicationPodLabel, mtc.IncludedInStageBackupLabel}
	if labels["migplan"] == string(planUID) {
		remove = append(remove, "migplan", "migmigration")
	}
	var removed []string
	for _, k := range remove {
		if _, ok := labels[k]; ok {
			ops = append(ops, kube.JSONPatchOp{Op: "remove", Path: "/metadata/labels/" + escape(k)})
			removed = append(removed, k)
		}
	}
	if _, ok := u.GetAnnotations()[mtc.ExcludePVCsAnnotation]; ok {
		ops = append(ops, kube.JSONPatchOp{Op: "remove", Path: annotationPath(mtc.ExcludePVCsAnnotation)})
		removed = append(removed, mtc.ExcludePVCsAnnotation)
	}
	if len(removed) == 0 {
		return "", nil
	}
	return "remove " + strings.Join(removed, ", "), ops
}

// validReclaimPolicies are the values a PV accepts.
var validReclaimPolicies = map[string]bool{
	string(corev1.PersistentVolumeReclaimRetain):  true,
	string(corev1.PersistentVolumeReclaimDelete):  true,
	string(corev1.PersistentVolumeReclaimRecycle): true,
}

// HasOrigReclaimPolicy reports whether the PV carries the annotation the
// velero PV plugin wrote when it switched the PV to Retain for a move.
func HasOrigReclaimPolicy(u *unstructured.Unstructured) bool {
	_, ok := u.GetAnnotations()[mtc.OrigReclaimPolicyAnnotation]
	return ok
}

// ReclaimPolicyChange restores spec.persistentVolumeReclaimPolicy from
// migration.openshift.io/orig-reclaim-policy and removes the annotation.
func ReclaimPolicyChange(u *unstructured.Unstructured, planUID types.UID) (detail string, ops []kube.JSONPatchOp, err error) {
	want, ok := u.GetAnnotations()[mtc.OrigReclaimPolicyAnnotation]
	if !ok {
		return "", nil, nil
	}
	if !validReclaimPolicies[want] {
		return "", nil, fmt.Errorf("annotation %s=%q is not a reclaim policy (Retain, Delete, Recycle): set it by hand",
			mtc.OrigReclaimPolicyAnnotation, want)
	}
	cur, _, _ := unstructured.NestedString(u.Object, "spec", "persistentVolumeReclaimPolicy")
	if cur != want {
		ops = append(ops, kube.JSONPatchOp{Op: "replace", Path: "/spec/persistentVolumeReclaimPolicy", Value: want})
		detail = fmt.Sprintf("reclaimPolicy %s -> %s; ", cur, want)
	} else {
		detail = fmt.Sprintf("reclaimPolicy already %s; ", cur)
	}
	ops = append(ops, kube.JSONPatchOp{Op: "remove", Path: annotationPath(mtc.OrigReclaimPolicyAnnotation)})
	ops = append(ops, setAnnotation(u, MarkerAnnotation, string(planUID))...)
	return detail + "remove orig-reclaim-policy", ops, nil
}

func escape(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}
