package kubelet

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTailOffset(t *testing.T) {
	tests := []struct {
		name    string
		content string
		n       int64
		want    string
	}{
		{"all", "a\nb\nc\n", -1, "a\nb\nc\n"},
		{"zero", "a\nb\nc\n", 0, ""},
		{"two", "a\nb\nc\n", 2, "b\nc\n"},
		{"more than lines", "a\nb\n", 5, "a\nb\n"},
		{"no final newline", "a\nb\nc", 2, "b\nc"},
		{"empty", "", 3, ""},
		{"long file", strings.Repeat("0123456789\n", 10000), 3, strings.Repeat("0123456789\n", 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strings.NewReader(tt.content)
			off, err := tailOffset(r, int64(len(tt.content)), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.content[off:]; got != tt.want {
				t.Errorf("tail %d = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestEmit(t *testing.T) {
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	lines := []string{
		base.Format(time.RFC3339Nano) + " first",
		base.Add(time.Minute).Format(time.RFC3339Nano) + " stdout F second",
		"unstamped",
		base.Add(2*time.Minute).Format(time.RFC3339Nano) + " third",
	}
	tests := []struct {
		name string
		opts logOptions
		want string
	}{
		{"plain", logOptions{}, "first\nsecond\nunstamped\nthird\n"},
		{"timestamps", logOptions{timestamps: true}, "2026-11-22T10:00:00Z first\n2026-11-22T10:01:00Z second\nunstamped\n2026-11-22T10:02:00Z third\n"},
		{"since", logOptions{since: base.Add(90 * time.Second)}, "unstamped\nthird\n"},
		{"limit", logOptions{limitBytes: 8}, "first\nse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			e := &lineEmitter{w: &b, opts: tt.opts}
			for _, l := range lines {
				more, err := e.emit([]byte(l))
				if err != nil {
					t.Fatal(err)
				}
				if !more {
					break
				}
			}
			if err := e.flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestParseLogOptions(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		query   string
		wantErr bool
		check   func(logOptions) bool
	}{
		{"follow=true&previous=false&timestamps=true", false, func(o logOptions) bool { return o.follow && o.timestamps && o.tailLines == -1 }},
		{"tailLines=5&limitBytes=100", false, func(o logOptions) bool { return o.tailLines == 5 && o.limitBytes == 100 }},
		{"sinceSeconds=60", false, func(o logOptions) bool { return o.since.Equal(now.Add(-time.Minute)) }},
		{"sinceTime=2026-11-22T09:30:00Z", false, func(o logOptions) bool { return o.since.Equal(now.Add(-30 * time.Minute)) }},
		{"tailLines=x", true, nil},
		{"follow=maybe", true, nil},
		{"sinceTime=yesterday", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			o, err := parseLogOptions(q, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(o) {
				t.Errorf("options %+v", o)
			}
		})
	}
}

func TestParseUTCStamp(t *testing.T) {
	tests := []struct {
		in            string
		ok, canonical bool
	}{
		{"2026-11-22T10:00:00Z", true, true},
		{"2026-11-22T10:00:00.5Z", true, true},
		{"2026-11-22T10:00:00.123456789Z", true, true},
		{"2026-11-22T10:00:00.120Z", true, false},
		{"2026-11-22T10:00:00+01:00", false, false},
		{"2026-11-22T10:00:00.Z", false, false},
		{"2026-11-22T10:00:00.1234567890Z", false, false},
		{"2026-13-22T10:00:00Z", false, false},
		{"2026-11-22 10:00:00Z", false, false},
		{"2026-11-22T1x:00:00Z", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, canonical, ok := parseUTCStamp([]byte(tt.in))
			if ok != tt.ok || canonical != tt.canonical {
				t.Fatalf("ok, canonical = %v, %v; want %v, %v", ok, canonical, tt.ok, tt.canonical)
			}
			if !ok {
				return
			}
			want, err := time.Parse(time.RFC3339Nano, tt.in)
			if err != nil || !got.Equal(want) {
				t.Errorf("got %v, want %v (%v)", got, want, err)
			}
			if canonical != (want.UTC().Format(time.RFC3339Nano) == tt.in) {
				t.Errorf("canonical = %v disagrees with RFC3339Nano formatting %q", canonical, want.UTC().Format(time.RFC3339Nano))
			}
		})
	}
}

// TestEmitFastPath checks the byte-compare shortcut against the since limit
// in the limit's own second, and that non-canonical stamps are reformatted.
func TestEmitFastPath(t *testing.T) {
	lines := []string{
		"2026-11-22T10:01:29.999Z before",
		"2026-11-22T10:01:30.100Z same second, before",
		"2026-11-22T10:01:30.500Z same second, after",
		"2026-11-22T10:01:31Z after",
		"2026-11-22T10:01:32.120Z trailing zero",
		"2026-11-22T11:01:33+01:00 offset",
	}
	since := time.Date(2026, 11, 22, 10, 1, 30, 300_000_000, time.UTC)
	tests := []struct {
		name string
		opts logOptions
		want string
	}{
		{"since in a second", logOptions{since: since}, "same second, after\nafter\ntrailing zero\noffset\n"},
		{"timestamps", logOptions{since: since, timestamps: true},
			"2026-11-22T10:01:30.5Z same second, after\n2026-11-22T10:01:31Z after\n2026-11-22T10:01:32.12Z trailing zero\n2026-11-22T10:01:33Z offset\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			e := &lineEmitter{w: &b, opts: tt.opts}
			for _, l := range lines {
				if _, err := e.emit([]byte(l)); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}
