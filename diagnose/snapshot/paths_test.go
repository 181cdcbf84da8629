package snapshot

import "testing"

func TestClassifyPath(t *testing.T) {
	tests := []struct {
		path      string
		cluster   string
		component Component
		pod       string
		owner     string
		isLog     bool
	}{
		{"must-gather/clusters/source/namespaces/openshift-migration/logs/velero-1/current.log", "source", "", "velero-1", "", true},
		{"must-gather/source/namespaces/app/pods/rsync-x/rsync/rsync/logs/current.log", "source", "", "rsync-x", "", true},
		{"namespaces/app/pods/web/web/web/logs/previous.log", DefaultHost, "", "web", "", true},
		{"inspect.local.1/namespaces/app/app.yaml", DefaultHost, "", "", "", false},
		{"must-gather/migplans/migplan-p/migmigration-m/restore-r1/restore-r1.log", "", VeleroRestore, "", "r1", true},
		{"must-gather/migplan-p/migmigration-m/backup-b1/backup-describe-b1.txt", "", VeleroBackup, "", "b1", true},
		{"must-gather/logs/velero-restore-logs/restore-r2.log", "", VeleroRestore, "", "r2", true},
		{"must-gather/logs/velero-backup-logs/b2.log", "", VeleroBackup, "", "b2", true},
		{"must-gather/migplans/migplan-p/migmigration-m/backup-b1/podvolumebackup-pvb1/restic-abc.log", "", NodeAgent, "", "pvb1", true},
		{"clusters/host/velero/openshift-migration/backups/b3/b3.log", "host", VeleroBackup, "", "b3", true},
		{"must-gather/clusters/host/nodes/host-worker-1/kubelet.log", "host", Kubelet, "", "", true},
		{"must-gather/clusters/host/namespaces/openshift-migration/crs/backups.velero.io/b.yaml", "host", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			info := classifyPath(tt.path)
			if (info.log != nil) != tt.isLog {
				t.Fatalf("log = %+v, want log %v", info.log, tt.isLog)
			}
			if info.log == nil {
				if info.cluster != tt.cluster {
					t.Fatalf("cluster = %q, want %q", info.cluster, tt.cluster)
				}
				return
			}
			l := info.log
			if l.Cluster != tt.cluster || l.Component != tt.component || l.Pod != tt.pod || l.Owner != tt.owner {
				t.Fatalf("log = %+v", *l)
			}
		})
	}
}

func TestComponentOf(t *testing.T) {
	tests := []struct {
		pod, container string
		labels         map[string]string
		want           Component
	}{
		{"migration-controller-6b7d8", "mtc", map[string]string{"app": "migration", "control-plane": "controller-manager"}, Controller},
		{"velero-7f9c4", "velero", map[string]string{"component": "velero"}, Velero},
		{"node-agent-x", "node-agent", map[string]string{"name": "node-agent"}, NodeAgent},
		{"restic-x", "restic", nil, NodeAgent},
		{"rsync-server", "rsync", map[string]string{"app": "directvolumemigration-rsync-transfer"}, Rsync},
		{"stage-web-x", "sleep-0", map[string]string{"migration.openshift.io/is-stage-pod": "true"}, Stage},
		{"plan1-prebackup-k2x9d-abc", "hook", map[string]string{"job-name": "plan1-prebackup-k2x9d"}, Hook},
		{"web-1", "web", map[string]string{"app": "web"}, Other},
	}
	for _, tt := range tests {
		if got := componentOf(tt.pod, tt.container, tt.labels); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.pod, got, tt.want)
		}
	}
}
