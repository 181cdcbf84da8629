package rules

import (
	"context"
	"fmt"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
)

type nfsRootSquash struct{}

func (nfsRootSquash) Meta() Meta {
	return Meta{
		ID: "MIG0003", Severity: Error, Title: "restic cannot run on NFS with root_squash",
		Description: "The restic/node-agent pod logs \"fork/exec /usr/bin/restic: permission denied\": the volume is on NFS with root_squash, restic is mapped to nfsnobody and may not read the data.",
		Fix:         "Create a supplemental group for restic on the NFS storage, set the setgid bit on the NFS directory, and set restic_supplemental_groups in the MigrationController on the source and destination clusters.",
		Docs:        docsTroubleshooting,
		Patterns: []Pattern{{Key: "MIG0003/exec", Text: "fork/exec /usr/bin/restic: permission denied",
			Components: []snapshot.Component{snapshot.NodeAgent, snapshot.Velero, snapshot.VeleroBackup, snapshot.VeleroRestore}}},
	}
}

func (nfsRootSquash) Check(_ context.Context, in *Input) ([]Finding, error) {
	hits := hitsFor(in.LogHits("MIG0003/exec"), func(h LogHit) bool { return veleroHitInScope(in, h) })
	var out []Finding
	for _, g := range groupHits(hits, podOfLog) {
		kind, _, name := veleroObjectOf(g.hits[0])
		out = append(out, Finding{
			Cluster:  g.cluster,
			Object:   g.obj,
			Summary:  fmt.Sprintf("restic could not run (permission denied) in %s: NFS root_squash", g.obj.Name),
			Evidence: logEvidence(g.hits, 3, lineMessage),
			Remediation: "1. On the NFS server, create a group for restic and give it access to the exported directory.\n" +
				"2. Set the setgid bit on the NFS directory so new files inherit the group: chmod g+s <nfs_directory>\n" +
				"3. On BOTH the source and the destination cluster, add the group to the MigrationController and wait for the restic/node-agent pods to restart:\n  " +
				patchController(in, "restic_supplemental_groups", "[<group_id>]") + "\n" +
				"4. Run the migration again.",
			Migration: veleroMigration(in, kind, name),
		})
	}
	return out, nil
}
