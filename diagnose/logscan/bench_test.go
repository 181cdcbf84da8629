package logscan

import (
	"bytes"
	"context"
	"testing"
)

// BenchPatterns are the MTC error strings the bench hook also gives to
// grep -F -f, so both tools search for the same thing.
var BenchPatterns = []string{
	"timed out waiting for all PodVolumeBackups to complete",
	"timed out waiting for all PodVolumeRestores to complete",
	"fork/exec /usr/bin/restic: permission denied",
	"certificate signed by unknown authority",
	"the server could not find the requested resource",
	"BackupStorageLocation.velero.io",
	"backupstoragelocations.velero.io",
	"Unable to attach or mount volumes",
	"No route to host",
	"transfer pods are not running for more than 10 mins",
	"Rsync Transfer Pod(s) on destination cluster have not started Running",
	"are stuck in Pending state for more than 10 mins",
	"Error checking repository for stale locks",
	"The migration has failed",
	"Reconcile failed",
	"DVM failed",
}

// benchLog builds n bytes of Velero-like logfmt with a rare error line.
func benchLog(n int) []byte {
	lines := []string{
		`time="2024-03-26T16:30:36Z" level=info msg="Backed up 120 items out of an estimated total of 450 (estimate will change throughout the backup)" backup=openshift-migration/mig-abc-initial-xyz logSource="pkg/backup/backup.go:485" name=app-5f9c namespace=app-ns progress= resource=pods` + "\n",
		`time="2024-03-26T16:30:37Z" level=info msg="Processing item" backup=openshift-migration/mig-abc-initial-xyz logSource="pkg/backup/backup.go:445" name=app-config namespace=app-ns progress= resource=configmaps` + "\n",
		`{"level":"info","ts":1711470637000,"logger":"migration","msg":"[RUN] (Step 12/44) Waiting for initial Velero backup to complete.","migMigration":"mig-abc","phase":"InitialBackupCreated"}` + "\n",
	}
	rare := `time="2024-03-26T16:31:00Z" level=error msg="Error backing up item" backup=velero/monitoring error="timed out waiting for all PodVolumeBackups to complete" logSource="pkg/backup/backup.go:417"` + "\n"
	var buf bytes.Buffer
	for i := 0; buf.Len() < n; i++ {
		if i%5000 == 4999 {
			buf.WriteString(rare)
			continue
		}
		buf.WriteString(lines[i%len(lines)])
	}
	return buf.Bytes()
}

func BenchmarkScan(b *testing.B) {
	m := MustCompile(BenchPatterns)
	data := benchLog(32 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := m.Scan(context.Background(), bytes.NewReader(data), Options{})
		if err != nil || res.Counts[0] == 0 {
			b.Fatalf("scan: %v %v", err, res.Counts)
		}
	}
}

func BenchmarkParseLine(b *testing.B) {
	line := `time="2020-04-10T14:22:24Z" level=error msg="Error backing up item" backup=velero/monitoring error="timed out waiting for all PodVolumeBackups to complete" error.file="/go/src/x/backupper.go:165" logSource="pkg/backup/backup.go:417"`
	for i := 0; i < b.N; i++ {
		_ = ParseLine(line)
	}
}
