package logs

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// podInfo is the little the engine keeps of a pod: enough to classify it and
// to know which containers have logs. Watches keep one per pod of the
// watched namespaces, never the whole object.
type podInfo struct {
	Namespace string
	Name      string
	UID       types.UID
	Labels    map[string]string
	Created   time.Time
	Deleting  bool
	Phase     corev1.PodPhase
	// Containers in spec order (init containers first).
	Containers []containerInfo
}

type containerInfo struct {
	Name string
	// Started: the container runs or ran (now or in a previous instance),
	// so it has a log.
	Started bool
	// Running: it runs now, so following it may yield more lines.
	Running bool
	// Waiting is the reason it has not started ("ContainerCreating", ...).
	Waiting string
}

func podInfoFrom(p *corev1.Pod) podInfo {
	pi := podInfo{
		Namespace: p.Namespace, Name: p.Name, UID: p.UID, Labels: p.Labels,
		Created: p.CreationTimestamp.Time, Deleting: p.DeletionTimestamp != nil, Phase: p.Status.Phase,
	}
	statuses := map[string]corev1.ContainerStatus{}
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		statuses[cs.Name] = cs
	}
	unscheduled := unscheduledReason(p)
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		ci := containerFrom(c.Name, statuses[c.Name], p.Status.Phase)
		if !ci.Started && unscheduled != "" {
			ci.Waiting = unscheduled
		}
		pi.Containers = append(pi.Containers, ci)
	}
	return pi
}

// unscheduledReason explains a pod the scheduler could not place (the DVM
// rsync-server pod stuck on a node selector is a classic).
func unscheduledReason(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			reason := c.Reason
			if reason == "" {
				reason = "not scheduled"
			}
			if c.Message != "" {
				reason += ": " + c.Message
			}
			return reason
		}
	}
	return ""
}

func containerFrom(name string, cs corev1.ContainerStatus, phase corev1.PodPhase) containerInfo {
	ci := containerInfo{Name: name}
	switch {
	case cs.State.Running != nil:
		ci.Started, ci.Running = true, true
	case cs.State.Terminated != nil:
		ci.Started = true
	case cs.State.Waiting != nil:
		ci.Waiting = cs.State.Waiting.Reason
		// A restarting container (CrashLoopBackOff) still has its previous log.
		ci.Started = cs.LastTerminationState.Terminated != nil || cs.RestartCount > 0
	case phase == corev1.PodPending || phase == "":
		ci.Waiting = "ContainerCreating"
	default:
		// No status for the container in a running or finished pod: let the
		// kubelet say what it has.
		ci.Started = true
	}
	if ci.Waiting == "" && !ci.Started {
		ci.Waiting = "not started"
	}
	return ci
}

func (p *podInfo) key() string { return p.Namespace + "/" + p.Name }

// classify returns the component of each container of p whose logs concern
// the scope, or nil. mtcNS is MTC's namespace.
func classify(p *podInfo, s *Scope, mtcNS string) map[string]Component {
	if c, ok := podComponent(p, s, mtcNS); ok {
		out := make(map[string]Component, len(p.Containers))
		for _, ci := range p.Containers {
			out[ci.Name] = c
		}
		return out
	}
	if isTransferPod(p, s) {
		out := make(map[string]Component, len(p.Containers))
		for _, ci := range p.Containers {
			out[ci.Name] = Rsync
			if ci.Name == mtc.StunnelContainerName {
				out[ci.Name] = Stunnel
			}
		}
		return out
	}
	return nil
}

// podComponent classifies pods whose containers all belong to one component.
func podComponent(p *podInfo, s *Scope, mtcNS string) (Component, bool) {
	l := p.Labels
	if p.Namespace == mtcNS {
		switch {
		case l["app"] == "migration" && l["control-plane"] == "controller-manager",
			strings.HasPrefix(p.Name, "migration-controller-"):
			return Controller, true
		case l["name"] == "restic" || l["name"] == "node-agent":
			return Restic, true
		case l["deploy"] == "velero" || l["component"] == "velero" ||
			l["app.kubernetes.io/name"] == "velero" || l["app.kubernetes.io/instance"] == "velero":
			return Velero, true
		}
		if _, ok := l[registryLabel]; ok && l["migplan"] == string(s.PlanUID) {
			return Registry, true
		}
	}
	if l[mtc.StagePodLabel] == "true" && (s.hasMigration(l["migmigration"]) || s.Migration == "" && l["migplan"] == string(s.PlanUID)) {
		return Stage, true
	}
	if isHookPod(p, s) {
		return Hooks, true
	}
	return "", false
}

// registryLabel marks the migration registry's pods ("true", or the plan UID
// in MTC < 1.4); label migplan names the plan.
const registryLabel = "migration-registry"

// isTransferPod: rsync client and server pods of the scope's DVMs (any DVM of
// the plan in plan mode, through migrated-by-migplan).
func isTransferPod(p *podInfo, s *Scope) bool {
	l := p.Labels
	if l[mtc.DVMAppLabel] != mtc.DVMAppValue && l[mtc.DVMAppLabel] != mtc.DVMBlockAppValue && l[mtc.DVMOwnerLabel] != mtc.DVMOwnerValue {
		return false
	}
	if s.hasDVM(l["directvolumemigration"]) {
		return true
	}
	return s.Migration == "" && l[mtc.MigratedByMigPlanLabel] == string(s.PlanUID)
}

// hookPhases are the lower-case MigPlan hook phases.
var hookPhases = []string{"prebackup", "postbackup", "prerestore", "postrestore"}

// isHookPod recognises the pods of hook Jobs: MTC names the Job
// lower(<plan>-<phase>-)xxxxx and the Job controller labels its pods with
// the Job's name. A migration's hook pods are those created after it.
func isHookPod(p *podInfo, s *Scope) bool {
	job := p.Labels["batch.kubernetes.io/job-name"]
	if job == "" {
		job = p.Labels["job-name"]
	}
	if job == "" {
		return false
	}
	plan := strings.ToLower(s.PlanName) + "-"
	rest, ok := strings.CutPrefix(job, plan)
	if !ok {
		return false
	}
	matched := false
	for _, ph := range hookPhases {
		if strings.HasPrefix(rest, ph+"-") {
			matched = true
			break
		}
	}
	if !matched {
		return false
	}
	if s.Migration == "" {
		return true
	}
	first := s.earliest()
	return !first.IsZero() && !p.Created.Before(first.Add(-time.Minute))
}
