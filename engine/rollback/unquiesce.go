package rollback

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Workload kinds MTC quiesces, in the order it quiesces them.
const (
	KindCronJob          = "CronJob"
	KindDeploymentConfig = "DeploymentConfig"
	KindDeployment       = "Deployment"
	KindStatefulSet      = "StatefulSet"
	KindReplicaSet       = "ReplicaSet"
	KindDaemonSet        = "DaemonSet"
	KindJob              = "Job"
)

// quiesceAnnotations are the annotations whose presence marks a workload MTC
// quiesced.
var quiesceAnnotations = []string{
	mtc.PreQuiesceReplicasAnnotation, mtc.PreQuiescePausedAnnotation,
	mtc.PreQuiesceSuspendAnnotation, mtc.PreQuiesceNodeSelectorAnnotation,
}

// IsQuiesced reports whether MTC quiesced the workload and it has not been
// restored: one of its preQuiesce* annotations is present, or (DaemonSet)
// the quiesce node selector.
func IsQuiesced(kind string, u *unstructured.Unstructured) bool {
	ann := u.GetAnnotations()
	for _, k := range quiesceAnnotations {
		if _, ok := ann[k]; ok {
			return true
		}
	}
	if kind == KindDaemonSet {
		sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "spec", "nodeSelector")
		_, ok := sel[mtc.QuiesceDaemonSetNodeSelector]
		return ok
	}
	return false
}

// RolledBackBy reports whether a previous manual rollback of the plan
// restored this object.
func RolledBackBy(u *unstructured.Unstructured, planUID types.UID) bool {
	return u.GetAnnotations()[MarkerAnnotation] == string(planUID)
}

// UnquiesceChange computes, from the live workload, the JSON patch
// operations that restore exactly what MTC's annotations recorded (the way
// MTC's own unquiesce does), remove those annotations and set
// MarkerAnnotation. No operations means nothing is left to restore. An
// annotation whose value cannot be parsed is an error: guessing could start
// the wrong number of replicas, so that workload is left for a person.
func UnquiesceChange(kind string, u *unstructured.Unstructured, planUID types.UID) (detail string, ops []kube.JSONPatchOp, err error) {
	if !IsQuiesced(kind, u) {
		return "", nil, nil
	}
	var c change
	switch kind {
	case KindDeployment, KindDeploymentConfig:
		err = c.replicas(u, "replicas")
		if err == nil {
			err = c.paused(u)
		}
	case KindStatefulSet, KindReplicaSet:
		err = c.replicas(u, "replicas")
	case KindJob:
		err = c.replicas(u, "parallelism")
	case KindCronJob:
		c.suspend(u)
	case KindDaemonSet:
		err = c.nodeSelector(u)
	default:
		return "", nil, fmt.Errorf("kind %s is not one MTC quiesces", kind)
	}
	if err != nil {
		return "", nil, err
	}
	c.ops = append(c.ops, c.removeAnnotations(u)...)
	c.ops = append(c.ops, setAnnotation(u, MarkerAnnotation, string(planUID))...)
	return strings.Join(c.detail, "; "), c.ops, nil
}

type change struct {
	detail []string
	ops    []kube.JSONPatchOp
	remove []string // annotations to remove
}

// replicas restores spec.<field> from preQuiesceReplicas when it is still 0,
// as MTC does; a workload someone scaled since is left as it is.
func (c *change) replicas(u *unstructured.Unstructured, field string) error {
	v, ok := u.GetAnnotations()[mtc.PreQuiesceReplicasAnnotation]
	if !ok {
		return nil
	}
	want, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil || want < 0 {
		return fmt.Errorf("annotation %s=%q is not a replica count: restore spec.%s by hand", mtc.PreQuiesceReplicasAnnotation, v, field)
	}
	cur, found := nestedInt(u.Object, "spec", field)
	switch {
	case found && cur == 0:
		c.ops = append(c.ops, kube.JSONPatchOp{Op: "replace", Path: "/spec/" + field, Value: want})
		c.detail = append(c.detail, fmt.Sprintf("%s 0 -> %d", field, want))
	case !found:
		c.ops = append(c.ops, kube.JSONPatchOp{Op: "add", Path: "/spec/" + field, Value: want})
		c.detail = append(c.detail, fmt.Sprintf("%s -> %d", field, want))
	default:
		c.detail = append(c.detail, fmt.Sprintf("%s already %d (recorded %d), left as is", field, cur, want))
	}
	c.remove = append(c.remove, mtc.PreQuiesceReplicasAnnotation)
	return nil
}

// paused restores spec.paused from preQuiescePaused.
func (c *change) paused(u *unstructured.Unstructured) error {
	v, ok := u.GetAnnotations()[mtc.PreQuiescePausedAnnotation]
	if !ok {
		return nil
	}
	want, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("annotation %s=%q is not a boolean: restore spec.paused by hand", mtc.PreQuiescePausedAnnotation, v)
	}
	cur, _, _ := unstructured.NestedBool(u.Object, "spec", "paused")
	if cur != want {
		c.ops = append(c.ops, kube.JSONPatchOp{Op: "add", Path: "/spec/paused", Value: want})
		c.detail = append(c.detail, fmt.Sprintf("paused %t -> %t", cur, want))
	}
	c.remove = append(c.remove, mtc.PreQuiescePausedAnnotation)
	return nil
}

// suspend resumes a CronJob MTC suspended (preQuiesceSuspend).
func (c *change) suspend(u *unstructured.Unstructured) {
	if _, ok := u.GetAnnotations()[mtc.PreQuiesceSuspendAnnotation]; !ok {
		return
	}
	if cur, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); cur {
		c.ops = append(c.ops, kube.JSONPatchOp{Op: "replace", Path: "/spec/suspend", Value: false})
		c.detail = append(c.detail, "suspend true -> false")
	}
	c.remove = append(c.remove, mtc.PreQuiesceSuspendAnnotation)
}

// nodeSelector restores a DaemonSet's pod-template node selector from the
// JSON MTC recorded; without the record it only drops the quiesce key.
func (c *change) nodeSelector(u *unstructured.Unstructured) error {
	cur, _, _ := unstructured.NestedStringMap(u.Object, "spec", "template", "spec", "nodeSelector")
	_, quiesced := cur[mtc.QuiesceDaemonSetNodeSelector]
	recorded, hasRecord := u.GetAnnotations()[mtc.PreQuiesceNodeSelectorAnnotation]
	if quiesced {
		want := map[string]string{}
		if hasRecord {
			if strings.TrimSpace(recorded) != "" {
				if err := json.Unmarshal([]byte(recorded), &want); err != nil {
					return fmt.Errorf("annotation %s=%q is not a JSON node selector: restore spec.template.spec.nodeSelector by hand",
						mtc.PreQuiesceNodeSelectorAnnotation, recorded)
				}
			}
		} else {
			for k, v := range cur {
				if k != mtc.QuiesceDaemonSetNodeSelector {
					want[k] = v
				}
			}
		}
		const path = "/spec/template/spec/nodeSelector"
		if len(want) == 0 {
			c.ops = append(c.ops, kube.JSONPatchOp{Op: "remove", Path: path})
		} else {
			c.ops = append(c.ops, kube.JSONPatchOp{Op: "replace", Path: path, Value: want})
		}
		c.detail = append(c.detail, "nodeSelector -> "+formatSelector(want))
	}
	if hasRecord {
		c.remove = append(c.remove, mtc.PreQuiesceNodeSelectorAnnotation)
	}
	return nil
}

func (c *change) removeAnnotations(u *unstructured.Unstructured) []kube.JSONPatchOp {
	ops := make([]kube.JSONPatchOp, 0, len(c.remove))
	ann := u.GetAnnotations()
	for _, k := range c.remove {
		if _, ok := ann[k]; ok {
			ops = append(ops, kube.JSONPatchOp{Op: "remove", Path: annotationPath(k)})
		}
	}
	if len(ops) > 0 {
		names := make([]string, 0, len(c.remove))
		for _, k := range c.remove {
			names = append(names, strings.TrimPrefix(k, "migration.openshift.io/"))
		}
		c.detail = append(c.detail, "remove "+strings.Join(names, ", "))
	}
	return ops
}

// setAnnotation adds or replaces one annotation, creating the map if needed.
func setAnnotation(u *unstructured.Unstructured, key, value string) []kube.JSONPatchOp {
	if u.GetAnnotations() == nil {
		return []kube.JSONPatchOp{{Op: "add", Path: "/metadata/annotations", Value: map[string]string{key: value}}}
	}
	return []kube.JSONPatchOp{{Op: "add", Path: annotationPath(key), Value: value}}
}

// annotationPath is the JSON pointer of an annotation (RFC 6901 escaping).
func annotationPath(key string) string {
	return "/metadata/annotations/" + escape(key)
}

func formatSelector(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// nestedInt reads an integer field whatever the decoder made of it (int64
// from the API machinery, float64 from plain JSON).
func nestedInt(obj map[string]any, fields ...string) (int64, bool) {
	v, found, err := unstructured.NestedFieldNoCopy(obj, fields...)
	if !found || err != nil {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}
