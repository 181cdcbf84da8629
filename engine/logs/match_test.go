package logs

import "testing"

func TestMatcher(t *testing.T) {
	m := NewMatcher(
		[]string{"inventory-plan", "inventory-final-6wmzq", "3f1c9a52-7d1e-4c8b-9a0e-5b6d7c8e9f01", "db"},
		[]string{"inventory-final", "inventory-final-initial-t8r4c"},
		[]string{"inventory-final-2"},
	)
	tests := []struct {
		name string
		line string
		want bool
	}{
		{"zap JSON migration", `{"level":"info","msg":"[RUN] Started","migMigration":"inventory-final"}`, true},
		{"zap JSON plan", `{"msg":"Reconcile","migPlan":"inventory-plan"}`, true},
		{"zap JSON dvm", `{"logger":"directvolume","dvm":"inventory-final-6wmzq"}`, true},
		{"velero backup", `level=info msg="Backup completed" backup=openshift-migration/inventory-final-initial-t8r4c controller=backup`, true},
		{"velero restore derived from migration", `msg="starting restore" restore=openshift-migration/inventory-final-stage-x2f6v`, true},
		{"pod volume backup derived from backup", `podvolumebackup=openshift-migration/inventory-final-initial-t8r4c-5xk2p`, true},
		{"uid", `migmigration=3f1c9a52-7d1e-4c8b-9a0e-5b6d7c8e9f01 done`, true},
		{"uid inside longer token", `x=3f1c9a52-7d1e-4c8b-9a0e-5b6d7c8e9f0123`, false},
		{"short exact term", `db failed`, true},
		{"short exact inside word", `mongodb failed`, false},
		{"short exact followed by dash", `db-2 failed`, false},
		{"plan name followed by dash is another plan", `migPlan=inventory-plan-2`, false},
		{"other migration excluded", `{"migMigration":"inventory-final-2"}`, false},
		{"other migration's backup excluded", `backup=openshift-migration/inventory-final-2-initial-abcde`, false},
		{"sentence end", `deleted inventory-final.`, true},
		{"unrelated", `level=error msg="Error checking repository for stale locks" name=inventory-replication-repo-j4p8s-xk9v2`, false},
		{"preceded by name char", `xinventory-final`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Match(tt.line); got != tt.want {
				t.Fatalf("Match(%q) = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

func TestMatcherNoTerms(t *testing.T) {
	if NewMatcher(nil, []string{""}, nil).Match("anything at all") {
		t.Fatal("a matcher without terms matched")
	}
}

func BenchmarkMatcher(b *testing.B) {
	var exact []string
	for i := range 500 {
		exact = append(exact, "migration-"+string(rune('a'+i%26))+"-"+string(rune('a'+i/26)))
	}
	m := NewMatcher(exact, exact, nil)
	line := `time="2024-04-10T14:22:24Z" level=info msg="Restoring resource 'persistentvolumeclaims' into namespace 'inventory'" logSource=pkg/restore/restore.go:2030 restore=openshift-migration/other-final-stage-x2f6v`
	b.ReportAllocs()
	for b.Loop() {
		m.Match(line)
	}
}
