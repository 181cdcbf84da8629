package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	velerov1 "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
)

type storageNotReady struct{}

func (storageNotReady) Meta() Meta {
	return Meta{
		ID: "MIG0014", Severity: Error, Title: "replication repository not ready",
		Description: "A MigStorage used by a plan has Critical or Error conditions (provider, credentials, settings, failed test), or a Velero BackupStorageLocation of the migration is Unavailable.",
		Fix:         "Fix the MigStorage credentials secret, bucket and endpoint as the condition or BSL message says, then set spec.refresh: true.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigStorage},
	}
}

func (storageNotReady) Check(_ context.Context, in *Input) ([]Finding, error) {
	sts, err := listTyped[mtc.MigStorage](in, in.Host(), snapshot.MigStorage)
	if err != nil {
		return nil, err
	}
	inScope := map[string]bool{}
	for _, p := range in.Plans {
		if p.Spec.MigStorageRef != nil {
			inScope[p.Spec.MigStorageRef.Name] = true
		}
	}
	var out []Finding
	for _, s := range sts {
		if !in.All && !inScope[s.Name] {
			continue
		}
		var blockers []mtc.Condition
		for _, b := range s.Status.Conditions.Blockers() {
			if isX509(b.Message) {
				continue // MIG0004 explains certificate failures
			}
			blockers = append(blockers, b)
		}
		if len(blockers) == 0 {
			continue
		}
		obj := ref(mtc.KindMigStorage, s.Namespace, s.Name)
		var types []string
		for _, b := range blockers {
			types = append(types, b.Type)
		}
		secret := "<secret>"
		if r := s.Spec.BackupStorageConfig.CredsSecretRef; r != nil {
			secret = r.Namespace + "/" + r.Name
		}
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj, Evidence: conditionsOf(in.Host(), obj, blockers),
			Summary: fmt.Sprintf("MigStorage %s is not ready: %s", s.Name, strings.Join(types, ", ")),
			Remediation: fmt.Sprintf("Check the provider settings and the credentials secret %s (bucket, region, endpoint, keys), correct them, then re-validate:\n  %s",
				secret, in.cmd(`patch migstorage %s -n %s --type merge -p '{"spec":{"refresh":true}}'`, s.Name, s.Namespace)),
		})
	}
	out = append(out, unavailableBSLs(in)...)
	return out, nil
}

// unavailableBSLs reports Velero locations marked Unavailable on the
// clusters of the plans in scope.
func unavailableBSLs(in *Input) []Finding {
	clusters := map[string]bool{}
	if in.All {
		for _, c := range in.Snap.Clusters() {
			clusters[c] = true
		}
	}
	for _, p := range in.Plans {
		src, dst, e1, e2 := in.PlanClusters(p)
		if e1 == nil {
			clusters[src] = true
		}
		if e2 == nil {
			clusters[dst] = true
		}
	}
	var out []Finding
	for _, c := range in.Snap.Clusters() {
		if !clusters[c] {
			continue
		}
		bsls, err := listTyped[velerov1.BackupStorageLocation](in, c, snapshot.BackupStorageLocation)
		if err != nil {
			continue
		}
		for _, b := range bsls {
			if b.Status.Phase != velerov1.BackupStorageLocationPhaseUnavailable {
				continue
			}
			obj := ref("BackupStorageLocation", b.Namespace, b.Name)
			msg := b.Status.Message
			if msg == "" {
				msg = "phase Unavailable"
			}
			out = append(out, Finding{
				Cluster: c, Object: obj,
				Summary:  fmt.Sprintf("BackupStorageLocation %s on cluster %s is Unavailable", b.Name, c),
				Evidence: []Evidence{{Type: "object", Cluster: c, Object: &obj, Message: msg}},
				Remediation: fmt.Sprintf("Velero on cluster %s cannot reach the replication repository. Check the bucket, endpoint and credentials of the MigStorage the location was built from, and the Velero log: %s",
					c, in.cmd("logs deployment/velero -n %s", b.Namespace)),
			})
		}
	}
	return out
}
