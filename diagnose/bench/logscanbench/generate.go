package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// fileSize is the size of one generated log: a pod log of a busy day.
const fileSize = 16 << 20

// templates mimic the logs diagnose reads: Velero logfmt, mig-controller
// JSON, rsync progress, kubelet klog. %d is a counter.
var templates = []string{
	`time="2024-03-26T16:30:36Z" level=info msg="Backed up %d items out of an estimated total of 450 (estimate will change throughout the backup)" backup=openshift-migration/mig-abc-initial-xyz logSource="pkg/backup/backup.go:485" name=app-5f9c namespace=app-ns progress= resource=pods`,
	`time="2024-03-26T16:30:37Z" level=info msg="Processing item" backup=openshift-migration/mig-abc-initial-xyz logSource="pkg/backup/backup.go:445" name=app-config-%d namespace=app-ns progress= resource=configmaps`,
	`{"level":"info","ts":1711470637000,"logger":"migration","msg":"[RUN] (Step %d/44) Waiting for initial Velero backup to complete.","migMigration":"mig-abc","phase":"InitialBackupCreated"}`,
	`time="2024-03-26T16:30:38Z" level=info msg="Restored %d items out of an estimated total of 512" logSource="pkg/restore/restore.go:670" restore=openshift-migration/mig-abc-final-q2w`,
	`           %d  45%%   12.34MB/s    0:00:12 (xfr#1200, to-chk=100/5000)`,
	`I0326 16:32:02.706363    3879 kubelet.go:1841] "SyncLoop (PLEG): event for pod" pod="app-ns/web-%d" event=ContainerStarted`,
}

// rare lines hold the patterns; one in 5000 lines.
var rare = []string{
	`time="2024-03-26T16:31:00Z" level=error msg="Error backing up item" backup=velero/monitoring error="timed out waiting for all PodVolumeBackups to complete" logSource="pkg/backup/backup.go:417"`,
	`time="2024-03-26T16:31:00Z" level=error msg="Error checking repository for stale locks" error="error getting backup storage location: BackupStorageLocation.velero.io \"ts-dpa-1\" not found"`,
	`rsync: failed to connect to dvm-app.apps.example.com (10.1.2.3): No route to host (113)`,
	`E0326 16:32:02.706363    3879 kubelet.go:1841] "Unable to attach or mount volumes for pod; skipping pod" err="unmounted volumes=[x]: timed out waiting for the condition" pod="app/rsync-server"`,
}

// generate writes size bytes of logs into dir and returns the file paths.
func generate(dir string, size int64) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var files []string
	counter := 0
	for written := int64(0); written < size; {
		p := filepath.Join(dir, fmt.Sprintf("pod-%04d.log", len(files)))
		n, err := writeFile(p, min(fileSize, size-written), &counter)
		if err != nil {
			return nil, err
		}
		written += n
		files = append(files, p)
	}
	return files, nil
}

func writeFile(p string, size int64, counter *int) (int64, error) {
	f, err := os.Create(p)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	for n < size {
		*counter++
		var line string
		if *counter%5000 == 0 {
			line = rare[(*counter/5000)%len(rare)] + "\n"
		} else {
			line = fmt.Sprintf(templates[*counter%len(templates)], *counter) + "\n"
		}
		m, err := w.WriteString(line)
		if err != nil {
			f.Close()
			return n, err
		}
		n += int64(m)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}
