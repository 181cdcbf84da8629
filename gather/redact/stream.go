package redact

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
)

// maxLine bounds the memory one stream may hold: a longer "line" is cut at
// the last blank or punctuation before the bound (or at the bound) and
// filtered in pieces. Logs with megabyte lines are rare; they stay correct
// except for a secret straddling such a cut.
const maxLine = 1 << 20

// Writer filters text line by line on its way to an underlying writer. It
// buffers at most one incomplete line (up to 1 MiB) plus a small output
// buffer, so a log of any size streams through in constant memory. Runs of
// lines without any trigger word are written through in bulk. Close flushes
// the last, unterminated line; it does not close the underlying writer.
type Writer struct {
	r     *Redactor
	out   *bufio.Writer
	buf   []byte // the current incomplete line
	inPEM bool
	err   error
}

// outBuffers recycles the 64 KiB output buffers: a gather opens thousands
// of short-lived writers.
var outBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// NewWriter returns a filtering writer in front of w.
func (r *Redactor) NewWriter(w io.Writer) *Writer {
	out := outBuffers.Get().(*bufio.Writer)
	out.Reset(w)
	return &Writer{r: r, out: out}
}

// Write filters p. It reports len(p) on success whatever the filtered size.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	if len(w.buf) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			w.cutLongLine()
			return n, w.err
		}
		w.buf = append(w.buf, p[:i+1]...)
		w.emitLine(w.buf)
		w.buf = w.buf[:0]
		p = p[i+1:]
	}
	end := bytes.LastIndexByte(p, '\n') + 1
	w.region(p[:end])
	w.buf = append(w.buf, p[end:]...)
	w.cutLongLine()
	if cap(w.buf) > 2*maxLine && len(w.buf) < maxLine/2 {
		w.buf = append([]byte(nil), w.buf...)
	}
	return n, w.err
}

// region filters whole lines: clean stretches go out untouched, lines where
// the trigger fires take the slow path.
func (w *Writer) region(p []byte) {
	if !w.inPEM && w.r.trig.clean(p) {
		w.write(p)
		return
	}
	for len(p) > 0 && w.err == nil {
		if w.inPEM {
			i := bytes.IndexByte(p, '\n')
			w.emitLine(p[:i+1])
			p = p[i+1:]
			continue
		}
		k := w.r.trig.find(p)
		if k < 0 {
			w.write(p)
			return
		}
		start := bytes.LastIndexByte(p[:k], '\n') + 1
		end := k + bytes.IndexByte(p[k-1:], '\n')
		if end < k {
			end = len(p)
		}
		w.write(p[:start])
		w.emitLine(p[start:end])
		p = p[end:]
	}
}

// cutLongLine filters and writes the head of an overlong pending line,
// keeping the tail after the last separator for what comes next.
func (w *Writer) cutLongLine() {
	for len(w.buf) >= maxLine {
		cut := cutPoint(w.buf[:maxLine])
		w.emitPiece(w.buf[:cut])
		rest := copy(w.buf, w.buf[cut:])
		w.buf = w.buf[:rest]
	}
}

// cutPoint picks where to cut a piece: after the last separator of its
// final 4 KiB, else at its end.
func cutPoint(b []byte) int {
	tail := len(b) - 4096
	if tail < 0 {
		tail = 0
	}
	if i := bytes.LastIndexAny(b[tail:], " \t,;&"); i >= 0 {
		return tail + i + 1
	}
	return len(b)
}

// emitLine filters one line (with its newline, if any), in pieces when it
// is longer than maxLine.
func (w *Writer) emitLine(line []byte) {
	for len(line) > maxLine {
		cut := cutPoint(line[:maxLine])
		w.emitPiece(line[:cut])
		line = line[cut:]
	}
	w.emitPiece(line)
}

func (w *Writer) emitPiece(line []byte) {
	if w.err != nil {
		return
	}
	if w.inPEM {
		if !bytes.Contains(line, []byte("-----END ")) {
			return
		}
		w.inPEM = false
		w.write([]byte(Mask + "\n"))
	}
	if !w.r.trig.hit(line) {
		w.write(line)
		return
	}
	if bytes.Contains(line, []byte("-----BEGIN ")) && bytes.Contains(line, []byte("PRIVATE KEY-----")) {
		if !bytes.Contains(line, []byte("-----END ")) {
			w.inPEM = true
			w.write(line)
			return
		}
		line = pemBlock.ReplaceAll(line, []byte("-----BEGIN PRIVATE KEY-----"+Mask+"-----END PRIVATE KEY-----"))
	}
	w.write(w.r.line(line))
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	if _, err := w.out.Write(b); err != nil {
		w.err = err
	}
}

// Close filters any unterminated last line and flushes. Closing twice is
// harmless.
func (w *Writer) Close() error {
	if w.out == nil {
		return nil
	}
	if len(w.buf) > 0 {
		w.emitLine(w.buf)
		w.buf = w.buf[:0]
	}
	if w.inPEM {
		w.write([]byte(Mask + "\n"))
		w.inPEM = false
	}
	err := w.err
	if err == nil {
		err = w.out.Flush()
	}
	w.out.Reset(nil)
	outBuffers.Put(w.out)
	w.out = nil
	if err == nil {
		err = errClosed
	}
	w.err = err
	if errors.Is(err, errClosed) {
		return nil
	}
	return err
}

// errClosed makes writes after Close fail.
var errClosed = errors.New("redact: write after Close")
