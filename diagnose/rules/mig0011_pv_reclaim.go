package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

// legacyOrigReclaimPolicy is the key older MTC documentation shows on Backups.
const legacyOrigReclaimPolicy = "openshift.io/orig-reclaim-policy"

type pvReclaim struct{}

func (pvReclaim) Meta() Meta {
	return Meta{
		ID: "MIG0011", Severity: Info, Title: "migrated PVs left with reclaim policy Retain",
		Description: "MTC sets moved PVs to reclaim policy Retain and stores the original policy in the migration.openshift.io/orig-reclaim-policy annotation; nothing restores it afterwards.",
		Fix:         "When the migration is final, patch spec.persistentVolumeReclaimPolicy back to the annotated value.",
		Docs:        docsTroubleshooting,
	}
}

func (pvReclaim) Check(_ context.Context, in *Input) ([]Finding, error) {
	nss := planNamespaces(in)
	var out []Finding
	var lastErr error
	seen := 0
	for _, c := range in.Snap.Clusters() {
		pvs, err := listTyped[corev1.PersistentVolume](in, c, snapshot.PersistentVolume)
		if err != nil {
			lastErr = err
			continue
		}
		seen++
		for _, pv := range pvs {
			orig := pv.Annotations[mtc.OrigReclaimPolicyAnnotation]
			if orig == "" {
				orig = pv.Annotations[legacyOrigReclaimPolicy]
			}
			if orig == "" || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain || strings.EqualFold(orig, string(corev1.PersistentVolumeReclaimRetain)) {
				continue
			}
			if nss != nil && (pv.Spec.ClaimRef == nil || !nss[pv.Spec.ClaimRef.Namespace]) {
				continue
			}
			want := strings.ToUpper(orig[:1]) + strings.ToLower(orig[1:])
			obj := ref("PersistentVolume", "", pv.Name)
			claim := ""
			if pv.Spec.ClaimRef != nil {
				claim = fmt.Sprintf(" (claim %s/%s)", pv.Spec.ClaimRef.Namespace, pv.Spec.ClaimRef.Name)
			}
			out = append(out, Finding{
				Cluster: c, Object: obj,
				Summary: fmt.Sprintf("PV %s%s has reclaim policy Retain; it was %s before the migration", pv.Name, claim, want),
				Evidence: []Evidence{{Type: "object", Cluster: c, Object: &obj,
					Message: fmt.Sprintf("spec.persistentVolumeReclaimPolicy=Retain, annotation %s=%s", mtc.OrigReclaimPolicyAnnotation, orig)}},
				Remediation: fmt.Sprintf("Once the migration is final (no rollback planned), restore the original policy on cluster %s:\n  %s",
					c, in.cmd(`patch pv %s --type merge -p '{"spec":{"persistentVolumeReclaimPolicy":"%s"}}'`, pv.Name, want)),
			})
		}
	}
	if seen == 0 && lastErr != nil {
		return nil, lastErr
	}
	return out, nil
}
