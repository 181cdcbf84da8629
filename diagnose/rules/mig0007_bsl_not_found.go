package rules

import (
	"context"
	"fmt"
	"regexp"
)

// bslNotFound reads the BSL name out of both spellings of the NotFound text
// (the cache reader's "BackupStorageLocation.velero.io" and the API
// server's "backupstoragelocations.velero.io"), quotes escaped or not.
var bslNotFound = regexp.MustCompile(`(?i)backupstoragelocations?\.velero\.io \\?"([^"\\]+)\\?" not found`)

type bslNotFoundRule struct{}

func (bslNotFoundRule) Meta() Meta {
	return Meta{
		ID: "MIG0007", Severity: Info, Title: "BackupStorageLocation not found in Velero logs (harmless)",
		Description: "Velero logs \"BackupStorageLocation.velero.io \\\"<name>\\\" not found\" (or backupstoragelocations.velero.io), typically from \"Error checking repository for stale locks\": a Backup refers to a BSL that no longer exists. This does not make a migration fail.",
		Fix:         "Nothing to do; the message can be ignored. Delete old Backups that refer to the removed location to silence it.",
		Docs:        docsTroubleshooting,
		Patterns: []Pattern{
			{Key: "MIG0007/cache", Text: "BackupStorageLocation.velero.io", Components: veleroLogs},
			{Key: "MIG0007/api", Text: "backupstoragelocations.velero.io", Components: veleroLogs},
		},
	}
}

func (bslNotFoundRule) Check(_ context.Context, in *Input) ([]Finding, error) {
	hits := hitsFor(append(in.LogHits("MIG0007/cache"), in.LogHits("MIG0007/api")...), func(h LogHit) bool {
		return bslNotFound.MatchString(h.Text)
	})
	groups := groupHits(hits, func(h LogHit) ObjectRef {
		return ref("BackupStorageLocation", h.Ref.Namespace, bslNotFound.FindStringSubmatch(h.Text)[1])
	})
	var out []Finding
	for _, g := range groups {
		out = append(out, Finding{
			Cluster: g.cluster, Object: g.obj, Evidence: logEvidence(g.hits, 2, lineMessage),
			Summary: fmt.Sprintf("Velero logs that BackupStorageLocation %q does not exist (%d lines): harmless", g.obj.Name, len(g.hits)),
			Remediation: "No action needed: a missing BackupStorageLocation does not make the migration fail. To silence it, delete the old Backups that still name it: " +
				in.cmd("get backups -n %s -o custom-columns=NAME:.metadata.name,BSL:.spec.storageLocation | grep %s", in.Cfg.Namespace, g.obj.Name),
		})
	}
	return out, nil
}
