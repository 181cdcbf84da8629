package logs

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestSplitTimestamp(t *testing.T) {
	tests := []struct {
		name, line, wantTS, wantMsg string
	}{
		{"nano", "2024-04-10T14:22:24.123456789Z level=info msg=x", "2024-04-10T14:22:24.123456789Z", "level=info msg=x"},
		{"seconds", "2024-04-10T14:22:24Z {\"level\":\"info\"}", "2024-04-10T14:22:24Z", `{"level":"info"}`},
		{"offset", "2024-04-10T16:22:24.5+02:00 hello", "2024-04-10T14:22:24.5Z", "hello"},
		{"empty message", "2024-04-10T14:22:24Z ", "2024-04-10T14:22:24Z", ""},
		{"no timestamp", "rsync: connection refused", "", "rsync: connection refused"},
		{"date-like text", "2024-04-10 is not a timestamp", "", "2024-04-10 is not a timestamp"},
		{"bad timestamp", "2024-04-10T99:22:24Z x", "", "2024-04-10T99:22:24Z x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, msg := splitTimestamp(tt.line)
			got := ""
			if !ts.IsZero() {
				got = ts.UTC().Format(time.RFC3339Nano)
			}
			if got != tt.wantTS || msg != tt.wantMsg {
				t.Fatalf("splitTimestamp(%q) = %q, %q; want %q, %q", tt.line, got, msg, tt.wantTS, tt.wantMsg)
			}
		})
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", MaxLineBytes-22) + "é" + strings.Repeat("y", MaxLineBytes) // é straddles the cut
	in := "2024-04-10T14:22:24Z one\r\n" +
		"2024-04-10T14:22:25Z " + long + "\n" +
		"no timestamp\n" +
		"2024-04-10T14:22:26Z last without newline"
	lr := newLineReader(strings.NewReader(in))
	var got []string
	for {
		ts, msg, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) > 40 {
			msg = msg[:5] + "…" + msg[len(msg)-24:]
		}
		got = append(got, ts.Format("15:04:05")+"|"+msg)
	}
	want := []string{
		"14:22:24|one",
		"14:22:25|xxxxx…xx … [16386 bytes cut]", // no half "é" kept
		"00:00:00|no timestamp",
		"14:22:26|last without newline",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestResumePoint(t *testing.T) {
	t0 := time.Date(2024, 4, 10, 14, 22, 24, 0, time.UTC)
	var r resumePoint
	for _, ts := range []time.Time{t0, t0.Add(time.Second), t0.Add(time.Second)} {
		r.record(ts)
	}
	skip := r.skipper()
	// Replayed from the truncated second, then new lines.
	tests := []struct {
		ts   time.Time
		want bool
	}{
		{t0, true},
		{t0.Add(time.Second), true},
		{t0.Add(time.Second), true},
		{t0.Add(time.Second), false}, // a third line in the same instant is new
		{time.Time{}, false},
		{t0.Add(2 * time.Second), false},
	}
	for i, tt := range tests {
		if got := skip(tt.ts); got != tt.want {
			t.Fatalf("line %d (%v): skip = %v, want %v", i, tt.ts, got, tt.want)
		}
	}
	if (resumePoint{}).skipper()(t0) {
		t.Fatal("an empty resume point skipped a line")
	}
}
