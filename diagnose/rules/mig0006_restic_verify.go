package rules

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// backtickName reads "See restore `<name>` for details".
var backtickName = regexp.MustCompile("`<?([^`>]+)>?`")

var nodeAgentLogs = []snapshot.Component{snapshot.NodeAgent}

type resticVerify struct{}

func (resticVerify) Meta() Meta {
	return Meta{
		ID: "MIG0006", Severity: Warning, Title: "restic verification errors",
		Description: "The MigMigration has ResticVerifyErrors: data copied with the file-system method failed verification for some volumes. The finding follows the Restore to its PodVolumeRestores with errors, the restic/node-agent pod that ran them, and that pod's error lines.",
		Fix:         "Check the listed volumes' data on the destination; read the restic pod's log; re-run the migration for those volumes.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigMigration},
		Patterns: []Pattern{
			{Key: "MIG0006/error-logfmt", Text: "level=error", Components: nodeAgentLogs},
			{Key: "MIG0006/error-json", Text: `"level":"error"`, Components: nodeAgentLogs},
		},
	}
}

func (r resticVerify) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	for _, m := range currentMigrations(in) {
		for _, c := range trueConds(m.Status.Conditions, mtc.ConditionResticVerifyErrors) {
			out = append(out, r.finding(in, m, c))
		}
	}
	return out, nil
}

func (resticVerify) finding(in *Input, m *mtc.MigMigration, c mtc.Condition) Finding {
	migObj := ref(mtc.KindMigMigration, m.Namespace, m.Name)
	ev := []Evidence{condEvidence(in.Host(), migObj, c)}
	restore := ""
	if sm := backtickName.FindStringSubmatch(c.Message); sm != nil {
		restore = sm[1]
	}
	f := Finding{Cluster: in.Host(), Object: migObj, Migration: migKey(m)}
	var pods, pvrs []string
	if restore != "" {
		cluster, rs := findObject(in, snapshot.Restore, restore)
		if rs != nil {
			f.Cluster, f.Object = cluster, ref("Restore", rs.GetNamespace(), rs.GetName())
			for _, field := range []string{"podVolumeRestoreVerifyErrors", "podVolumeRestoreErrors", "podVolumeRestoreResticErrors"} {
				refs, _, _ := unstructured.NestedSlice(rs.Object, "status", field)
				for _, x := range refs {
					if mm, ok := x.(map[string]any); ok {
						if n, _ := mm["name"].(string); n != "" {
							pvrs = append(pvrs, n)
						}
					}
				}
			}
			pvrs = dedupeStrings(pvrs)
			for _, name := range pvrs {
				pvrEv, pod := pvrEvidence(in, cluster, name)
				ev = append(ev, pvrEv...)
				if pod != "" {
					pods = append(pods, pod)
				}
			}
		}
	}
	pods = dedupeStrings(pods)
	logs := hitsFor(append(in.LogHits("MIG0006/error-logfmt"), in.LogHits("MIG0006/error-json")...), func(h LogHit) bool {
		if !contains(pods, h.Ref.Pod) {
			return false
		}
		for _, n := range append(pvrs, restore) {
			if n != "" && strings.Contains(h.Text, n) {
				return true
			}
		}
		return len(pvrs) == 0
	})
	ev = append(ev, logEvidence(logs, 5, lineMessage)...)
	f.Summary = fmt.Sprintf("migration %s: restic verification failed for %d volume restore(s) of Restore %s", m.Name, max(len(pvrs), 1), orDash(restore))
	var fix []string
	fix = append(fix, "Data verification failed; the migration itself did not fail. Inspect the Restore and its PodVolumeRestores on the destination cluster:")
	if restore != "" {
		fix = append(fix, "  "+in.cmd("describe restore %s -n %s", restore, in.Cfg.Namespace))
	}
	for _, p := range pvrs {
		fix = append(fix, "  "+in.cmd("describe podvolumerestore %s -n %s", p, in.Cfg.Namespace))
	}
	for _, p := range pods {
		fix = append(fix, "  "+in.cmd("logs %s -n %s", p, in.Cfg.Namespace))
	}
	fix = append(fix, "Compare the affected volumes' data with the source, then migrate those volumes again.")
	f.Evidence, f.Remediation = ev, strings.Join(fix, "\n")
	return f
}

// pvrEvidence describes one PodVolumeRestore and names its restic pod.
func pvrEvidence(in *Input, cluster, name string) ([]Evidence, string) {
	objs, err := in.objects(cluster, snapshot.PodVolumeRestore)
	if err != nil {
		return nil, ""
	}
	for _, o := range objs {
		if o.GetName() != name {
			continue
		}
		phase, _, _ := unstructured.NestedString(o.Object, "status", "phase")
		pod, _, _ := unstructured.NestedString(o.Object, "status", "resticPod")
		if pod == "" {
			pod, _, _ = unstructured.NestedString(o.Object, "status", "node")
		}
		var counts []string
		for _, k := range []string{"errors", "verifyErrors", "resticErrors"} {
			if v, ok, _ := unstructured.NestedInt64(o.Object, "status", k); ok && v > 0 {
				counts = append(counts, fmt.Sprintf("%s=%d", k, v))
			}
		}
		msg := fmt.Sprintf("phase %s %s", orDash(phase), strings.Join(counts, " "))
		if pod != "" {
			msg += ", ran in restic pod " + pod
		}
		return []Evidence{{Type: "object", Cluster: cluster, Object: refp("PodVolumeRestore", o.GetNamespace(), name), Message: strings.TrimSpace(msg)}}, pod
	}
	return nil, ""
}

// findObject finds an object by name on any cluster.
func findObject(in *Input, kind snapshot.Kind, name string) (string, *unstructured.Unstructured) {
	for _, c := range in.Snap.Clusters() {
		objs, err := in.objects(c, kind)
		if err != nil {
			continue
		}
		for _, o := range objs {
			if o.GetName() == name {
				return c, o
			}
		}
	}
	return "", nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
