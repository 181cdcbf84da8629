package bundle

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sync"

	kgzip "github.com/klauspost/compress/gzip"
)

// memberInMemory is how much compressed output a member keeps in memory
// before it moves to a spool file: a 1 MiB log compresses to well under
// it, so most files never touch the disk before the archive.
const memberInMemory = 1 << 20

// member is one gzip member, complete or being written: the compressed
// content of one file followed by its tar padding, in memory or, past
// memberInMemory, in a spool file.
type member struct {
	dir string
	mem []byte
	f   *os.File
	n   int64
	// bufs recycles mem: thousands of members of ~100 KiB each would
	// otherwise be most of what the garbage collector chases.
	bufs *sync.Pool
}

// memberBufSize is the capacity of a recycled member buffer.
const memberBufSize = 256 << 10

func newMemberBufPool() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]byte, 0, memberBufSize); return &b }}
}

func (m *member) Write(p []byte) (int, error) {
	if m.f == nil && len(m.mem)+len(p) <= memberInMemory {
		if m.mem == nil && m.bufs != nil {
			m.mem = (*m.bufs.Get().(*[]byte))[:0]
		}
		m.mem = append(m.mem, p...)
		m.n += int64(len(p))
		return len(p), nil
	}
	if m.f == nil {
		f, err := os.CreateTemp(m.dir, "z-")
		if err != nil {
			return 0, err
		}
		m.f = f
		if _, err := f.Write(m.mem); err != nil {
			return 0, err
		}
		m.recycle()
	}
	n, err := m.f.Write(p)
	m.n += int64(n)
	return n, err
}

// reader returns the member's bytes.
func (m *member) reader() io.Reader {
	if m.f == nil {
		return bytes.NewReader(m.mem)
	}
	return io.NewSectionReader(m.f, 0, m.n)
}

func (m *member) discard() {
	if m.f != nil {
		_ = m.f.Close()
		_ = os.Remove(m.f.Name())
		m.f = nil
	}
	m.recycle()
}

// recycle returns mem to the pool (a buffer grown past memberBufSize is
// left to the collector, so the pool never pins big buffers).
func (m *member) recycle() {
	if m.mem != nil && m.bufs != nil && cap(m.mem) <= memberBufSize {
		b := m.mem[:0]
		m.bufs.Put(&b)
	}
	m.mem = nil
}

// compressor is a reusable gzip writer: a gather compresses thousands of
// files, each in the goroutine that produced it.
type compressor struct {
	gz  *kgzip.Writer
	buf []byte
}

func newCompressorPool(level int) *sync.Pool {
	return &sync.Pool{New: func() any {
		gz, err := kgzip.NewWriterLevel(nil, gzipLevel(level))
		if err != nil { // only for an invalid level, which Create rejects
			panic(err)
		}
		return &compressor{gz: gz, buf: make([]byte, 128<<10)}
	}}
}

// zstream compresses a file as it is written into a member.
type zstream struct {
	pool *sync.Pool
	zw   *compressor
	m    *member
}

func (b *Bundle) newZstream() *zstream {
	zw := b.compressors.Get().(*compressor)
	m := &member{dir: b.spool, bufs: b.memberBufs}
	zw.gz.Reset(m)
	return &zstream{pool: b.compressors, zw: zw, m: m}
}

func (z *zstream) Write(p []byte) (int, error) { return z.zw.gz.Write(p) }

// finish pads the content of size bytes to the tar block size and ends the
// member; the compressor goes back to the pool.
func (z *zstream) finish(size int64) (*member, error) {
	_, err := z.zw.gz.Write(zeroBlock[:padding(size)])
	if cerr := z.zw.gz.Close(); err == nil {
		err = cerr
	}
	z.release()
	if err != nil {
		z.m.discard()
		return nil, err
	}
	return z.m, nil
}

// release returns the compressor to the pool (once).
func (z *zstream) release() {
	if z.zw != nil {
		z.zw.gz.Reset(io.Discard)
		z.pool.Put(z.zw)
		z.zw = nil
	}
}

func (z *zstream) discard() {
	z.release()
	z.m.discard()
}

// replay ends the member unpadded and copies its uncompressed content to
// w: a capped file that outgrows its cap moves to the tail segments.
func (z *zstream) replay(w io.Writer) error {
	err := z.zw.gz.Close()
	z.release()
	defer z.m.discard()
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(z.m.reader())
	if err != nil {
		return err
	}
	_, err = io.Copy(w, bufio.NewReaderSize(zr, 256<<10))
	return err
}

// compress writes size bytes of src as one member. It runs in the
// producer's goroutine, so files are compressed in parallel.
func (b *Bundle) compress(name string, src io.Reader, size int64) (*member, error) {
	z := b.newZstream()
	n, err := io.CopyBuffer(z, src, z.zw.buf)
	if err == nil && n != size {
		err = fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	if err != nil {
		z.discard()
		return nil, fmt.Errorf("compress %s: %w", name, err)
	}
	m, err := z.finish(size)
	if err != nil {
		return nil, fmt.Errorf("compress %s: %w", name, err)
	}
	return m, nil
}
