package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

const (
	mountFailed     = "Unable to attach or mount volumes"
	waitTimedOut    = "timed out waiting for the condition"
	superPrivileged = "migration_rsync_super_privileged"
)

type rsyncMount struct{}

func (rsyncMount) Meta() Meta {
	return Meta{
		ID: "MIG0008", Severity: Error, Title: "rsync server stuck mounting volumes (SELinux relabel)",
		Description: "The rsync server pod of a direct volume migration never starts: \"Unable to attach or mount volumes ... timed out waiting for the condition\" in its events or in the kubelet log. On large volumes the SELinux relabelling takes too long.",
		Fix:         "Set migration_rsync_super_privileged: true in the MigrationController on the source and destination clusters, so rsync pods run as spc_t and skip relabelling.",
		Docs:        docsTroubleshooting,
		Patterns:    []Pattern{{Key: "MIG0008/mount", Text: mountFailed}},
	}
}

func (rsyncMount) Check(_ context.Context, in *Input) ([]Finding, error) {
	type hit struct {
		cluster string
		obj     ObjectRef
		ev      []Evidence
	}
	var found []hit
	nsInScope := planNamespaces(in)
	for _, c := range in.Snap.Clusters() {
		evs, err := listTyped[corev1.Event](in, c, snapshot.Event)
		if err != nil {
			continue
		}
		by := map[string]*hit{}
		var order []string
		for _, e := range evs {
			io := e.InvolvedObject
			if io.Kind != "Pod" || !strings.Contains(e.Message, mountFailed) || !strings.Contains(e.Message, waitTimedOut) {
				continue
			}
			if !isRsyncPodName(io.Name) || nsInScope != nil && !nsInScope[io.Namespace] {
				continue
			}
			k := io.Namespace + "/" + io.Name
			if by[k] == nil {
				by[k] = &hit{cluster: c, obj: ref("Pod", io.Namespace, io.Name)}
				order = append(order, k)
			}
			o := by[k].obj
			by[k].ev = append(by[k].ev, Evidence{Type: "event", Cluster: c, Object: &o, Message: e.Reason + ": " + e.Message})
		}
		for _, k := range order {
			found = append(found, *by[k])
		}
	}
	for _, g := range groupHits(in.LogHits("MIG0008/mount"), kubeletPod) {
		if !strings.Contains(g.hits[0].Text, waitTimedOut) || !isRsyncPodName(g.obj.Name) || nsInScope != nil && !nsInScope[g.obj.Namespace] {
			continue
		}
		found = append(found, hit{cluster: g.cluster, obj: g.obj, ev: logEvidence(g.hits, 2, lineMessage)})
	}
	var out []Finding
	for _, h := range found {
		out = append(out, Finding{
			Cluster: h.cluster, Object: h.obj, Evidence: h.ev,
			Summary: fmt.Sprintf("rsync pod %s cannot mount its volumes (timed out waiting for the condition)", h.obj.Name),
			Remediation: fmt.Sprintf("Run rsync pods as super-privileged containers (spc_t) so the kubelet skips SELinux relabelling. On BOTH the source and the destination cluster:\n  %s\nThen run the migration again.",
				patchController(in, superPrivileged, "true")),
		})
	}
	return out, nil
}

// isRsyncPodName recognises DVM transfer pods (server and clients).
func isRsyncPodName(name string) bool {
	return name == mtc.RsyncServerPodName || name == mtc.BlockRsyncServerPodName ||
		strings.HasPrefix(name, "rsync-") || strings.HasPrefix(name, "blockrsync-")
}

// kubeletPod reads the pod="ns/name" field of a kubelet line.
func kubeletPod(h LogHit) ObjectRef {
	if p := h.Entry.Get("pod"); p != "" {
		if ns, name, ok := strings.Cut(p, "/"); ok {
			return ref("Pod", ns, name)
		}
		return ref("Pod", "", p)
	}
	return podOfLog(h)
}

// planNamespaces is the set of namespaces of the plans in scope (nil: all).
func planNamespaces(in *Input) map[string]bool {
	if in.All {
		return nil
	}
	out := map[string]bool{}
	for _, p := range in.Plans {
		for _, ns := range p.Spec.SourceNamespaces() {
			out[ns] = true
		}
		for _, ns := range p.Spec.DestinationNamespaces() {
			out[ns] = true
		}
	}
	return out
}
