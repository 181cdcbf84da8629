package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// MaxLineBytes caps one log line; the rest of a longer line is dropped and
// counted, so that a runaway line cannot grow memory.
const MaxLineBytes = 16 << 10

// lineReader splits a kubelet log response (timestamps=true) into lines.
type lineReader struct {
	br *bufio.Reader
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, MaxLineBytes)}
}

// next returns the next line's timestamp (zero if it has none) and text. The
// error is io.EOF at a clean end; a last line without newline is returned
// first.
func (lr *lineReader) next() (time.Time, string, error) {
	raw, err := lr.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		kept := validPrefix(raw)
		text := string(kept)
		dropped, derr := lr.discardLine()
		ts, msg := splitTimestamp(text)
		return ts, fmt.Sprintf("%s … [%d bytes cut]", msg, dropped+len(raw)-len(kept)), derr
	case err != nil && len(raw) == 0:
		return time.Time{}, "", err
	}
	n := len(raw)
	if n > 0 && raw[n-1] == '\n' {
		n--
		if n > 0 && raw[n-1] == '\r' {
			n--
		}
	}
	ts, msg := splitTimestamp(string(raw[:n]))
	if errors.Is(err, io.EOF) {
		err = nil // the unterminated last line; EOF comes with the next call
	}
	return ts, msg, err
}

// discardLine skips the rest of an over-long line and returns how many bytes
// it dropped (not counting the newline).
func (lr *lineReader) discardLine() (int, error) {
	total := 0
	for {
		raw, err := lr.br.ReadSlice('\n')
		total += len(raw)
		if !errors.Is(err, bufio.ErrBufferFull) {
			if len(raw) > 0 && raw[len(raw)-1] == '\n' {
				total--
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return total, err
		}
	}
}

// validPrefix drops a UTF-8 sequence cut at the end of b.
func validPrefix(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// splitTimestamp separates the RFC 3339 timestamp the kubelet puts in front
// of each line (timestamps=true). A line without one comes back whole with
// the zero time.
func splitTimestamp(line string) (time.Time, string) {
	// Shortest form: 2006-01-02T15:04:05Z
	if len(line) < 21 || line[4] != '-' || line[10] != 'T' {
		return time.Time{}, line
	}
	sp := -1
	for i := 19; i < len(line) && i < 40; i++ {
		if line[i] == ' ' {
			sp = i
			break
		}
	}
	if sp < 0 {
		return time.Time{}, line
	}
	ts, err := time.Parse(time.RFC3339Nano, line[:sp])
	if err != nil {
		return time.Time{}, line
	}
	return ts, line[sp+1:]
}

// resumePoint remembers where a stream stopped so that a new request for
// the same container (after a reconnect, or the live part after a --tail
// backlog) starts after the last line already delivered. The API's sinceTime
// has one-second precision, so lines at or after the truncated time come
// again: those before last are dropped, and of those stamped exactly last,
// as many as were already seen.
type resumePoint struct {
	last time.Time
	seen int // lines delivered with timestamp == last
}

// record notes a delivered line.
func (r *resumePoint) record(ts time.Time) {
	if ts.IsZero() {
		return
	}
	if ts.Equal(r.last) {
		r.seen++
		return
	}
	r.last, r.seen = ts, 1
}

// skipper returns a filter for the lines of a resumed request: it reports
// whether a line was already delivered.
func (r resumePoint) skipper() func(time.Time) bool {
	if r.last.IsZero() {
		return func(time.Time) bool { return false }
	}
	dup := r.seen
	return func(ts time.Time) bool {
		switch {
		case ts.IsZero():
			return false
		case ts.Before(r.last):
			return true
		case ts.Equal(r.last) && dup > 0:
			dup--
			return true
		}
		return false
	}
}
