package rules

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// defaultResticTimeout is the operator's default restic_timeout.
const defaultResticTimeout = "1h"

var veleroLogs = []snapshot.Component{snapshot.Velero, snapshot.VeleroBackup, snapshot.VeleroRestore, snapshot.NodeAgent}

type resticTimeout struct{}

func (resticTimeout) Meta() Meta {
	return Meta{
		ID: "MIG0002", Severity: Error, Title: "restic pod volume backup/restore timed out",
		Description: "Velero gave up waiting for file-system (restic/node-agent) copies of the volumes: \"timed out waiting for all PodVolumeBackups to complete\" (or PodVolumeRestores) in the Velero logs. Large volumes need a longer restic_timeout.",
		Fix:         "Raise restic_timeout in the MigrationController (units h, m, s, e.g. 3h30m15s; default 1h) and re-run the migration.",
		Docs:        docsTroubleshooting,
		Patterns: []Pattern{
			{Key: "MIG0002/pvb", Text: "timed out waiting for all PodVolumeBackups to complete", Components: veleroLogs},
			{Key: "MIG0002/pvr", Text: "timed out waiting for all PodVolumeRestores to complete", Components: veleroLogs},
		},
	}
}

func (resticTimeout) Check(_ context.Context, in *Input) ([]Finding, error) {
	hits := append(in.LogHits("MIG0002/pvb"), in.LogHits("MIG0002/pvr")...)
	hits = hitsFor(hits, func(h LogHit) bool { return veleroHitInScope(in, h) })
	current, known := controllerValue(in, in.Host(), "restic_timeout")
	if !known {
		current = defaultResticTimeout
	}
	next := suggestTimeout(current)
	var out []Finding
	for _, g := range groupHits(hits, podOfLog) {
		kind, ns, name := veleroObjectOf(g.hits[0])
		obj := g.obj
		if name != "" {
			obj = ref(kind, ns, name)
		}
		what := "PodVolumeBackups"
		if strings.Contains(g.hits[0].Text, "PodVolumeRestores") {
			what = "PodVolumeRestores"
		}
		cur := fmt.Sprintf("the current value is %s", current)
		if !known {
			cur = fmt.Sprintf("restic_timeout is not set, so the default %s applies", defaultResticTimeout)
		}
		out = append(out, Finding{
			Cluster:  g.cluster,
			Object:   obj,
			Summary:  fmt.Sprintf("Velero timed out waiting for %s of %s (%s)", what, obj.Name, cur),
			Evidence: logEvidence(g.hits, 3, lineMessage),
			Remediation: fmt.Sprintf("Raise restic_timeout in the MigrationController on the host cluster (%s; valid units h, m, s, e.g. 3h30m15s), wait for Velero to restart, then run the migration again:\n  %s\nA higher value also delays the error when a copy is really stuck.",
				cur, patchController(in, "restic_timeout", fmt.Sprintf("%q", next))),
			Migration: veleroMigration(in, kind, name),
		})
	}
	return out, nil
}

// suggestTimeout doubles a restic_timeout value ("1h" -> "2h").
func suggestTimeout(cur string) string {
	d, err := time.ParseDuration(cur)
	if err != nil || d <= 0 {
		return "2h"
	}
	return shortDuration(2 * d)
}

func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	s = strings.Replace(s, "m0s", "m", 1)
	s = strings.Replace(s, "h0m", "h", 1)
	return s
}

// veleroHitInScope keeps log lines about Backups/Restores of migrations in
// scope (lines about unknown objects are kept: better shown than lost).
func veleroHitInScope(in *Input, h LogHit) bool {
	if in.All {
		return true
	}
	kind, _, name := veleroObjectOf(h)
	if name == "" {
		return true
	}
	labels, found := veleroLabels(in, kind, name)
	if !found {
		return true
	}
	return in.MigrationInScope(labels[corrMigMigration]) || in.MigrationInScope(labels[mtc.MigMigrationNameLabel])
}

// veleroLabels finds a Backup or Restore by name on any cluster.
func veleroLabels(in *Input, kind, name string) (map[string]string, bool) {
	k := snapshot.Backup
	if kind == "Restore" {
		k = snapshot.Restore
	}
	for _, c := range in.Snap.Clusters() {
		objs, err := in.Snap.Objects(c, k)
		if err != nil {
			continue
		}
		for _, o := range objs {
			if o.GetName() == name {
				return o.GetLabels(), true
			}
		}
	}
	return nil, false
}

// veleroMigration is the migration key of a Backup/Restore, if known.
func veleroMigration(in *Input, kind, name string) string {
	labels, ok := veleroLabels(in, kind, name)
	if !ok {
		return ""
	}
	if m := in.migrationByUID(labels[corrMigMigration]); m != nil {
		return migKey(m)
	}
	if n := labels[mtc.MigMigrationNameLabel]; n != "" {
		return in.Cfg.Namespace + "/" + n
	}
	return ""
}
