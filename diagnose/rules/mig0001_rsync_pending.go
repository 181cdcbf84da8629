package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// nodeSelectorAnnotation is the OpenShift project node selector; rsync
// transfer pods cannot schedule when the destination namespace lacks the
// source's value.
const nodeSelectorAnnotation = "openshift.io/node-selector"

// msgTransferPods14 is MTC 1.4's wording of the transfer-pods warning.
const msgTransferPods14 = "transfer pods are not running for more than 10 mins"

type rsyncPending struct{}

func (rsyncPending) Meta() Meta {
	return Meta{
		ID: "MIG0001", Severity: Error, Title: "rsync transfer or client pods stuck Pending",
		Description: "Direct volume migration cannot start: the DVM reports RsyncTransferPodsPending or RsyncClientPodsPending (or MTC 1.4's \"transfer pods are not running for more than 10 mins\"), or rsync pods have been Pending past the threshold. The finding names the cause when it can see it: a destination namespace without the source's openshift.io/node-selector annotation, an unbound PVC, taints or insufficient resources from the pod's events.",
		Fix:         "Give the destination namespace the source's openshift.io/node-selector annotation, bind the PVC, or free/untaint nodes, then re-run the migration.",
		Docs:        docsDVM,
		Needs:       []snapshot.Kind{snapshot.DirectVolume},
	}
}

func (r rsyncPending) Check(_ context.Context, in *Input) ([]Finding, error) {
	dvms, migs, err := dvmsInScope(in)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for i, d := range dvms {
		if f, ok := r.checkDVM(in, d, migs[i]); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

func (r rsyncPending) checkDVM(in *Input, d *mtc.DirectVolumeMigration, m *mtc.MigMigration) (Finding, bool) {
	obj := ref(mtc.KindDirectVolumeMigration, d.Namespace, d.Name)
	conds := trueConds(d.Status.Conditions, mtc.ConditionRsyncTransferPodsPending, mtc.ConditionRsyncClientPodsPending, mtc.ConditionStunnelClientPodsPending)
	for _, c := range d.Status.Conditions {
		if c.IsTrue() && strings.Contains(c.Message, msgTransferPods14) && c.Type != mtc.ConditionRsyncTransferPodsPending {
			conds = append(conds, c)
		}
	}
	ev := conditionsOf(in.Host(), obj, conds)
	if m != nil {
		for _, c := range m.Status.Conditions {
			if c.IsTrue() && strings.Contains(c.Message, msgTransferPods14) {
				ev = append(ev, condEvidence(in.Host(), ref(mtc.KindMigMigration, m.Namespace, m.Name), c))
			}
		}
	}
	for _, p := range d.Status.PendingSinceTimeLimitPods {
		ev = append(ev, Evidence{Type: "object", Cluster: in.Host(), Object: &obj,
			Message: fmt.Sprintf("status.pendingSinceTimeLimitPods lists %s/%s", p.Namespace, p.Name)})
	}
	plan := (*mtc.MigPlan)(nil)
	if m != nil {
		plan = in.PlanOf(m)
	}
	var causes []string
	var fixes []string
	if plan != nil {
		pev, pc, pf := r.inspectPods(in, plan, d)
		ev = append(ev, pev...)
		causes, fixes = append(causes, pc...), append(fixes, pf...)
	}
	if len(conds) == 0 && len(d.Status.PendingSinceTimeLimitPods) == 0 && !hasPendingPodEvidence(ev) {
		return Finding{}, false
	}
	summary := fmt.Sprintf("DVM %s: rsync pods are not running", d.Name)
	if len(causes) > 0 {
		summary += ": " + strings.Join(causes, "; ")
	}
	if len(fixes) == 0 {
		fixes = append(fixes, "Describe the pending rsync pods to see why they are not scheduled: "+in.cmd("describe pod -l app=%s -n <namespace>", mtc.DVMAppValue)+" on the destination (server) and source (client) clusters; fix the cause, then re-run the migration.")
	}
	f := Finding{Cluster: in.Host(), Object: obj, Summary: summary, Evidence: ev, Remediation: strings.Join(fixes, "\n")}
	if m != nil {
		f.Migration = migKey(m)
	}
	return f, true
}

func hasPendingPodEvidence(ev []Evidence) bool {
	for _, e := range ev {
		if e.Type == "object" && strings.Contains(e.Message, "Pending for") {
			return true
		}
	}
	return false
}

// inspectPods looks at the rsync pods of the DVM on both clusters and at
// the namespaces and PVCs they need.
func (r rsyncPending) inspectPods(in *Input, plan *mtc.MigPlan, d *mtc.DirectVolumeMigration) (ev []Evidence, causes, fixes []string) {
	src, dst, srcErr, dstErr := in.PlanClusters(plan)
	maps, _ := plan.Spec.NamespaceMappings()
	for _, nm := range maps {
		if srcErr != nil || dstErr != nil {
			break
		}
		e, c, f := r.nodeSelector(in, src, dst, nm)
		ev, causes, fixes = append(ev, e...), append(causes, c...), append(fixes, f...)
	}
	for _, side := range []struct {
		cluster string
		err     error
	}{{dst, dstErr}, {src, srcErr}} {
		if side.err != nil {
			continue
		}
		e, c, f := r.pendingPods(in, side.cluster, string(d.UID))
		ev, causes, fixes = append(ev, e...), append(causes, c...), append(fixes, f...)
	}
	return ev, dedupeStrings(causes), dedupeStrings(fixes)
}

func (rsyncPending) nodeSelector(in *Input, src, dst string, nm mtc.NameMapping) (ev []Evidence, causes, fixes []string) {
	srcNS := findNamespace(in, src, nm.Source)
	dstNS := findNamespace(in, dst, nm.Destination)
	if srcNS == nil || dstNS == nil {
		return nil, nil, nil
	}
	want, ok := srcNS.Annotations[nodeSelectorAnnotation]
	if !ok || dstNS.Annotations[nodeSelectorAnnotation] == want {
		return nil, nil, nil
	}
	have, has := dstNS.Annotations[nodeSelectorAnnotation]
	msg := fmt.Sprintf("source namespace %s has %s=%q; destination namespace %s has none", nm.Source, nodeSelectorAnnotation, want, nm.Destination)
	if has {
		msg = fmt.Sprintf("source namespace %s has %s=%q; destination namespace %s has %q", nm.Source, nodeSelectorAnnotation, want, nm.Destination, have)
	}
	ev = append(ev, Evidence{Type: "object", Cluster: dst, Object: refp("Namespace", "", nm.Destination), Message: msg})
	causes = append(causes, fmt.Sprintf("destination namespace %s lacks the source's %s annotation", nm.Destination, nodeSelectorAnnotation))
	fixes = append(fixes, fmt.Sprintf("On the destination cluster (%s), give the migrated namespace the source's node selector, then re-run the migration plan:\n  %s",
		dst, in.cmd("annotate namespace %s %s=%q --overwrite", nm.Destination, nodeSelectorAnnotation, want)))
	return ev, causes, fixes
}

func findNamespace(in *Input, cluster, name string) *corev1.Namespace {
	nss, err := listTyped[corev1.Namespace](in, cluster, snapshot.Namespace)
	if err != nil {
		return nil
	}
	for _, ns := range nss {
		if ns.Name == name {
			return ns
		}
	}
	return nil
}

// schedulingCauses maps FailedScheduling event text to a cause and a fix.
var schedulingCauses = []struct{ text, cause, fix string }{
	{"unbound immediate PersistentVolumeClaims", "a PVC the pod mounts is not bound", "bind the PVC (check its StorageClass and events)"},
	{"untolerated taint", "nodes are tainted and the rsync pod does not tolerate the taint", "remove the taint or make untainted nodes available for the namespace"},
	{"had taint", "nodes are tainted and the rsync pod does not tolerate the taint", "remove the taint or make untainted nodes available for the namespace"},
	{"Insufficient cpu", "no node has enough CPU for the rsync pod", "free CPU on the nodes or lower target_rsync_pod_cpu_requests/source_rsync_pod_cpu_requests in the MigrationController"},
	{"Insufficient memory", "no node has enough memory for the rsync pod", "free memory on the nodes or lower target_rsync_pod_memory_requests/source_rsync_pod_memory_requests in the MigrationController"},
	{"didn't match Pod's node affinity/selector", "no node matches the pod's node selector", "check the namespace's openshift.io/node-selector annotation and node labels"},
	{"didn't match node selector", "no node matches the pod's node selector", "check the namespace's openshift.io/node-selector annotation and node labels"},
}

func (rsyncPending) pendingPods(in *Input, cluster, dvmUID string) (ev []Evidence, causes, fixes []string) {
	pods, err := listTyped[corev1.Pod](in, cluster, snapshot.Pod)
	if err != nil {
		return nil, nil, nil
	}
	for _, p := range pods {
		if p.Labels["directvolumemigration"] != dvmUID || p.Status.Phase != corev1.PodPending {
			continue
		}
		obj := ref("Pod", p.Namespace, p.Name)
		if age := podPendingFor(p, in.Cfg.Now); age >= in.Cfg.PendingThreshold {
			ev = append(ev, Evidence{Type: "object", Cluster: cluster, Object: &obj, Message: fmt.Sprintf("Pending for %s", age.Round(1e9))})
		}
		for _, e := range in.Events(cluster, p.Namespace, "Pod", p.Name) {
			if e.Type != corev1.EventTypeWarning {
				continue
			}
			ev = append(ev, Evidence{Type: "event", Cluster: cluster, Object: refp("Pod", p.Namespace, p.Name), Message: e.Reason + ": " + e.Message})
			for _, sc := range schedulingCauses {
				if strings.Contains(e.Message, sc.text) {
					causes = append(causes, sc.cause)
					fixes = append(fixes, fmt.Sprintf("Pod %s/%s on cluster %s: %s.", p.Namespace, p.Name, cluster, sc.fix))
				}
			}
		}
		for _, v := range p.Spec.Volumes {
			if v.PersistentVolumeClaim == nil {
				continue
			}
			if pvc := findPVC(in, cluster, p.Namespace, v.PersistentVolumeClaim.ClaimName); pvc != nil && pvc.Status.Phase != corev1.ClaimBound {
				ev = append(ev, Evidence{Type: "object", Cluster: cluster, Object: refp("PersistentVolumeClaim", pvc.Namespace, pvc.Name), Message: fmt.Sprintf("PVC is %s, not Bound", pvc.Status.Phase)})
				causes = append(causes, fmt.Sprintf("PVC %s/%s is not bound", pvc.Namespace, pvc.Name))
				fixes = append(fixes, fmt.Sprintf("Bind PVC %s/%s on cluster %s: %s", pvc.Namespace, pvc.Name, cluster, in.cmd("describe pvc %s -n %s", pvc.Name, pvc.Namespace)))
			}
		}
	}
	return ev, causes, fixes
}

func findPVC(in *Input, cluster, ns, name string) *corev1.PersistentVolumeClaim {
	pvcs, err := listTyped[corev1.PersistentVolumeClaim](in, cluster, snapshot.PersistentVolumeClaim)
	if err != nil {
		return nil
	}
	for _, p := range pvcs {
		if p.Namespace == ns && p.Name == name {
			return p
		}
	}
	return nil
}

func dedupeStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
