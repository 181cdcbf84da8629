// Package bundle writes a support bundle, either as one .tar.gz or as a
// directory, by streaming: files are hashed while they are produced, logs
// are spooled to disk (never held in memory) and compressed by the goroutine
// that produced them into a gzip member of their own, and a single goroutine
// appends finished files to the archive in order.
// Files are created 0600 and directories 0700. The bundle refuses to write a
// path twice: a layout bug must not silently overwrite data.
package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/semaphore"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

const (
	fileMode = 0o600
	dirMode  = 0o700

	// memBudget bounds the bytes of small files waiting in memory for the
	// archive goroutine; bigger files and overflow go through the spool.
	memBudget = 16 << 20
	// queueLen bounds the entries waiting for the archive goroutine, hence
	// the spool files on disk.
	queueLen = 64
)

// Options say where and how to write.
type Options struct {
	// Dir is the directory that receives the bundle (created if missing).
	Dir string
	// Name is the bundle's name: the archive is <Name>.tar.gz and its
	// entries start with <Name>/; with Archive false, <Dir>/<Name> is the
	// bundle directory.
	Name string
	// Archive selects .tar.gz output (the default) over a directory.
	Archive bool
	// GzipLevel is the compression level (default: fastest).
	GzipLevel int
}

// Stats counts what went into the bundle so far.
type Stats struct {
	Files int64
	Bytes int64
}

// Bundle is an open bundle. It is safe for concurrent use.
type Bundle struct {
	opts  Options
	final string // archive path or bundle directory
	spool string // spool directory (archive mode)
	sink  sink

	// compressors are the gzip writers of streamed files (archive mode).
	compressors *sync.Pool
	memberBufs  *sync.Pool

	mu    sync.Mutex
	paths map[string]bool
	files []mustgather.File

	nfiles atomic.Int64
	nbytes atomic.Int64
	closed atomic.Bool
}

// sink is where finished files go: the archive goroutine or the directory.
type sink interface {
	// direct reports whether files can be written straight to their final
	// place (directory mode).
	direct() (root string, ok bool)
	// put hands over a finished file.
	put(ctx context.Context, e *entry) error
	// close finishes the output.
	close() error
	// abort drops the output.
	abort()
}

// Create opens a new bundle. The destination must not exist yet.
func Create(opts Options) (*Bundle, error) {
	if opts.Name == "" || strings.ContainsAny(opts.Name, `/\`) {
		return nil, fmt.Errorf("bundle name %q: must be a plain file name", opts.Name)
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if err := os.MkdirAll(opts.Dir, dirMode); err != nil {
		return nil, fmt.Errorf("create destination directory %s: %w", opts.Dir, err)
	}
	b := &Bundle{opts: opts, paths: map[string]bool{}}
	var err error
	if opts.Archive {
		b.final = filepath.Join(opts.Dir, opts.Name+".tar.gz")
		b.spool, err = os.MkdirTemp(opts.Dir, "."+opts.Name+"-spool-")
		if err != nil {
			return nil, fmt.Errorf("create spool directory in %s: %w", opts.Dir, err)
		}
		if _, err := gzip.NewWriterLevel(nil, gzipLevel(opts.GzipLevel)); err != nil {
			_ = os.RemoveAll(b.spool)
			return nil, fmt.Errorf("gzip level %d: %w", opts.GzipLevel, err)
		}
		b.compressors = newCompressorPool(opts.GzipLevel)
		b.memberBufs = newMemberBufPool()
		b.sink, err = newTarSink(b.final, opts.Name, opts.GzipLevel)
		if err != nil {
			_ = os.RemoveAll(b.spool)
			return nil, err
		}
		return b, nil
	}
	b.final = filepath.Join(opts.Dir, opts.Name)
	if err := os.Mkdir(b.final, dirMode); err != nil {
		return nil, fmt.Errorf("create bundle directory: %w", err)
	}
	b.sink = &dirSink{root: b.final}
	return b, nil
}

// Path is where the bundle is being written (archive file or directory).
func (b *Bundle) Path() string { return b.final }

// Stats returns the files and bytes committed so far.
func (b *Bundle) Stats() Stats {
	return Stats{Files: b.nfiles.Load(), Bytes: b.nbytes.Load()}
}

// claim reserves a path, refusing duplicates and paths leaving the root.
func (b *Bundle) claim(p string) (string, error) {
	if b.closed.Load() {
		return "", errors.New("bundle already closed")
	}
	clean, err := mustgather.CleanEntry(p)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.paths[clean] {
		return "", fmt.Errorf("bundle path %s written twice", clean)
	}
	b.paths[clean] = true
	return clean, nil
}

// record adds a committed file to the list.
func (b *Bundle) record(f mustgather.File) {
	b.mu.Lock()
	b.files = append(b.files, f)
	b.mu.Unlock()
	b.nfiles.Add(1)
}

// Files returns the files committed so far, sorted by path.
func (b *Bundle) Files() []mustgather.File {
	b.mu.Lock()
	out := append([]mustgather.File(nil), b.files...)
	b.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// WriteFile writes a small, complete file. The data must not be changed
// afterwards (the archive goroutine may still be reading it).
func (b *Bundle) WriteFile(ctx context.Context, p string, data []byte) error {
	clean, err := b.claim(p)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	f := mustgather.File{Path: clean, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	if root, ok := b.sink.direct(); ok {
		if err := writeNew(filepath.Join(root, filepath.FromSlash(clean)), data); err != nil {
			return err
		}
		b.nbytes.Add(f.Size)
		b.record(f)
		return nil
	}
	e := &entry{file: f, data: data, budget: true}
	if len(data) > memBudget/4 {
		// Too big to queue in memory: compress it here, like a log.
		m, err := b.compress(clean, bytes.NewReader(data), f.Size)
		if err != nil {
			return err
		}
		e = memberEntry(f, m)
	}
	if err := b.sink.put(ctx, e); err != nil {
		return err
	}
	b.nbytes.Add(f.Size)
	b.record(f)
	return nil
}

// Create opens a streamed file. With maxBytes > 0 only the last maxBytes
// (from a line start) are kept: the file is marked truncated in the
// manifest. Close commits the file; Abort drops it.
func (b *Bundle) Create(p string, maxBytes int64) (*File, error) {
	clean, err := b.claim(p)
	if err != nil {
		return nil, err
	}
	f := &File{b: b, path: clean, max: maxBytes, h: sha256.New()}
	root, direct := b.sink.direct()
	switch {
	case maxBytes > 0 && direct:
		dir := filepath.Join(root, filepath.FromSlash(path.Dir(clean)))
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return nil, err
		}
		f.segs = &segments{dir: dir}
	case direct:
		full := filepath.Join(root, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(full), dirMode); err != nil {
			return nil, err
		}
		out, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if err != nil {
			return nil, err
		}
		f.out = out
	default:
		f.z = b.newZstream()
	}
	return f, nil
}

// Close finishes the bundle with manifest.json (written last, not listed in
// itself) and returns the bundle's path.
func (b *Bundle) Close(ctx context.Context, manifest []byte) (string, error) {
	err := b.WriteFile(ctx, mustgather.ManifestFile, manifest)
	b.closed.Store(true)
	if cerr := b.sink.close(); err == nil {
		err = cerr
	}
	if b.spool != "" {
		if rerr := os.RemoveAll(b.spool); err == nil && rerr != nil {
			err = fmt.Errorf("remove spool directory: %w", rerr)
		}
	}
	return b.final, err
}

// Abort drops everything written.
func (b *Bundle) Abort() {
	b.closed.Store(true)
	b.sink.abort()
	if b.spool != "" {
		_ = os.RemoveAll(b.spool)
	}
}

// writeNew creates a new file (and its directories) holding data.
func writeNew(full string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(full), dirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// hashCopy copies src to dst and returns the hex sha256 of what it copied.
func hashCopy(dst io.Writer, src io.Reader, h hash.Hash) (int64, error) {
	h.Reset()
	buf := make([]byte, 256<<10)
	return io.CopyBuffer(io.MultiWriter(dst, h), src, buf)
}

// newSemaphore is split out so tests can see the budget.
func newSemaphore() *semaphore.Weighted { return semaphore.NewWeighted(memBudget) }
