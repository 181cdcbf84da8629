package logscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	if _, err := Compile(nil); !errors.Is(err, ErrNoPatterns) {
		t.Fatalf("Compile(nil) = %v, want ErrNoPatterns", err)
	}
	if _, err := Compile([]string{"a", ""}); err == nil {
		t.Fatal("Compile with empty pattern: want error")
	}
}

func TestFindAll(t *testing.T) {
	m := MustCompile([]string{"he", "she", "his", "hers", "she"})
	tests := []struct {
		name string
		in   string
		want []int
	}{
		{"overlapping", "ushers", []int{1, 4, 0, 3}},
		{"none", "xyz", nil},
		{"prefix of longer", "his hers", []int{2, 0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.FindAll([]byte(tt.in))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("FindAll(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestScanLinesAndDedup(t *testing.T) {
	m := MustCompile([]string{"timed out", "permission denied"})
	log := "ok\n" +
		"level=error msg=\"timed out\" error=\"timed out again\"\n" +
		"fine\r\n" +
		"x permission denied\n" +
		"last timed out" // no trailing newline
	res, err := m.Scan(context.Background(), strings.NewReader(log), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 5 || res.Bytes != int64(len(log)) {
		t.Fatalf("Lines=%d Bytes=%d, want 5 and %d", res.Lines, res.Bytes, len(log))
	}
	if res.MatchedLines != 3 {
		t.Fatalf("MatchedLines = %d, want 3", res.MatchedLines)
	}
	if res.Counts[0] != 2 || res.Counts[1] != 1 {
		t.Fatalf("Counts = %v, want [2 1] (a line counts once per pattern)", res.Counts)
	}
	want := []string{"0@2", "1@4", "0@5"}
	var got []string
	for _, h := range res.Hits {
		got = append(got, fmt.Sprintf("%d@%d", h.Pattern, h.Line))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("hits = %v, want %v", got, want)
	}
	if res.Hits[2].Text != "last timed out" || res.Hits[1].Text != "x permission denied" {
		t.Fatalf("excerpts = %+v", res.Hits)
	}
}

// naive is the obviously correct reference: split lines, strings.Contains.
func naive(patterns []string, log string) map[string]bool {
	out := map[string]bool{}
	for i, line := range strings.Split(log, "\n") {
		for p, pat := range patterns {
			if strings.Contains(line, pat) {
				out[fmt.Sprintf("%d@%d", p, i+1)] = true
			}
		}
	}
	return out
}

func TestScanMatchesNaiveAcrossBufferSizes(t *testing.T) {
	sets := map[string][]string{
		"dfa":  {"abc", "bca", "cab", "aaaa", "c\rb"},
		"skip": {"abca", "bcab", "caab", "aaaa", "c\rbb", "abcabcab"},
	}
	for name, patterns := range sets {
		t.Run(name, func(t *testing.T) {
			m := MustCompile(patterns)
			if (m.skip != nil) != (name == "skip") {
				t.Fatalf("engine for %s not chosen as expected", name)
			}
			checkAgainstNaive(t, m, patterns)
		})
	}
}

func checkAgainstNaive(t *testing.T, m *Matcher, patterns []string) {
	rng := rand.New(rand.NewSource(1))
	alphabet := "abc\n\r"
	for trial := 0; trial < 300; trial++ {
		n := rng.Intn(400)
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteByte(alphabet[rng.Intn(len(alphabet))])
		}
		log := sb.String()
		want := naive(patterns, log)
		for _, size := range []int{64, 97, 1 << 12} {
			res, err := m.Scan(context.Background(), iotestOneByte(log, trial), Options{BufferSize: size, MaxHitsPerPattern: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				got[fmt.Sprintf("%d@%d", h.Pattern, h.Line)] = true
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("trial %d size %d: got %v want %v\nlog %q", trial, size, got, want, log)
			}
			if wantLines := int64(strings.Count(log, "\n")); res.Lines != wantLines && res.Lines != wantLines+1 {
				t.Fatalf("trial %d: Lines = %d for %d newlines", trial, res.Lines, wantLines)
			}
		}
	}
}

// iotestOneByte sometimes returns a reader that hands out tiny reads, to
// exercise refills.
func iotestOneByte(s string, trial int) io.Reader {
	if trial%2 == 0 {
		return strings.NewReader(s)
	}
	return &tinyReader{s: s}
}

type tinyReader struct{ s string }

func (r *tinyReader) Read(p []byte) (int, error) {
	if len(r.s) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], r.s)
	r.s = r.s[n:]
	return n, nil
}

func TestScanOverlongLine(t *testing.T) {
	m := MustCompile([]string{"NEEDLE", "after"})
	long := strings.Repeat("x", 10_000) + "NEEDLE" + strings.Repeat("y", 10_000)
	log := "first\n" + long + "\nafter\n"
	res, err := m.Scan(context.Background(), strings.NewReader(log), Options{BufferSize: 1024, MaxExcerpt: 100})
	if err != nil {
		t.Fatalf("over-long line must not be fatal: %v", err)
	}
	if res.LongLines != 1 || res.Lines != 3 {
		t.Fatalf("LongLines=%d Lines=%d, want 1 and 3", res.LongLines, res.Lines)
	}
	hits := res.HitsFor(0)
	if len(hits) != 1 || hits[0].Line != 2 || !hits[0].Truncated || !strings.Contains(hits[0].Text, "NEEDLE") || len(hits[0].Text) > 100 {
		t.Fatalf("long-line hit = %+v", hits)
	}
	if h := res.HitsFor(1); len(h) != 1 || h[0].Line != 3 || h[0].Truncated {
		t.Fatalf("hit after long line = %+v", h)
	}
}

func TestScanPatternAcrossLongLinePieces(t *testing.T) {
	m := MustCompile([]string{"SPLITME"})
	// Place the pattern so it straddles the 64-byte buffer boundary.
	log := strings.Repeat("z", 61) + "SPLITME" + strings.Repeat("z", 100) + "\n"
	res, err := m.Scan(context.Background(), strings.NewReader(log), Options{BufferSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts[0] != 1 {
		t.Fatalf("Counts = %v, want the straddling match found", res.Counts)
	}
}

func TestScanExcerptWindow(t *testing.T) {
	m := MustCompile([]string{"MATCH"})
	line := "time=x level=error " + strings.Repeat("a", 500) + "MATCH" + strings.Repeat("b", 500)
	res, err := m.Scan(context.Background(), strings.NewReader(line+"\n"), Options{MaxExcerpt: 64})
	if err != nil {
		t.Fatal(err)
	}
	h := res.Hits[0]
	if !h.Truncated || len(h.Text) != 64 || !strings.Contains(h.Text, "MATCH") {
		t.Fatalf("excerpt = %+v", h)
	}
}

func TestScanCapsHitsButKeepsCounting(t *testing.T) {
	m := MustCompile([]string{"BSL"})
	log := strings.Repeat("BSL not found\n", 1000)
	res, err := m.Scan(context.Background(), strings.NewReader(log), Options{MaxHitsPerPattern: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 3 || res.Counts[0] != 1000 {
		t.Fatalf("hits=%d count=%d", len(res.Hits), res.Counts[0])
	}
}

func TestScanTail(t *testing.T) {
	m := MustCompile([]string{"zzz"})
	var sb strings.Builder
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	res, err := m.Scan(context.Background(), strings.NewReader(sb.String()), Options{BufferSize: 100, TailLines: 3})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Tail) != "[line 498 line 499 line 500]" {
		t.Fatalf("Tail = %q", res.Tail)
	}
}

func TestScanErrors(t *testing.T) {
	m := MustCompile([]string{"a"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Scan(ctx, strings.NewReader("a\n"), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled scan err = %v", err)
	}
	boom := errors.New("boom")
	_, err := m.Scan(context.Background(), io.MultiReader(strings.NewReader("a\n"), errReader{boom}), Options{})
	if !errors.Is(err, boom) {
		t.Fatalf("read error = %v, want wrapped boom", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestScanEmpty(t *testing.T) {
	m := MustCompile([]string{"a"})
	res, err := m.Scan(context.Background(), bytes.NewReader(nil), Options{})
	if err != nil || res.Lines != 0 || len(res.Hits) != 0 {
		t.Fatalf("empty log: %+v %v", res, err)
	}
}
