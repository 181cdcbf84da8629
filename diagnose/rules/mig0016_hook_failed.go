package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

type hookFailed struct{}

func (hookFailed) Meta() Meta {
	return Meta{
		ID: "MIG0016", Severity: Error, Title: "migration hook failed",
		Description: "A migration hook job failed (the migration failed in a *HooksFailed phase, or a hook Job owned by the migration has failed pods). The finding names the job, its phase, and the tail of its pod's log.",
		Fix:         "Fix the hook (playbook or image) or what it acts on, then run the migration again.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigMigration},
	}
}

func (r hookFailed) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	for _, m := range currentMigrations(in) {
		out = append(out, r.forMigration(in, m)...)
	}
	return out, nil
}

func (hookFailed) forMigration(in *Input, m *mtc.MigMigration) []Finding {
	failedPhase := ""
	if c := m.Status.Conditions.Find(mtc.ConditionFailed); c.IsTrue() && strings.HasSuffix(c.Reason, "HooksFailed") {
		failedPhase = c.Reason
	}
	var out []Finding
	for _, cl := range in.Snap.Clusters() {
		jobs, err := listTyped[batchv1.Job](in, cl, snapshot.Job)
		if err != nil {
			continue
		}
		for _, j := range jobs {
			if j.Labels["owner"] != string(m.UID) || !isHookPhase(j.Labels["phase"]) {
				continue
			}
			if j.Status.Failed == 0 && !jobFailed(j) {
				continue
			}
			obj := ref("Job", j.Namespace, j.Name)
			ev := []Evidence{{Type: "object", Cluster: cl, Object: &obj, Message: fmt.Sprintf("hook phase %s: %d failed pod(s), %d succeeded", j.Labels["phase"], j.Status.Failed, j.Status.Succeeded)}}
			for _, c := range j.Status.Conditions {
				if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
					ev = append(ev, Evidence{Type: "condition", Cluster: cl, Object: &obj, Condition: "Failed", Message: c.Reason + ": " + c.Message})
				}
			}
			ev = append(ev, hookLogTail(in, cl, j)...)
			out = append(out, Finding{
				Cluster: cl, Object: obj, Migration: migKey(m), Evidence: ev,
				Summary: fmt.Sprintf("%s hook job %s of migration %s failed", j.Labels["phase"], j.Name, m.Name),
				Remediation: fmt.Sprintf("Read the hook's log: %s\nFix the MigHook (playbook or image) or the resources it acts on, then run the migration again.",
					in.cmd("logs job/%s -n %s", j.Name, j.Namespace)),
			})
		}
	}
	if len(out) == 0 && failedPhase != "" {
		obj := ref(mtc.KindMigMigration, m.Namespace, m.Name)
		c := m.Status.Conditions.Find(mtc.ConditionFailed)
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj, Migration: migKey(m),
			Summary:  fmt.Sprintf("migration %s failed in %s (hook job not in the snapshot)", m.Name, failedPhase),
			Evidence: []Evidence{condEvidence(in.Host(), obj, *c)},
			Remediation: fmt.Sprintf("Find the hook job on the cluster its MigHook targets: %s\nRead its log, fix the hook, then run the migration again.",
				in.cmd("get jobs -A -l owner=%s", m.UID)),
		})
	}
	return out
}

func jobFailed(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// hookLogTail is the end of the log of the job's pods.
func hookLogTail(in *Input, cluster string, j *batchv1.Job) []Evidence {
	pods, _ := listTyped[corev1.Pod](in, cluster, snapshot.Pod)
	names := map[string]bool{}
	for _, p := range pods {
		if p.Namespace == j.Namespace && (p.Labels["job-name"] == j.Name || p.Labels["batch.kubernetes.io/job-name"] == j.Name) {
			names[p.Name] = true
		}
	}
	var out []Evidence
	for _, ref := range in.Snap.Logs() {
		ofJob := names[ref.Pod] || strings.HasPrefix(ref.Pod, j.Name+"-")
		if ref.Cluster != cluster || ref.Namespace != j.Namespace || !ofJob {
			continue
		}
		if tail := in.Tail(ref.Path); len(tail) > 0 {
			out = append(out, Evidence{Type: "log", Cluster: cluster, Object: refp("Pod", ref.Namespace, ref.Pod),
				Message: fmt.Sprintf("last %d lines of the hook pod's log", len(tail)), File: ref.Path, Excerpt: strings.Join(tail, "\n")})
		}
	}
	return out
}

func isHookPhase(p string) bool {
	switch p {
	case "PreBackup", "PostBackup", "PreRestore", "PostRestore":
		return true
	}
	return false
}
