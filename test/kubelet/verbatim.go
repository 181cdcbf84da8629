package kubelet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// verbatimLog says a stored log can be served byte for byte when
// timestamps are asked for: every line is "<canonical UTC stamp> <message>"
// with a newline, stamps never go back, and there is no CRI stream/tag.
// The per-line path would write exactly those bytes; skipping it keeps a
// benchmark's stand-in node (gigabytes of logs on the same CPUs as the
// tool being measured) about as cheap as a real node is to the client.
type verbatimLog struct {
	size  int64     // the file's size when checked: any other size means it changed
	first time.Time // the first line's stamp
}

// checkVerbatim scans a log just stored by SetLog.
func (k *Kubelet) checkVerbatim(path string) {
	info, ok := scanVerbatim(path)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.verbatim == nil {
		k.verbatim = map[string]verbatimLog{}
	}
	if ok {
		k.verbatim[path] = info
	} else {
		delete(k.verbatim, path)
	}
}

// forgetVerbatim drops what is known of a log that changes.
func (k *Kubelet) forgetVerbatim(path string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.verbatim, path)
}

func scanVerbatim(path string) (verbatimLog, bool) {
	f, err := os.Open(path)
	if err != nil {
		return verbatimLog{}, false
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	var info verbatimLog
	var last time.Time
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		if err != nil {
			return verbatimLog{}, false // over-long line, unterminated last line, read error
		}
		info.size += int64(len(line))
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			return verbatimLog{}, false
		}
		ts, canonical, ok := parseUTCStamp(line[:sp])
		if !ok || !canonical || ts.Before(last) || hasCRIPrefix(line[sp+1:]) {
			return verbatimLog{}, false
		}
		if n == 0 {
			info.first = ts
		}
		last = ts
	}
	return info, true
}

func hasCRIPrefix(msg []byte) bool { return len(stripCRI(msg)) != len(msg) }

// serveVerbatim copies the log as stored when the request allows it and
// reports whether it did.
func (k *Kubelet) serveVerbatim(w http.ResponseWriter, f *os.File, path string, size int64, opts logOptions, follow bool) bool {
	if !opts.timestamps || follow || opts.limitBytes > 0 || opts.tailLines >= 0 {
		return false
	}
	k.mu.Lock()
	info, ok := k.verbatim[path]
	k.mu.Unlock()
	if !ok || info.size != size || (!opts.since.IsZero() && info.first.Before(opts.since)) {
		return false
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	_, _ = io.CopyBuffer(w, io.LimitReader(f, size), make([]byte, emitBufSize))
	return true
}
