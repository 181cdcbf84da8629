package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/semaphore"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// entry is a finished file on its way into the archive: small files as
// bytes (compressed by the archive goroutine), streamed ones as a gzip
// member already compressed by the goroutine that produced them.
type entry struct {
	file mustgather.File
	data []byte
	// member holds one complete gzip member: the file's content and its
	// tar padding.
	member *member
	// budget says data (or an in-memory member) must be counted against
	// the sink's memory budget.
	budget  bool
	cleanup func()
}

// memberEntry is the entry of a compressed file; a member still in memory
// counts against the budget while it waits.
func memberEntry(f mustgather.File, m *member) *entry {
	return &entry{file: f, member: m, budget: m.f == nil, cleanup: m.discard}
}

// queued is what an entry holds in memory while it waits.
func (e *entry) queued() int64 {
	if e.member != nil {
		return int64(len(e.member.mem))
	}
	return int64(len(e.data))
}

// tarSink appends entries to <name>.tar.gz from one goroutine, so the
// archive is written in order while collectors keep downloading. The
// archive is a sequence of gzip members (RFC 1952 allows it; gzip, tar,
// Go and Python read it as one stream): headers and small files go through
// the sink's own compressor, and each streamed file arrives as a member of
// its own, compressed in parallel by its producer, so the one goroutine
// that writes the archive never becomes the bottleneck of a gather.
type tarSink struct {
	out    *os.File
	bw     *bufio.Writer
	gz     *gzip.Writer
	prefix string
	mtime  time.Time

	ch   chan *entry
	done chan struct{}
	mem  *semaphore.Weighted

	mu   sync.Mutex
	err  error
	dirs map[string]bool
	hdr  bytes.Buffer
}

func newTarSink(file, prefix string, level int) (*tarSink, error) {
	out, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	gz, err := gzip.NewWriterLevel(bw, gzipLevel(level))
	if err != nil {
		_ = out.Close()
		_ = os.Remove(file)
		return nil, err
	}
	s := &tarSink{
		out: out, bw: bw, gz: gz, prefix: prefix, mtime: time.Now(),
		ch: make(chan *entry, queueLen), done: make(chan struct{}), mem: newSemaphore(),
		dirs: map[string]bool{},
	}
	go s.run()
	return s, nil
}

func gzipLevel(level int) int {
	if level == 0 {
		return gzip.BestSpeed
	}
	return level
}

func (s *tarSink) direct() (string, bool) { return "", false }

func (s *tarSink) put(ctx context.Context, e *entry) error {
	if e.budget {
		if err := s.mem.Acquire(ctx, e.queued()); err != nil {
			e.drop()
			return fmt.Errorf("queue %s: %w", e.file.Path, err)
		}
	}
	select {
	case s.ch <- e:
		return nil
	case <-ctx.Done():
		s.release(e)
		return fmt.Errorf("queue %s: %w", e.file.Path, ctx.Err())
	}
}

func (s *tarSink) release(e *entry) {
	if e.budget {
		s.mem.Release(e.queued())
	}
	e.drop()
}

func (e *entry) drop() {
	if e.cleanup != nil {
		e.cleanup()
	}
}

// run writes entries until the channel closes. After an error it keeps
// draining (dropping entries) so producers never block on a dead archive.
func (s *tarSink) run() {
	defer close(s.done)
	buf := make([]byte, 256<<10)
	for e := range s.ch {
		if s.failed() == nil {
			if err := s.write(e, buf); err != nil {
				s.mu.Lock()
				s.err = fmt.Errorf("write %s to archive: %w", e.file.Path, err)
				s.mu.Unlock()
			}
		}
		s.release(e)
	}
}

func (s *tarSink) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *tarSink) write(e *entry, buf []byte) error {
	if err := s.mkdirs(path.Dir(e.file.Path)); err != nil {
		return err
	}
	if err := s.header(&tar.Header{
		Typeflag: tar.TypeReg, Name: s.prefix + "/" + e.file.Path, Mode: fileMode,
		Size: e.file.Size, ModTime: s.mtime,
	}); err != nil {
		return err
	}
	if e.member == nil {
		if _, err := s.gz.Write(e.data); err != nil {
			return err
		}
		_, err := s.gz.Write(zeroBlock[:padding(int64(len(e.data)))])
		return err
	}
	// End the current member, splice the producer's, start a new one.
	if err := s.gz.Close(); err != nil {
		return err
	}
	n, err := io.CopyBuffer(s.bw, e.member.reader(), buf)
	if err == nil && n != e.member.n {
		err = fmt.Errorf("spool holds %d compressed bytes, expected %d", n, e.member.n)
	}
	s.gz.Reset(s.bw)
	return err
}

// header writes the tar header of one entry (with a PAX record first when
// the name needs one) through the sink's compressor.
func (s *tarSink) header(h *tar.Header) error {
	s.hdr.Reset()
	// A throwaway tar.Writer encodes the header; it is never closed, as
	// the entry's content does not go through it.
	if err := tar.NewWriter(&s.hdr).WriteHeader(h); err != nil {
		return err
	}
	_, err := s.gz.Write(s.hdr.Bytes())
	return err
}

// zeroBlock pads entries to the tar block size and ends the archive.
var zeroBlock [2 * tarBlock]byte

const tarBlock = 512

// padding is the number of zero bytes after size bytes of content.
func padding(size int64) int64 { return -size & (tarBlock - 1) }

// mkdirs writes a 0700 directory entry for dir and each missing parent,
// so that extracting the archive recreates private directories.
func (s *tarSink) mkdirs(dir string) error {
	if dir == "." || dir == "" {
		dir = ""
	}
	if s.dirs[dir] {
		return nil
	}
	if dir != "" {
		if err := s.mkdirs(path.Dir(dir)); err != nil {
			return err
		}
	}
	name := s.prefix + "/"
	if dir != "" {
		name += dir + "/"
	}
	s.dirs[dir] = true
	return s.header(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: dirMode, ModTime: s.mtime})
}

func (s *tarSink) close() error {
	close(s.ch)
	<-s.done
	err := s.failed()
	endArchive := func() error { _, err := s.gz.Write(zeroBlock[:]); return err }
	for _, c := range []func() error{endArchive, s.gz.Close, s.bw.Flush, s.out.Sync, s.out.Close} {
		if cerr := c(); err == nil && cerr != nil {
			err = fmt.Errorf("finish archive: %w", cerr)
		}
	}
	return err
}

func (s *tarSink) abort() {
	close(s.ch)
	<-s.done
	_ = s.out.Close()
	_ = os.Remove(s.out.Name())
}

// dirSink writes files in place (--no-archive).
type dirSink struct{ root string }

func (d *dirSink) direct() (string, bool) { return d.root, true }

func (d *dirSink) put(_ context.Context, e *entry) error {
	e.drop()
	return fmt.Errorf("internal: %s queued in directory mode", e.file.Path)
}

func (d *dirSink) close() error { return nil }

func (d *dirSink) abort() { _ = os.RemoveAll(d.root) }
