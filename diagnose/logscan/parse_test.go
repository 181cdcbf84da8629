package logscan

import "testing"

func TestParseLine(t *testing.T) {
	tests := []struct {
		name                            string
		line                            string
		format, level, msg, err, source string
		field, value                    string
	}{
		{
			name:   "velero logfmt",
			line:   `time="2020-04-10T14:22:24Z" level=error msg="Error backing up item" backup=velero/monitoring error="timed out waiting for all PodVolumeBackups to complete" error.file="/go/src/x/backupper.go:165" logSource="pkg/backup/backup.go:417"`,
			format: "logfmt", level: "error", msg: "Error backing up item",
			err: "timed out waiting for all PodVolumeBackups to complete", source: "pkg/backup/backup.go:417",
			field: "backup", value: "velero/monitoring",
		},
		{
			name:   "escaped quotes",
			line:   `level=error msg="Error checking repository for stale locks" error="error getting backup storage location: BackupStorageLocation.velero.io \"ts-dpa-1\" not found"`,
			format: "logfmt", level: "error", msg: "Error checking repository for stale locks",
			err: `error getting backup storage location: BackupStorageLocation.velero.io "ts-dpa-1" not found`,
		},
		{
			name:   "velero json error.message",
			line:   `{"level":"error","msg":"pod volume backup failed","error.message":"fork/exec /usr/bin/restic: permission denied","logSource":"pkg/controller/pvb.go:280","controller":"pod-volume-backup"}`,
			format: "json", level: "error", msg: "pod volume backup failed",
			err: "fork/exec /usr/bin/restic: permission denied", source: "pkg/controller/pvb.go:280",
			field: "controller", value: "pod-volume-backup",
		},
		{
			name:   "nested error object",
			line:   `{"level":"error","msg":"x","error":{"message":"boom"}}`,
			format: "json", level: "error", msg: "x", err: "boom",
		},
		{
			name:   "zap controller with timestamp prefix",
			line:   `2024-01-02T03:04:05.123456789Z {"level":"info","ts":1700000000000,"logger":"migration","msg":"[RUN] (Step 3/40) Prepare","caller":"migmigration/task.go:10"}`,
			format: "json", level: "info", msg: "[RUN] (Step 3/40) Prepare", source: "migmigration/task.go:10",
			field: "logger", value: "migration",
		},
		{
			name:   "klog kubelet",
			line:   `E0326 16:32:02.706363    3879 kubelet.go:1841] "Unable to attach or mount volumes for pod; skipping pod" err="unmounted volumes=[a]: timed out waiting for the condition" pod="ns/rsync-server"`,
			format: "klog", level: "error", msg: "Unable to attach or mount volumes for pod; skipping pod",
			err: "unmounted volumes=[a]: timed out waiting for the condition", source: "kubelet.go:1841",
			field: "pod", value: "ns/rsync-server",
		},
		{
			name: "plain text", line: "rsync: connection unexpectedly closed", format: "text",
			msg: "rsync: connection unexpectedly closed",
		},
		{
			name: "truncated json", line: `{"level":"error","msg":"cut`, format: "text", msg: `{"level":"error","msg":"cut`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseLine(tt.line)
			if e.Format != tt.format || e.Level != tt.level || e.Msg != tt.msg || e.Error != tt.err || e.Source != tt.source {
				t.Fatalf("ParseLine = %+v", e)
			}
			if tt.field != "" && e.Get(tt.field) != tt.value {
				t.Fatalf("field %s = %q, want %q", tt.field, e.Get(tt.field), tt.value)
			}
		})
	}
}
