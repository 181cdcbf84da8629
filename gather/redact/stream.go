package redact

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"sync"
)

// maxLine bounds the memory one stream may hold: a longer "line" is cut at
// the last blank or punctuation before the bound (or at the bound) and
// filtered in pieces. Logs with megabyte lines are rare; they stay correct
// except for a secret straddling such a cut (cuts avoid private key markers).
const maxLine = 1 << 20

// Writer filters text line by line on its way to an underlying writer. It
// buffers at most one incomplete line (up to 1 MiB) plus a small output
// buffer, so a log of any size streams through in constant memory. Runs of
// lines without any trigger word are written through in bulk. Close flushes
// the last, unterminated line; it does not close the underlying writer.
//
// A PEM private key spanning lines is blanked as it streams by, without
// holding it: the BEGIN marker is kept and the rest of its line masked, the
// lines up to the END marker are replaced by one mask line, and on the END
// line whatever precedes the marker is masked. Text before BEGIN and after
// END on the same lines goes through the ordinary line rules.
type Writer struct {
	r   *Redactor
	out *bufio.Writer
	buf []byte // the current incomplete line
	pem pemKey
	err error
}

// pemState says where the Writer stands with respect to a private key.
type pemState uint8

const (
	pemNone pemState = iota // outside any key
	pemOpen                 // on the BEGIN line, past its marker
	pemBody                 // on a line after the BEGIN line
)

// pemKey is the little the Writer remembers about the private key it is
// inside: no key material, only blanks to indent the mask line with, so
// that a key in a YAML block scalar (`key: |`) still parses once masked.
type pemKey struct {
	state  pemState
	masked bool   // pemOpen: a Mask already stands for the rest of the BEGIN line
	crlf   bool   // the BEGIN line ended with \r\n
	found  bool   // indent comes from a line after BEGIN
	indent []byte // for the mask line: leading blanks of the first non-blank line after BEGIN
	lead   []byte // pemBody: leading blanks of the current line so far
	filled bool   // pemBody: the current line holds more than blanks
}

// maxIndent bounds the indentation remembered for the mask line.
const maxIndent = 1024

var (
	pemBeginMark = []byte("-----BEGIN ")
	pemEndMark   = []byte("-----END ")
	// pemOpener is the BEGIN marker of a private key, as pemBlock has it.
	pemOpener = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----`)
	// oneLineKey replaces a key whose BEGIN and END share a line.
	oneLineKey = []byte("-----BEGIN PRIVATE KEY-----" + Mask + "-----END PRIVATE KEY-----")
)

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
	if w.pem.state == pemNone && w.r.trig.clean(p) {
		w.write(p)
		return
	}
	for len(p) > 0 && w.err == nil {
		if w.pem.state != pemNone {
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
// final 4 KiB, else at its end; but never inside a private key marker.
func cutPoint(b []byte) int {
	tail := len(b) - 4096
	if tail < 0 {
		tail = 0
	}
	cut := len(b)
	if i := bytes.LastIndexAny(b[tail:], " \t,;&"); i >= 0 {
		cut = tail + i + 1
	}
	return beforeMarker(b, cut)
}

// beforeMarker moves a cut back to the start of a BEGIN marker it would
// split (the marker holds blanks, where cuts are made): the key after the
// marker would otherwise go out as plain text. A cut splitting "-----END "
// is moved back too, lest the key run on past its end.
func beforeMarker(b []byte, cut int) int {
	from := max(0, cut-80) // longer than any private key marker
	w := b[from:cut]
	if i := bytes.LastIndex(w, pemBeginMark); i >= 0 && !bytes.Contains(w[i+len(pemBeginMark):], []byte("-----")) {
		if from+i > 0 {
			return from + i
		}
		return cut
	}
	for _, m := range [][]byte{pemBeginMark, pemEndMark} {
		for k := len(m) - 1; k > 0; k-- {
			if bytes.HasSuffix(w, m[:k]) && cut-k > 0 {
				return cut - k
			}
		}
	}
	return cut
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

// emitPiece filters one line or, for a line longer than maxLine, one piece
// of it. A piece may hold several private keys and stretches of text
// between them; each step below consumes a stretch and says what is left.
func (w *Writer) emitPiece(p []byte) {
	for len(p) > 0 && w.err == nil {
		switch w.pem.state {
		case pemNone:
			p = w.plain(p)
		case pemOpen:
			p = w.beginRest(p)
		default:
			p = w.body(p)
		}
	}
}

// plain filters text outside any key up to the first BEGIN marker of a
// private key, writes the marker and returns what follows it. Keys whose
// BEGIN and END share the line are first replaced whole, as String does.
func (w *Writer) plain(p []byte) []byte {
	if !w.r.trig.hit(p) {
		w.write(p)
		return nil
	}
	if bytes.Contains(p, pemBeginMark) {
		p = pemBlock.ReplaceAll(p, oneLineKey)
		if loc := pemOpener.FindIndex(p); loc != nil {
			w.filter(p[:loc[0]])
			w.write(p[loc[0]:loc[1]])
			w.open(p[:loc[0]])
			return p[loc[1]:]
		}
	}
	w.write(w.r.line(p))
	return nil
}

// filter writes text that may hold a trigger through the line rules.
func (w *Writer) filter(b []byte) {
	if w.r.trig.hit(b) {
		b = w.r.line(b)
	}
	w.write(b)
}

// open enters a key. Until a line after BEGIN says otherwise, the mask line
// is indented like the BEGIN line (head is what precedes the marker).
func (w *Writer) open(head []byte) {
	k := leadingBlanks(head)
	w.pem = pemKey{state: pemOpen, indent: append(w.pem.indent[:0], head[:min(k, maxIndent)]...), lead: w.pem.lead[:0]}
}

// beginRest masks the rest of the BEGIN line: key material glued to the
// marker, or a JSON/YAML string holding the key with escaped newlines.
// Blanks are kept, and one Mask stands for everything else.
func (w *Writer) beginRest(p []byte) []byte {
	end, nl := bytes.Index(p, pemEndMark), bytes.IndexByte(p, '\n')
	if end >= 0 && (nl < 0 || end < nl) { // the key closes on its BEGIN line
		w.maskRest(p[:end])
		return w.close(p[end:])
	}
	if nl < 0 {
		w.maskRest(p)
		return nil
	}
	text := p[:nl]
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text, w.pem.crlf = text[:n-1], true
	}
	w.maskRest(text)
	w.write(p[len(text) : nl+1])
	w.pem.state = pemBody
	return p[nl+1:]
}

// maskRest writes b, a stretch of the BEGIN line after its marker, as is
// when it is blank, else as the line's one Mask.
func (w *Writer) maskRest(b []byte) {
	switch {
	case w.pem.masked:
	case hasContent(b):
		w.writeString(Mask)
		w.pem.masked = true
	default:
		w.write(b)
	}
}

// body drops the lines after BEGIN up to the END marker, remembering only
// leading blanks. At END it writes the mask line, then the END line with
// whatever precedes the marker masked.
func (w *Writer) body(p []byte) []byte {
	end, nl := bytes.Index(p, pemEndMark), bytes.IndexByte(p, '\n')
	if end >= 0 && (nl < 0 || end < nl) {
		w.note(p[:end])
		k := &w.pem
		if !k.found {
			k.indent = append(k.indent[:0], k.lead...)
		}
		w.write(k.indent)
		w.maskLine()
		w.write(k.lead)
		if k.filled {
			w.writeString(Mask)
		}
		return w.close(p[end:])
	}
	if nl < 0 {
		w.note(p)
		return nil
	}
	w.note(p[:nl])
	w.pem.lead, w.pem.filled = w.pem.lead[:0], false
	return p[nl+1:]
}

// note records the leading blanks of the current line inside a key; those
// of the first line holding more than blanks become the mask line's indent.
func (w *Writer) note(b []byte) {
	k := &w.pem
	if k.filled {
		return
	}
	n := leadingBlanks(b)
	if room := maxIndent - len(k.lead); room > 0 {
		k.lead = append(k.lead, b[:min(n, room)]...)
	}
	if hasContent(b[n:]) {
		k.filled = true
		if !k.found {
			k.indent, k.found = append(k.indent[:0], k.lead...), true
		}
	}
}

// maskLine writes the line that stands for a key's body.
func (w *Writer) maskLine() {
	if w.pem.crlf {
		w.writeString(Mask + "\r\n")
		return
	}
	w.writeString(Mask + "\n")
}

// close writes the END marker at the start of p, leaves the key and returns
// what follows the marker, to be filtered like any text.
func (w *Writer) close(p []byte) []byte {
	n := len(pemEndMark)
	j := n
	for j < len(p) && (p[j] >= 'A' && p[j] <= 'Z' || p[j] >= '0' && p[j] <= '9' || p[j] == ' ') {
		j++
	}
	if bytes.HasPrefix(p[j:], []byte("-----")) {
		n = j + len("-----")
	}
	w.write(p[:n])
	w.pem.state = pemNone
	return p[n:]
}

func leadingBlanks(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	return n
}

// hasContent reports whether b holds anything but blanks and carriage
// returns.
func hasContent(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return true
		}
	}
	return false
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	if _, err := w.out.Write(b); err != nil {
		w.err = err
	}
}

func (w *Writer) writeString(s string) {
	if w.err != nil {
		return
	}
	if _, err := w.out.WriteString(s); err != nil {
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
	if w.pem.state == pemBody { // a key without END: masked to the end
		w.write(w.pem.indent)
		w.maskLine()
	}
	w.pem.state = pemNone
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
