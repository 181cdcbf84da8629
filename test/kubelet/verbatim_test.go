package kubelet

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestVerbatim checks which stored logs may be served as they are, and that
// serving them so gives exactly the bytes of the per-line path.
func TestVerbatim(t *testing.T) {
	sorted := "2026-11-22T10:00:00.1Z first\n2026-11-22T10:00:01Z second line\n2026-11-22T10:00:01.25Z third\n"
	tests := []struct {
		name     string
		content  string
		verbatim bool
	}{
		{"sorted canonical", sorted, true},
		{"empty", "", true},
		{"stamps go back", "2026-11-22T10:00:02Z a\n2026-11-22T10:00:01Z b\n", false},
		{"trailing zero", "2026-11-22T10:00:00.10Z a\n", false},
		{"CRI format", "2026-11-22T10:00:00Z stdout F a\n", false},
		{"no stamp", "plain\n", false},
		{"unterminated", "2026-11-22T10:00:00Z a", false},
		{"offset stamp", "2026-11-22T11:00:00+01:00 a\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newTestKubelet(t)
			if err := k.SetLog("ns", "p", "c", strings.NewReader(tt.content)); err != nil {
				t.Fatal(err)
			}
			_, ok := k.verbatim[k.LogPath("ns", "p", "c", false)]
			if ok != tt.verbatim {
				t.Fatalf("verbatim = %v, want %v", ok, tt.verbatim)
			}
			for _, q := range []string{"timestamps=true", "timestamps=true&sinceTime=2026-11-22T09:00:00Z",
				"timestamps=true&sinceTime=2026-11-22T10:00:01Z", "timestamps=false", "timestamps=true&tailLines=1"} {
				fast := get(t, k, q)
				k.forgetVerbatim(k.LogPath("ns", "p", "c", false))
				slow := get(t, k, q)
				k.checkVerbatim(k.LogPath("ns", "p", "c", false))
				if fast != slow {
					t.Errorf("%s: verbatim %q, per line %q", q, fast, slow)
				}
			}
		})
	}
	t.Run("changed behind the stand-in's back", func(t *testing.T) {
		k := newTestKubelet(t)
		if err := k.SetLog("ns", "p", "c", strings.NewReader(sorted)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(k.LogPath("ns", "p", "c", false), []byte("2026-11-22T10:00:00Z stdout F x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := get(t, k, "timestamps=true"); got != "2026-11-22T10:00:00Z x\n" {
			t.Errorf("got %q", got)
		}
	})
}

func newTestKubelet(t *testing.T) *Kubelet {
	return &Kubelet{cfg: Config{Dir: t.TempDir(), PodCheckInterval: time.Second}, logs: map[logKey]*logState{}, closed: make(chan struct{})}
}

func get(t *testing.T, k *Kubelet, query string) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", k.serveLogs)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/containerLogs/ns/p/c?"+query, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", query, rec.Code, rec.Body)
	}
	return rec.Body.String()
}
