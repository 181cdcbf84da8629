package redact

import (
	"bytes"
	"testing"
)

func BenchmarkTriggerFind(b *testing.B) {
	r := New("some-known-secret-value-1", "another-known-secret-2")
	line := []byte("2024-05-01T10:00:00.123456789Z I0501 10:00:00.123 controller.go:123] Reconciling MigMigration openshift-migration/mig-1 phase=Started itinerary=Final\n")
	buf := bytes.Repeat(line, 1<<20/len(line))
	b.SetBytes(int64(len(buf)))
	if r.trig.find(buf) >= 0 {
		b.Fatal("unexpected hit")
	}
	for b.Loop() {
		r.trig.find(buf)
	}
}

// BenchmarkWriterDirty measures the slow path: every line holds a trigger.
func BenchmarkWriterDirty(b *testing.B) {
	r := New("some-known-secret-value-1")
	line := []byte(`2024-05-01T10:00:00Z level=info msg="GET https://minio.svc:9000/bucket token=abc123 Authorization: Bearer abcdefghijk" logSource="pkg/x.go:1"` + "\n")
	buf := bytes.Repeat(line, 1<<20/len(line))
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		w := r.NewWriter(discard{})
		_, _ = w.Write(buf)
		_ = w.Close()
	}
}

func BenchmarkTriggerClean(b *testing.B) {
	r := New("some-known-secret-value-1", "another-known-secret-2")
	line := []byte("2024-05-01T10:00:00.123456789Z I0501 10:00:00.123 controller.go:123] Reconciling MigMigration openshift-migration/mig-1 phase=Started itinerary=Final\n")
	buf := bytes.Repeat(line, 1<<20/len(line))
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		r.trig.clean(buf)
	}
}
