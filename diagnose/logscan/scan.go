package logscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// Defaults for Options fields left at zero.
const (
	DefaultBufferSize        = 1 << 20
	DefaultMaxExcerpt        = 2048
	DefaultMaxHitsPerPattern = 20
)

// Options bound what a scan keeps in memory.
type Options struct {
	// BufferSize is the read buffer and therefore the longest line seen
	// whole. A longer line is still scanned, in pieces; hits in it carry a
	// truncated excerpt.
	BufferSize int
	// MaxExcerpt caps the text kept for one hit (and for one tail line).
	MaxExcerpt int
	// MaxHitsPerPattern caps the hits kept per pattern; Counts keeps counting.
	MaxHitsPerPattern int
	// TailLines, when positive, keeps the last lines of the log.
	TailLines int
}

func (o Options) withDefaults() Options {
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.BufferSize < 64 {
		o.BufferSize = 64
	}
	if o.MaxExcerpt <= 0 {
		o.MaxExcerpt = DefaultMaxExcerpt
	}
	if o.MaxHitsPerPattern <= 0 {
		o.MaxHitsPerPattern = DefaultMaxHitsPerPattern
	}
	return o
}

// Hit is one line on which a pattern was found.
type Hit struct {
	Pattern int    // index into the matcher's patterns
	Line    int64  // 1-based line number
	Text    string // the line, or a window around the match when too long
	// Truncated says Text is not the whole line.
	Truncated bool
}

// Result summarises one scanned log.
type Result struct {
	Bytes int64
	Lines int64
	// Counts[i] is the number of lines on which pattern i was found.
	Counts []int64
	// Hits holds the first MaxHitsPerPattern hits of every pattern, in line
	// order.
	Hits []Hit
	// Tail holds the last TailLines lines when requested.
	Tail []string
	// LongLines counts lines longer than the buffer.
	LongLines int64
	// MatchedLines counts lines holding at least one pattern (what
	// grep -c reports).
	MatchedLines int64
}

// HitsFor returns the kept hits of one pattern.
func (r *Result) HitsFor(pattern int) []Hit {
	var out []Hit
	for _, h := range r.Hits {
		if h.Pattern == pattern {
			out = append(out, h)
		}
	}
	return out
}

// scanState is the bookkeeping of one Scan call.
type scanState struct {
	m        *Matcher
	opt      Options
	res      *Result
	lastLine []int64 // per pattern: last line reported, to count a line once
	lastAny  int64   // last line that matched any pattern
	kept     []int   // per pattern: hits kept
	tail     []string

	buf       []byte
	lineNo    int64 // line number of buf[0]
	counted   int   // buf[:counted] newlines already added to curLine
	curLine   int64
	startLost bool // buf[0] is in the middle of a line whose start was dropped
}

// Scan reads r to the end once and reports every line that contains one of
// the matcher's patterns. Memory stays within Options.BufferSize plus the
// kept hits, whatever the size of the log or the length of its lines.
func (m *Matcher) Scan(ctx context.Context, r io.Reader, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	if floor := 2 * m.maxLen; opt.BufferSize < floor {
		opt.BufferSize = floor // the overlap carried between pieces must fit
	}
	st := &scanState{
		m:        m,
		opt:      opt,
		res:      &Result{Counts: make([]int64, len(m.patterns))},
		lastLine: make([]int64, len(m.patterns)),
		kept:     make([]int, len(m.patterns)),
		buf:      make([]byte, opt.BufferSize),
		lineNo:   1,
	}
	err := st.run(ctx, r)
	st.res.Tail = st.tail
	return st.res, err
}

func (st *scanState) run(ctx context.Context, r io.Reader) error {
	// keep is the overlap carried between two pieces of an over-long line,
	// so that a match straddling them is seen whole in the second piece.
	keep := st.m.maxLen - 1
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, rerr := io.ReadFull(r, st.buf[n:])
		n += k
		st.res.Bytes += int64(k)
		eof := errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF)
		if rerr != nil && !eof {
			return fmt.Errorf("read log: %w", rerr)
		}
		end, limit := n, n
		partial := false
		if !eof {
			if nl := bytes.LastIndexByte(st.buf[:n], '\n'); nl >= 0 {
				end, limit = nl+1, nl+1
			} else {
				// The buffer holds a piece of one over-long line.
				partial = true
				end = max(n-keep, 1)
				limit = end
			}
		}
		st.region(n, end, limit, partial, eof)
		copy(st.buf, st.buf[end:n])
		n -= end
		if eof {
			return nil
		}
	}
}

// region searches buf[:n] but keeps only matches starting before limit and
// accounts for the lines of buf[:end]. A region ends on a newline unless it
// is a piece of an over-long line (partial) or the end of the log.
func (st *scanState) region(n, end, limit int, partial, eof bool) {
	data := st.buf[:n]
	st.counted, st.curLine = 0, st.lineNo
	st.m.find(data, func(p, start, _ int) {
		if start < limit {
			st.hit(data, p, start)
		}
	})
	st.curLine += int64(bytes.Count(data[st.counted:end], []byte{'\n'}))
	if st.opt.TailLines > 0 && !partial {
		st.keepTail(data[:end])
	}
	switch {
	case partial:
		if !st.startLost {
			st.res.LongLines++
		}
		st.startLost = true
	case eof:
		if end > 0 && data[end-1] != '\n' {
			st.curLine++ // last line without a newline still counts
		}
		st.startLost = false
	default:
		st.startLost = false
	}
	st.res.Lines = st.curLine - 1
	st.lineNo = st.curLine
}

// hit records pattern p found at data[start:]. Matches arrive in start order
// (skip search) or end order (DFA); since no pattern contains a newline,
// counting newlines up to max(counted, start) gives the right line in both.
func (st *scanState) hit(data []byte, p, start int) {
	if start > st.counted {
		st.curLine += int64(bytes.Count(data[st.counted:start], []byte{'\n'}))
		st.counted = start
	}
	if st.lastAny != st.curLine {
		st.lastAny = st.curLine
		st.res.MatchedLines++
	}
	if st.lastLine[p] == st.curLine {
		return
	}
	st.lastLine[p] = st.curLine
	st.res.Counts[p]++
	if st.kept[p] >= st.opt.MaxHitsPerPattern {
		return
	}
	st.kept[p]++
	h := st.excerpt(data, start, len(st.m.patterns[p]))
	h.Pattern = p
	st.res.Hits = append(st.res.Hits, h)
}

// excerpt cuts the line around the match at data[ms:ms+plen], at most
// MaxExcerpt bytes, preferring the start of the line (where logfmt puts
// time, level and msg).
func (st *scanState) excerpt(data []byte, ms, plen int) Hit {
	start := bytes.LastIndexByte(data[:ms], '\n') + 1
	truncated := start == 0 && st.startLost
	end := len(data)
	if j := bytes.IndexByte(data[ms:], '\n'); j >= 0 {
		end = ms + j
	} else if len(data) == len(st.buf) {
		truncated = true // the line goes on past the buffer
	}
	if limit := st.opt.MaxExcerpt; end-start > limit {
		truncated = true
		if ms+plen-start > limit {
			// The match is far into the line: centre the window on it.
			start = max(start, ms-(limit-plen)/2)
		}
		end = min(end, start+limit)
	}
	text := bytes.TrimRight(data[start:end], "\r\n")
	return Hit{Line: st.curLine, Text: string(text), Truncated: truncated}
}

// keepTail records the last TailLines complete lines of data.
func (st *scanState) keepTail(data []byte) {
	want := st.opt.TailLines
	var lines []string
	rest := bytes.TrimSuffix(data, []byte{'\n'})
	for len(rest) > 0 && len(lines) < want {
		j := bytes.LastIndexByte(rest, '\n')
		line := rest[j+1:]
		if len(line) > st.opt.MaxExcerpt {
			line = line[:st.opt.MaxExcerpt]
		}
		lines = append(lines, string(bytes.TrimRight(line, "\r")))
		if j < 0 {
			break
		}
		rest = rest[:j]
	}
	for l, r := 0, len(lines)-1; l < r; l, r = l+1, r-1 {
		lines[l], lines[r] = lines[r], lines[l]
	}
	st.tail = append(st.tail, lines...)
	if len(st.tail) > want {
		st.tail = append([]string(nil), st.tail[len(st.tail)-want:]...)
	}
}
