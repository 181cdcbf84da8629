package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// entryInfo is what a test needs to know about one bundle entry.
type entryInfo struct {
	mode    fs.FileMode
	isDir   bool
	content string
}

func readArchive(t *testing.T, file string) ([]string, map[string]entryInfo) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var order []string
	out := map[string]entryInfo{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, h.Name)
		out[h.Name] = entryInfo{mode: fs.FileMode(h.Mode).Perm(), isDir: h.Typeflag == tar.TypeDir, content: string(b)}
	}
	return order, out
}

func readDir(t *testing.T, root string) map[string]entryInfo {
	t.Helper()
	out := map[string]entryInfo{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(root), p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := entryInfo{mode: info.Mode().Perm(), isDir: d.IsDir()}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			name += "/"
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.content = string(b)
		}
		out[name] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func lines(n int, prefix string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s line %03d\n", prefix, i)
	}
	return b.String()
}

// fill writes a representative set of files and returns what each path
// should hold.
func fill(t *testing.T, b *Bundle) map[string]string {
	t.Helper()
	ctx := context.Background()
	want := map[string]string{}
	if err := b.WriteFile(ctx, "version", []byte("kubectl-mig gather\nv1\n")); err != nil {
		t.Fatal(err)
	}
	want["version"] = "kubectl-mig gather\nv1\n"
	yaml := "apiVersion: v1\nitems: []\nkind: PodList\n"
	if err := b.WriteFile(ctx, "clusters/host/namespaces/ns/core/pods.yaml", []byte(yaml)); err != nil {
		t.Fatal(err)
	}
	want["clusters/host/namespaces/ns/core/pods.yaml"] = yaml

	// A streamed log, written in small pieces.
	log := lines(500, "current")
	f, err := b.Create("clusters/host/namespaces/ns/pods/p/c/c/logs/current.log", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(log); i += 7 {
		if _, err := f.Write([]byte(log[i:min(i+7, len(log))])); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want["clusters/host/namespaces/ns/pods/p/c/c/logs/current.log"] = log

	// A capped log: only the tail survives, from a line start.
	capped := lines(100, "previous") // 18 bytes a line
	f, err = b.Create("clusters/host/namespaces/ns/pods/p/c/c/logs/previous.log", 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, capped); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want["clusters/host/namespaces/ns/pods/p/c/c/logs/previous.log"] = capped[len(capped)-5*18:]

	// A capped log under the cap is kept whole.
	small := lines(3, "small")
	f, err = b.Create("clusters/host/namespaces/ns/pods/q/c/c/logs/current.log", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, small); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want["clusters/host/namespaces/ns/pods/q/c/c/logs/current.log"] = small

	// A big small-file goes through the spool.
	big := strings.Repeat("x", memBudget/4+1)
	if err := b.WriteFile(ctx, "clusters/host/namespaces/ns/core/events.yaml", []byte(big)); err != nil {
		t.Fatal(err)
	}
	want["clusters/host/namespaces/ns/core/events.yaml"] = big

	// An aborted file leaves nothing.
	f, err = b.Create("clusters/host/aborted.log", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(f, "partial")
	f.Abort()

	// Duplicates and escapes are refused.
	if err := b.WriteFile(ctx, "version", []byte("again")); err == nil {
		t.Error("second write of version accepted")
	}
	if _, err := b.Create("../outside", 0); err == nil {
		t.Error("path leaving the bundle accepted")
	}
	return want
}

func checkFiles(t *testing.T, files []mustgather.File, want map[string]string) {
	t.Helper()
	if len(files) != len(want) {
		t.Errorf("manifest lists %d files, want %d", len(files), len(want))
	}
	for _, f := range files {
		content, ok := want[f.Path]
		if !ok {
			t.Errorf("unexpected file %s", f.Path)
			continue
		}
		sum := sha256.Sum256([]byte(content))
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(content)) {
			t.Errorf("%s: size %d sha %s, want %d %x", f.Path, f.Size, f.SHA256, len(content), sum)
		}
		truncated := strings.HasSuffix(f.Path, "previous.log")
		if f.Truncated != truncated || (truncated && f.OriginalSize != 1800) {
			t.Errorf("%s: truncated=%v original=%d", f.Path, f.Truncated, f.OriginalSize)
		}
	}
}

func TestArchive(t *testing.T) {
	dir := t.TempDir()
	b, err := Create(Options{Dir: dir, Name: "mig-gather-test", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	want := fill(t, b)
	files := b.Files()
	checkFiles(t, files, want)
	path, err := b.Close(context.Background(), []byte(`{"schema":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "mig-gather-test.tar.gz") {
		t.Errorf("path %s", path)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode: %v %v", st, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("spool not cleaned: %v", left)
	}
	order, got := readArchive(t, path)
	want[mustgather.ManifestFile] = `{"schema":1}`
	seenDirs := map[string]bool{}
	for _, name := range order {
		e := got[name]
		if !strings.HasPrefix(name, "mig-gather-test/") {
			t.Errorf("%s: outside the root directory", name)
		}
		if e.isDir {
			if e.mode != 0o700 {
				t.Errorf("%s: dir mode %v", name, e.mode)
			}
			seenDirs[name] = true
			continue
		}
		if e.mode != 0o600 {
			t.Errorf("%s: file mode %v", name, e.mode)
		}
		if parent := filepath.Dir(name) + "/"; !seenDirs[parent] {
			t.Errorf("%s: written before its directory", name)
		}
		rel := strings.TrimPrefix(name, "mig-gather-test/")
		if w, ok := want[rel]; !ok || w != e.content {
			t.Errorf("%s: content %.40q, want %.40q (listed %v)", rel, e.content, w, ok)
		}
		delete(want, rel)
	}
	if len(want) != 0 {
		t.Errorf("missing from archive: %v", keys(want))
	}
	if last := order[len(order)-1]; last != "mig-gather-test/manifest.json" {
		t.Errorf("manifest not last: %s", last)
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	b, err := Create(Options{Dir: dir, Name: "mig-gather-test"})
	if err != nil {
		t.Fatal(err)
	}
	want := fill(t, b)
	checkFiles(t, b.Files(), want)
	if _, err := b.Close(context.Background(), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	want[mustgather.ManifestFile] = "{}"
	got := readDir(t, filepath.Join(dir, "mig-gather-test"))
	for name, e := range got {
		if e.isDir {
			if e.mode != 0o700 {
				t.Errorf("%s: dir mode %v", name, e.mode)
			}
			continue
		}
		if e.mode != 0o600 {
			t.Errorf("%s: file mode %v", name, e.mode)
		}
		rel := strings.TrimPrefix(name, "mig-gather-test/")
		if w, ok := want[rel]; !ok || w != e.content {
			t.Errorf("%s: unexpected content or file (listed %v)", rel, ok)
		}
		delete(want, rel)
	}
	if len(want) != 0 {
		t.Errorf("missing: %v", keys(want))
	}
	if _, err := Create(Options{Dir: dir, Name: "mig-gather-test"}); err == nil {
		t.Error("an existing bundle directory was reused")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestConcurrentStreams writes many logs at once through a capped queue:
// every byte arrives, in the right file.
func TestConcurrentStreams(t *testing.T) {
	b, err := Create(Options{Dir: t.TempDir(), Name: "c", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := b.Create(fmt.Sprintf("logs/%03d.log", i), 0)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.WriteString(f, lines(50, fmt.Sprint(i)))
			if err := f.Close(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	path, err := b.Close(ctx, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, got := readArchive(t, path)
	for i := 0; i < 200; i++ {
		if got[fmt.Sprintf("c/logs/%03d.log", i)].content != lines(50, fmt.Sprint(i)) {
			t.Fatalf("log %d mangled", i)
		}
	}
}

// TestStreamingMemory streams 256 MiB into an archive and checks the heap
// never holds a sizeable part of it.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB")
	}
	// Garbage waiting for the collector is not memory held: a low GC
	// target keeps it small, so that the peak measures what streaming
	// holds however loaded the machine (and so the collector's pacing).
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	b, err := Create(Options{Dir: t.TempDir(), Name: "m", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	chunk := bytes.Repeat([]byte("2024-01-01T00:00:00Z some log line of moderate length\n"), 1200)
	for i := 0; i < 4; i++ {
		f, err := b.Create(fmt.Sprintf("big-%d.log", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		for written := 0; written < 64<<20; written += len(chunk) {
			if _, err := f.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Close(ctx, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-sampled
	t.Logf("heap in use peaked at %d MiB", peak>>20)
	if peak > 48<<20 {
		t.Errorf("heap in use peaked at %d MiB while streaming 256 MiB", peak>>20)
	}
}

// TestSpill: multi-megabyte files written in pieces go through the spool
// (uncapped) or the tail segments (capped) without losing bytes.
func TestSpill(t *testing.T) {
	b, err := Create(Options{Dir: t.TempDir(), Name: "s", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	big := lines(200000, "spill") // ~3.4 MB
	// Random text barely compresses: its member outgrows memory and moves
	// to a spool file before the cap is reached.
	rnd := make([]byte, 3<<20)
	if _, err := rand.NewChaCha8([32]byte{1}).Read(rnd); err != nil {
		t.Fatal(err)
	}
	var nb strings.Builder
	for enc := base64.StdEncoding.EncodeToString(rnd); len(enc) > 0; enc = enc[min(76, len(enc)):] {
		nb.WriteString(enc[:min(76, len(enc))] + "\n")
	}
	noisy := nb.String()
	const capped = 3 << 20
	for _, tc := range []struct {
		path, content string
		max           int64
	}{{"uncapped.log", big, 0}, {"capped.log", big, capped}, {"noisy-capped.log", noisy, capped}, {"noisy.log", noisy, 0}} {
		big := tc.content
		f, err := b.Create(tc.path, tc.max)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(big); i += 100000 {
			if _, err := io.WriteString(f, big[i:min(i+100000, len(big))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	path, err := b.Close(ctx, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, got := readArchive(t, path)
	if got["s/uncapped.log"].content != big {
		t.Error("uncapped file mangled by the spill")
	}
	if got["s/noisy.log"].content != noisy {
		t.Error("incompressible file mangled")
	}
	for name, content := range map[string]string{"capped.log": big, "noisy-capped.log": noisy} {
		want := content[len(content)-capped:]
		want = want[strings.IndexByte(want, '\n')+1:]
		if got["s/"+name].content != want {
			t.Errorf("%s: %d bytes, want the %d-byte tail", name, len(got["s/"+name].content), len(want))
		}
	}
}

// TestArchiveReadByTar: the archive is a sequence of gzip members (streamed
// files are compressed by their producers); GNU tar with gzip must read it
// as one archive, with every file and its exact content.
func TestArchiveReadByTar(t *testing.T) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("no tar on PATH")
	}
	dir := t.TempDir()
	b, err := Create(Options{Dir: dir, Name: "t", Archive: true})
	if err != nil {
		t.Fatal(err)
	}
	want := fill(t, b)
	long := "clusters/host/namespaces/" + strings.Repeat("n", 90) + "/pods/" + strings.Repeat("p", 120) + "/c/c/logs/current.log"
	f, err := b.Create(long, 0) // a name only a PAX header can hold
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, "pax\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want[long] = "pax\n"
	path, err := b.Close(context.Background(), []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	want[mustgather.ManifestFile] = "{}"
	out := t.TempDir()
	if msg, err := exec.Command(tarBin, "-xzf", path, "-C", out).CombinedOutput(); err != nil {
		t.Fatalf("tar -xzf: %v: %s", err, msg)
	}
	for rel, content := range want {
		got, err := os.ReadFile(filepath.Join(out, "t", filepath.FromSlash(rel)))
		if err != nil || string(got) != content {
			t.Errorf("%s: %.40q, %v; want %.40q", rel, got, err, content)
		}
	}
}
