package bundle

import (
	"archive/tar"
	"bufio"
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
// bytes, streamed ones as spool file ranges.
type entry struct {
	file  mustgather.File
	data  []byte
	parts []part
	// budget says data must be counted against the sink's memory budget
	// (small files); streamed files held in memory are counted by the bundle.
	budget  bool
	cleanup func()
}

// tarSink appends entries to <name>.tar.gz from one goroutine, so the
// gzip stream is written in order while collectors keep downloading.
type tarSink struct {
	out    *os.File
	bw     *bufio.Writer
	gz     *gzip.Writer
	tw     *tar.Writer
	prefix string
	mtime  time.Time

	ch   chan *entry
	done chan struct{}
	mem  *semaphore.Weighted

	mu   sync.Mutex
	err  error
	dirs map[string]bool
}

func newTarSink(file, prefix string, level int) (*tarSink, error) {
	out, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}
	if level == 0 {
		level = gzip.BestSpeed
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	gz, err := gzip.NewWriterLevel(bw, level)
	if err != nil {
		_ = out.Close()
		_ = os.Remove(file)
		return nil, err
	}
	s := &tarSink{
		out: out, bw: bw, gz: gz, tw: tar.NewWriter(gz), prefix: prefix, mtime: time.Now(),
		ch: make(chan *entry, queueLen), done: make(chan struct{}), mem: newSemaphore(),
		dirs: map[string]bool{},
	}
	go s.run()
	return s, nil
}

func (s *tarSink) direct() (string, bool) { return "", false }

func (s *tarSink) put(ctx context.Context, e *entry) error {
	if e.budget {
		if err := s.mem.Acquire(ctx, int64(len(e.data))); err != nil {
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
		s.mem.Release(int64(len(e.data)))
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
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: s.prefix + "/" + e.file.Path, Mode: fileMode,
		Size: e.file.Size, ModTime: s.mtime,
	}
	if err := s.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if e.data != nil {
		_, err := s.tw.Write(e.data)
		return err
	}
	n, err := io.CopyBuffer(s.tw, partsReader(e.parts), buf)
	if err == nil && n != e.file.Size {
		err = fmt.Errorf("spool holds %d bytes, expected %d", n, e.file.Size)
	}
	return err
}

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
	return s.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: dirMode, ModTime: s.mtime})
}

func (s *tarSink) close() error {
	close(s.ch)
	<-s.done
	err := s.failed()
	for _, c := range []func() error{s.tw.Close, s.gz.Close, s.bw.Flush, s.out.Sync, s.out.Close} {
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
