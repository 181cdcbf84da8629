package kubelet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"
)

// logOptions are the /containerLogs query parameters the kubelet honours.
type logOptions struct {
	tailLines  int64 // -1: all
	since      time.Time
	timestamps bool
	limitBytes int64 // 0: unlimited
	follow     bool
	previous   bool
}

func parseLogOptions(q url.Values, now time.Time) (logOptions, error) {
	o := logOptions{tailLines: -1}
	var err error
	if o.follow, err = boolParam(q, "follow"); err != nil {
		return o, err
	}
	if o.previous, err = boolParam(q, "previous"); err != nil {
		return o, err
	}
	if o.timestamps, err = boolParam(q, "timestamps"); err != nil {
		return o, err
	}
	if v := q.Get("tailLines"); v != "" {
		if o.tailLines, err = strconv.ParseInt(v, 10, 64); err != nil || o.tailLines < 0 {
			return o, fmt.Errorf("invalid tailLines %q", v)
		}
	}
	if v := q.Get("limitBytes"); v != "" {
		if o.limitBytes, err = strconv.ParseInt(v, 10, 64); err != nil || o.limitBytes <= 0 {
			return o, fmt.Errorf("invalid limitBytes %q", v)
		}
	}
	if v := q.Get("sinceSeconds"); v != "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s <= 0 {
			return o, fmt.Errorf("invalid sinceSeconds %q", v)
		}
		o.since = now.Add(-time.Duration(s) * time.Second)
	}
	if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return o, fmt.Errorf("invalid sinceTime %q: %w", v, err)
		}
		if o.since.IsZero() || t.After(o.since) {
			o.since = t
		}
	}
	return o, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("invalid %s %q", name, v)
	}
	return b, nil
}

// splitLine separates an optional leading RFC3339Nano timestamp (and, if the
// line is in CRI format, the "stdout F " stream/tag pair after it) from the
// message. Lines without a timestamp come back with a zero time. canonical
// says the timestamp token is already written the way the stand-in writes
// timestamps (UTC, RFC3339Nano), so it can be copied instead of formatted.
func splitLine(line []byte) (ts time.Time, msg []byte, canonical bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp < len("2006-01-02T15:04:05Z")-1 {
		return time.Time{}, line, false
	}
	tok := line[:sp]
	ts, canonical, ok := parseUTCStamp(tok)
	if !ok {
		var err error
		if ts, err = time.Parse(time.RFC3339Nano, string(tok)); err != nil {
			return time.Time{}, line, false
		}
	}
	return ts, stripCRI(line[sp+1:]), canonical
}

var criPrefixes = [][]byte{[]byte("stdout F "), []byte("stderr F "), []byte("stdout P "), []byte("stderr P ")}

// stripCRI drops the "stdout F " stream/tag pair of a CRI-format message.
func stripCRI(msg []byte) []byte {
	for _, p := range criPrefixes {
		if bytes.HasPrefix(msg, p) {
			return msg[len(p):]
		}
	}
	return msg
}

// parseUTCStamp reads the common form "2006-01-02T15:04:05[.fraction]Z"
// without time.Parse, whose cost per line dominated serving large logs.
// ok is false for any other form (offsets, odd widths), which the caller
// hands to time.Parse. canonical means RFC3339Nano formatting would give the
// same bytes back (no trailing zeros in the fraction).
func parseUTCStamp(b []byte) (t time.Time, canonical, ok bool) {
	f, nsec, canonical, ok := utcStampFields(b)
	if !ok {
		return time.Time{}, false, false
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nsec, time.UTC), canonical, true
}

// utcStampFields checks the common form and returns its fields; building a
// time.Time from them is left to the callers that need one.
func utcStampFields(b []byte) (f [6]int, nsec int, canonical, ok bool) {
	const base = len("2006-01-02T15:04:05")
	if len(b) < base+1 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return f, 0, false, false
	}
	for i, pos := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n, good := digits(b[pos[0]:pos[1]])
		if !good {
			return f, 0, false, false
		}
		f[i] = n
	}
	canonical = true
	if frac := b[base : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return f, 0, false, false
		}
		n, good := digits(frac[1:])
		if !good {
			return f, 0, false, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			n *= 10
		}
		nsec, canonical = n, frac[len(frac)-1] != '0'
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return f, 0, false, false
	}
	return f, nsec, canonical, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// HasTimestamp reports whether a stored log line already starts with an
// RFC3339Nano timestamp.
func HasTimestamp(line string) bool {
	ts, _, _ := splitLine([]byte(line))
	return !ts.IsZero()
}

// tailOffset returns the offset where the last n lines of a file of the given
// size begin, reading backwards in blocks so large logs are never held whole.
func tailOffset(r io.ReaderAt, size, n int64) (int64, error) {
	if n < 0 {
		return 0, nil
	}
	if n == 0 {
		return size, nil
	}
	const block = 32 << 10
	buf := make([]byte, block)
	end := size
	// A final newline terminates the last line; it does not start a new one.
	if size > 0 {
		last := make([]byte, 1)
		if _, err := r.ReadAt(last, size-1); err != nil {
			return 0, err
		}
		if last[0] == '\n' {
			end = size - 1
		}
	}
	var seen int64
	for pos := end; pos > 0; {
		start := max(pos-block, 0)
		chunk := buf[:pos-start]
		if _, err := r.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] == '\n' {
				seen++
				if seen == n {
					return start + int64(i) + 1, nil
				}
			}
		}
		pos = start
	}
	return 0, nil
}

// emitBufSize is how much output the emitter gathers before writing: big
// writes keep the TLS records and syscalls per gigabyte of log few.
const emitBufSize = 64 << 10

// lineEmitter writes filtered, formatted log lines and enforces limitBytes.
// Output is buffered: flush sends it (the stream flushes at end of file and
// before waiting for appends).
type lineEmitter struct {
	w         io.Writer
	opts      logOptions
	buf       []byte
	written   int64
	truncated bool
	// sinceSec is opts.since as "2006-01-02T15:04:05" in UTC.
	sinceSec []byte
}

// emit adds one complete line (without its newline). It returns false once
// the byte limit is reached, after which nothing more may be written.
func (e *lineEmitter) emit(line []byte) (bool, error) {
	if e.truncated {
		return false, nil
	}
	if more, done, err := e.fast(line); done {
		return more, err
	}
	ts, msg, canonical := splitLine(line)
	if !e.opts.since.IsZero() && !ts.IsZero() && ts.Before(e.opts.since) {
		return true, nil
	}
	return e.add(line, ts, msg, canonical)
}

// fast handles a line stamped in the common canonical UTC form without
// building a time.Time: against the since limit, the fixed-width seconds
// "2006-01-02T15:04:05" compare correctly as bytes, and only a line in the
// very second of the limit needs the full parse. done is false for any
// other line, which takes the general path.
func (e *lineEmitter) fast(line []byte) (more, done bool, err error) {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return false, false, nil
	}
	if _, _, canonical, ok := utcStampFields(line[:sp]); !ok || !canonical {
		return false, false, nil
	}
	const n = len("2006-01-02T15:04:05")
	if !e.opts.since.IsZero() {
		if e.sinceSec == nil {
			e.sinceSec = e.opts.since.UTC().AppendFormat(nil, "2006-01-02T15:04:05")
		}
		switch bytes.Compare(line[:n], e.sinceSec) {
		case -1:
			return true, true, nil
		case 0:
			return false, false, nil
		}
	}
	more, err = e.add(line, time.Time{}, stripCRI(line[sp+1:]), true)
	return more, true, err
}

// add appends one kept line: its timestamp (copied when canonical) and
// message.
func (e *lineEmitter) add(line []byte, ts time.Time, msg []byte, canonical bool) (bool, error) {
	start := len(e.buf)
	if e.opts.timestamps && (canonical || !ts.IsZero()) {
		if canonical {
			e.buf = append(e.buf, line[:bytes.IndexByte(line, ' ')]...)
		} else {
			e.buf = ts.UTC().AppendFormat(e.buf, time.RFC3339Nano)
		}
		e.buf = append(e.buf, ' ')
	}
	e.buf = append(e.buf, msg...)
	e.buf = append(e.buf, '\n')
	if n := int64(len(e.buf) - start); e.opts.limitBytes > 0 && e.written+n >= e.opts.limitBytes {
		e.buf = e.buf[:start+int(e.opts.limitBytes-e.written)]
		e.truncated = true
	}
	e.written += int64(len(e.buf) - start)
	if len(e.buf) >= emitBufSize || e.truncated {
		if err := e.flush(); err != nil {
			return false, err
		}
	}
	return !e.truncated, nil
}

// flush writes what emit gathered.
func (e *lineEmitter) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := e.w.Write(e.buf)
	e.buf = e.buf[:0]
	return err
}
