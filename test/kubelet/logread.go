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
// message. Lines without a timestamp come back with a zero time.
func splitLine(line []byte) (time.Time, []byte) {
	sp := bytes.IndexByte(line, ' ')
	if sp < len("2006-01-02T15:04:05Z")-1 {
		return time.Time{}, line
	}
	ts, err := time.Parse(time.RFC3339Nano, string(line[:sp]))
	if err != nil {
		return time.Time{}, line
	}
	msg := line[sp+1:]
	for _, p := range [][]byte{[]byte("stdout F "), []byte("stderr F "), []byte("stdout P "), []byte("stderr P ")} {
		if bytes.HasPrefix(msg, p) {
			msg = msg[len(p):]
			break
		}
	}
	return ts, msg
}

// HasTimestamp reports whether a stored log line already starts with an
// RFC3339Nano timestamp.
func HasTimestamp(line string) bool {
	ts, _ := splitLine([]byte(line))
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

// lineEmitter writes filtered, formatted log lines and enforces limitBytes.
type lineEmitter struct {
	w         io.Writer
	opts      logOptions
	written   int64
	truncated bool
}

// emit writes one complete line (without its newline). It returns false once
// the byte limit is reached, after which nothing more may be written.
func (e *lineEmitter) emit(line []byte) (bool, error) {
	if e.truncated {
		return false, nil
	}
	ts, msg := splitLine(line)
	if !e.opts.since.IsZero() && !ts.IsZero() && ts.Before(e.opts.since) {
		return true, nil
	}
	out := make([]byte, 0, len(line)+40)
	if e.opts.timestamps && !ts.IsZero() {
		out = ts.UTC().AppendFormat(out, time.RFC3339Nano)
		out = append(out, ' ')
	}
	out = append(out, msg...)
	out = append(out, '\n')
	if e.opts.limitBytes > 0 && e.written+int64(len(out)) >= e.opts.limitBytes {
		out = out[:e.opts.limitBytes-e.written]
		e.truncated = true
	}
	n, err := e.w.Write(out)
	e.written += int64(n)
	return !e.truncated, err
}
