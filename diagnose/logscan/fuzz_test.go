package logscan

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// FuzzScan checks the scanner against the naive per-line search for both
// engines and small buffers (the seed corpus runs in every go test).
func FuzzScan(f *testing.F) {
	for _, s := range []string{"", "abc\n", "xxabcaxx\nbcab\r\ncaab", strings.Repeat("abca", 40) + "\nq"} {
		f.Add(s, 64)
	}
	sets := [][]string{{"abca", "bcab", "caab", "aaaa"}, {"ab", "ba", "abc"}}
	f.Fuzz(func(t *testing.T, log string, size int) {
		size = 64 + abs(size)%512
		for _, patterns := range sets {
			m := MustCompile(patterns)
			res, err := m.Scan(context.Background(), strings.NewReader(log), Options{BufferSize: size, MaxHitsPerPattern: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				got[fmt.Sprintf("%d@%d", h.Pattern, h.Line)] = true
			}
			if want := naive(patterns, log); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("size %d patterns %q: got %v want %v", size, patterns, got, want)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
