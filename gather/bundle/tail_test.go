package bundle

import (
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// wantTail is the documented --max-log-bytes rule: the longest suffix of at
// most max bytes that starts a line (the raw last max bytes if no line
// starts inside them).
func wantTail(in string, max int) string {
	if len(in) <= max {
		return in
	}
	w := in[len(in)-max:]
	if in[len(in)-max-1] == '\n' {
		return w
	}
	if i := strings.IndexByte(w, '\n'); i >= 0 {
		return w[i+1:]
	}
	return w
}

func TestSegmentsTail(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 300; iter++ {
		var b strings.Builder
		for n := rng.Intn(40); n > 0; n-- {
			b.WriteString(strings.Repeat("x", rng.Intn(30)))
			b.WriteByte('\n')
		}
		if rng.Intn(3) == 0 {
			b.WriteString(strings.Repeat("y", rng.Intn(50))) // unterminated last line
		}
		in := b.String()
		max := rng.Intn(120) + 1
		chunk := rng.Intn(17) + 1
		t.Run(fmt.Sprintf("len%d_max%d_chunk%d", len(in), max, chunk), func(t *testing.T) {
			s := &segments{dir: t.TempDir()}
			defer s.discard()
			for i := 0; i < len(in); i += chunk {
				if _, err := s.write([]byte(in[i:min(i+chunk, len(in))]), int64(max)); err != nil {
					t.Fatal(err)
				}
			}
			parts, err := s.kept()
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if parts != nil {
				b, err := io.ReadAll(partsReader(parts))
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if want := wantTail(in, max); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
