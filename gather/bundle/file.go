package bundle

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// File is a bundle file being streamed. It is not safe for concurrent use.
type File struct {
	b    *Bundle
	path string
	max  int64
	h    hash.Hash

	out  *os.File  // directory mode: the final file
	z    *zstream  // archive mode: compressed as it is written
	segs *segments // --max-log-bytes: the kept tail, once past the cap

	written    int64
	incomplete bool
	err        error
	done       bool
}

// Write appends p to the file.
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.done {
		return 0, errors.New("write to a closed bundle file")
	}
	var n int
	var err error
	if f.z != nil && f.max > 0 && f.written+int64(len(p)) > f.max {
		err = f.toSegments()
	}
	switch {
	case err != nil:
	case f.segs != nil:
		n, err = f.segs.write(p, f.max)
	case f.out != nil:
		n, err = f.out.Write(p)
	default:
		n, err = f.z.Write(p)
	}
	f.h.Write(p[:n])
	f.written += int64(n)
	f.b.nbytes.Add(int64(n))
	if err != nil {
		f.err = fmt.Errorf("write %s: %w", f.path, err)
		return n, f.err
	}
	return n, nil
}

// toSegments moves a capped file that outgrows its cap from compression
// as written to the tail segments, replaying what was compressed so far
// (a one-off cost, only for logs bigger than --max-log-bytes).
func (f *File) toSegments() error {
	z := f.z
	f.z = nil
	f.segs = &segments{dir: f.b.spool}
	return z.replay(segmentWriter{f.segs, f.max})
}

// segmentWriter writes to segments under a cap.
type segmentWriter struct {
	s   *segments
	max int64
}

func (w segmentWriter) Write(p []byte) (int, error) { return w.s.write(p, w.max) }

// Written is the number of bytes received so far (before any truncation).
func (f *File) Written() int64 { return f.written }

// MarkIncomplete flags the file as cut short (an error or a timeout ended
// the stream): the manifest lists it as truncated.
func (f *File) MarkIncomplete() { f.incomplete = true }

// Close commits the file to the bundle.
func (f *File) Close(ctx context.Context) error {
	if f.done {
		return nil
	}
	f.done = true
	if f.err != nil {
		f.drop()
		return f.err
	}
	rec := mustgather.File{Path: f.path, Truncated: f.incomplete}
	switch {
	case f.out != nil:
		if err := f.out.Close(); err != nil {
			return fmt.Errorf("close %s: %w", f.path, err)
		}
		rec.Size, rec.SHA256 = f.written, hex.EncodeToString(f.h.Sum(nil))
		f.b.record(rec)
		return nil
	case f.z != nil:
		rec.Size, rec.SHA256 = f.written, hex.EncodeToString(f.h.Sum(nil))
		m, err := f.z.finish(f.written)
		f.z = nil
		if err != nil {
			return fmt.Errorf("compress %s: %w", f.path, err)
		}
		return f.put(ctx, rec, m)
	}
	return f.closeTail(ctx, rec)
}

// closeTail commits the kept tail of a size-capped file.
func (f *File) closeTail(ctx context.Context, rec mustgather.File) error {
	parts, err := f.segs.kept()
	if err != nil {
		f.segs.discard()
		return fmt.Errorf("%s: %w", f.path, err)
	}
	rec.Size = sizeOf(parts)
	if f.segs.rotated {
		rec.Truncated, rec.OriginalSize = true, f.written
		if _, err := hashCopy(io.Discard, partsReader(parts), f.h); err != nil {
			f.segs.discard()
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	rec.SHA256 = hex.EncodeToString(f.h.Sum(nil))
	if root, direct := f.b.sink.direct(); direct {
		defer f.segs.discard()
		if err := writeNewFrom(filepath.Join(root, filepath.FromSlash(f.path)), partsReader(parts)); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		f.b.record(rec)
		return nil
	}
	defer f.segs.discard()
	return f.commit(ctx, rec, parts)
}

// commit compresses the spooled content into a gzip member and hands it to
// the archive; the raw spool can go once this returns.
func (f *File) commit(ctx context.Context, rec mustgather.File, parts []part) error {
	m, err := f.b.compress(f.path, partsReader(parts), rec.Size)
	if err != nil {
		return err
	}
	return f.put(ctx, rec, m)
}

// put hands a compressed file to the archive and records it.
func (f *File) put(ctx context.Context, rec mustgather.File, m *member) error {
	if err := f.b.sink.put(ctx, memberEntry(rec, m)); err != nil {
		return err
	}
	f.b.record(rec)
	return nil
}

// Abort drops the file. Its path stays claimed: nothing else may take it.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.drop()
}

func (f *File) drop() {
	switch {
	case f.out != nil:
		_ = f.out.Close()
		_ = os.Remove(f.out.Name())
	case f.z != nil:
		f.z.discard()
	case f.segs != nil:
		f.segs.discard()
	}
}

// segments keep the last max bytes of a stream in two files used in turn:
// when the current one is full, the other is emptied and becomes current.
// Disk use is bounded by 2*max whatever the stream length.
type segments struct {
	dir        string
	cur, old   *os.File
	curN, oldN int64
	rotated    bool
}

func (s *segments) write(p []byte, max int64) (int, error) {
	total := 0
	for len(p) > 0 {
		if s.cur == nil {
			f, err := os.CreateTemp(s.dir, ".seg-")
			if err != nil {
				return total, err
			}
			s.cur = f
		}
		room := max - s.curN
		if room == 0 {
			if err := s.rotate(); err != nil {
				return total, err
			}
			continue
		}
		n := int64(len(p))
		if n > room {
			n = room
		}
		w, err := s.cur.Write(p[:n])
		total += w
		s.curN += int64(w)
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

func (s *segments) rotate() error {
	s.old, s.cur = s.cur, s.old
	s.oldN, s.curN = s.curN, 0
	s.rotated = true
	if s.cur == nil {
		f, err := os.CreateTemp(s.dir, ".seg-")
		if err != nil {
			return err
		}
		s.cur = f
		return nil
	}
	if err := s.cur.Truncate(0); err != nil {
		return err
	}
	_, err := s.cur.Seek(0, io.SeekStart)
	return err
}

// kept returns the parts holding the last max bytes. After a rotation the
// window is moved to the first line start inside it, so a truncated log
// never begins mid-line.
func (s *segments) kept() ([]part, error) {
	if s.cur == nil {
		return nil, nil
	}
	if !s.rotated {
		return []part{{f: s.cur, n: s.curN}}, nil
	}
	need := s.oldN - s.curN // bytes of the old segment still in the window
	off := s.oldN - need
	parts := []part{{f: s.old, off: off, n: need}, {f: s.cur, n: s.curN}}
	// The byte before the window tells whether it already starts a line.
	var before []byte
	switch {
	case need > 0 && off > 0:
		before = make([]byte, 1)
		if _, err := s.old.ReadAt(before, off-1); err != nil {
			return nil, err
		}
	case need == 0 && s.oldN > 0:
		before = make([]byte, 1)
		if _, err := s.old.ReadAt(before, s.oldN-1); err != nil {
			return nil, err
		}
	}
	if len(before) == 1 && before[0] == '\n' {
		return parts, nil
	}
	for i, p := range parts {
		at, err := firstLineBreak(p.f, p.off, p.n)
		if err != nil {
			return nil, err
		}
		if at >= 0 {
			rest := parts[i:]
			rest[0].off += at + 1
			rest[0].n -= at + 1
			return rest, nil
		}
	}
	return parts, nil // one endless line: keep the raw tail
}

// firstLineBreak finds the first '\n' in f[off:off+n], -1 if none.
func firstLineBreak(f *os.File, off, n int64) (int64, error) {
	buf := make([]byte, 64<<10)
	var pos int64
	for pos < n {
		chunk := buf[:min(int64(len(buf)), n-pos)]
		m, err := f.ReadAt(chunk, off+pos)
		if i := bytes.IndexByte(chunk[:m], '\n'); i >= 0 {
			return pos + int64(i), nil
		}
		pos += int64(m)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return -1, err
		}
	}
	return -1, nil
}

func (s *segments) discard() {
	for _, f := range []*os.File{s.cur, s.old} {
		if f != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}
	s.cur, s.old = nil, nil
}

// part is a byte range of a spool file.
type part struct {
	f      *os.File
	off, n int64
}

func sizeOf(parts []part) int64 {
	var n int64
	for _, p := range parts {
		n += p.n
	}
	return n
}

func partsReader(parts []part) io.Reader {
	rs := make([]io.Reader, 0, len(parts))
	for _, p := range parts {
		rs = append(rs, io.NewSectionReader(p.f, p.off, p.n))
	}
	return io.MultiReader(rs...)
}

// writeNewFrom creates a new file holding what src yields.
func writeNewFrom(full string, src io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(full), dirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(f, src, make([]byte, 256<<10)); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
