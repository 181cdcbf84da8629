package rules

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	velerov1 "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
)

const notFoundResource = "the server could not find the requested resource"

// restoreRef reads "<kind> Restore <ns>/<name>: partially failed" messages.
var restoreRef = regexp.MustCompile(`Restore ([^/\s]+)/([^:\s]+):`)

type restorePartial struct{}

func (restorePartial) Meta() Meta {
	return Meta{
		ID: "MIG0005", Severity: Warning, Title: "Velero restore partially failed",
		Description: "A Velero Restore ended PartiallyFailed (MigMigration VeleroStageRestorePartiallyFailed/VeleroFinalRestorePartiallyFailed, or the Restore's phase): some resources were not restored. The finding lists the failing resources from the restore's logs and names the cause when it is recognisable (\"the server could not find the requested resource\": the CRD is missing on the destination or its version differs).",
		Fix:         "Install the missing CRDs (same versions as on the source) on the destination cluster, then migrate again; check the listed resources on the destination.",
		Docs:        docsTroubleshooting,
		Patterns: []Pattern{
			{Key: "MIG0005/error-restoring", Text: "error restoring", Components: []snapshot.Component{snapshot.Velero, snapshot.VeleroRestore}},
			{Key: "MIG0005/not-found", Text: notFoundResource, Components: []snapshot.Component{snapshot.Velero, snapshot.VeleroRestore}},
		},
	}
}

type partialRestore struct {
	ns, name string
	cluster  string
	mig      *mtc.MigMigration
	ev       []Evidence
}

func (r restorePartial) Check(_ context.Context, in *Input) ([]Finding, error) {
	found := map[string]*partialRestore{}
	var order []string
	add := func(ns, name string) *partialRestore {
		if p, ok := found[name]; ok {
			return p
		}
		p := &partialRestore{ns: ns, name: name}
		found[name] = p
		order = append(order, name)
		return p
	}
	current := map[string]bool{}
	for _, m := range currentMigrations(in) {
		current[string(m.UID)] = true
		for _, c := range trueConds(m.Status.Conditions, mtc.ConditionVeleroStageRestorePartiallyFailed, mtc.ConditionVeleroFinalRestorePartiallyFailed, "VeleroInitialRestorePartiallyFailed") {
			sm := restoreRef.FindStringSubmatch(c.Message)
			if sm == nil {
				continue
			}
			p := add(sm[1], sm[2])
			p.mig = m
			p.ev = append(p.ev, condEvidence(in.Host(), ref(mtc.KindMigMigration, m.Namespace, m.Name), c))
		}
	}
	for _, c := range in.Snap.Clusters() {
		restores, err := listTyped[velerov1.Restore](in, c, snapshot.Restore)
		if err != nil {
			continue
		}
		for _, rs := range restores {
			if rs.Status.Phase != velerov1.RestorePhasePartiallyFailed {
				continue
			}
			mig := in.migrationByUID(rs.Labels[corrMigMigration])
			if mig == nil || !current[string(mig.UID)] {
				continue // history, or not a migration's restore
			}
			p := add(rs.Namespace, rs.Name)
			p.cluster = c
			if p.mig == nil {
				p.mig = mig
			}
			p.ev = append(p.ev, Evidence{Type: "object", Cluster: c, Object: refp("Restore", rs.Namespace, rs.Name),
				Message: fmt.Sprintf("phase PartiallyFailed, %d errors, %d warnings", rs.Status.Errors, rs.Status.Warnings)})
		}
	}
	var out []Finding
	for _, name := range order {
		out = append(out, r.finding(in, found[name]))
	}
	return out, nil
}

func (restorePartial) finding(in *Input, p *partialRestore) Finding {
	about := func(h LogHit) bool {
		if h.Ref.Owner == p.name {
			return true
		}
		_, _, n := veleroObjectOf(h)
		return n == p.name
	}
	errs := hitsFor(in.LogHits("MIG0005/error-restoring"), about)
	notFound := hitsFor(in.LogHits("MIG0005/not-found"), about)
	ev := append(p.ev, logEvidence(errs, 5, lineMessage)...)
	var failing []string
	for _, h := range errs {
		if i := strings.Index(h.Text, "error restoring "); i >= 0 {
			rest := h.Text[i+len("error restoring "):]
			if j := strings.Index(rest, ":"); j > 0 {
				failing = append(failing, rest[:j])
			}
		}
	}
	failing = dedupeStrings(failing)
	summary := fmt.Sprintf("Restore %s partially failed", p.name)
	if len(failing) > 0 {
		summary += ": could not restore " + joinMax(failing, 3)
	}
	fix := fmt.Sprintf("See which resources failed: %s\n",
		in.cmd("-n %s exec deployment/velero -c velero -- ./velero restore describe %s --details", in.Cfg.Namespace, p.name))
	if len(notFound) > 0 {
		summary += " (CRD missing or of another version on the destination)"
		if len(errs) == 0 {
			ev = append(ev, logEvidence(notFound, 3, lineMessage)...)
		}
		fix += "\"the server could not find the requested resource\" means the destination cluster does not serve the resource's API: install the CustomResourceDefinition (same group and version as on the source) on the destination, then run the migration again."
	} else {
		fix += fmt.Sprintf("Read the restore log for the cause: %s\nFix the listed resources on the destination (or exclude them from the plan), then verify the application.",
			in.cmd("-n %s exec deployment/velero -c velero -- ./velero restore logs %s", in.Cfg.Namespace, p.name))
	}
	f := Finding{Cluster: p.cluster, Object: ref("Restore", p.ns, p.name), Summary: summary, Evidence: ev, Remediation: fix}
	if f.Cluster == "" && p.mig != nil {
		if plan := in.PlanOf(p.mig); plan != nil {
			_, dst, _, dstErr := in.PlanClusters(plan)
			if dstErr == nil {
				f.Cluster = dst
			}
		}
	}
	if p.mig != nil {
		f.Migration = migKey(p.mig)
	}
	return f
}
