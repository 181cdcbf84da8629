package logscan

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Entry is the structured view of one log line, used to show evidence
// (level, message, error) instead of a raw line.
type Entry struct {
	Format string // "json", "logfmt", "klog" or "text"
	Time   string
	Level  string
	Msg    string
	// Error is the error text: logfmt `error=`, JSON `error.message` (Velero
	// --log-format json) or `error`, klog `err=`.
	Error string
	// Source is where the line was logged: Velero `logSource`, zap
	// `caller`, or the klog file:line.
	Source string
	Fields map[string]string
}

// Get returns a field by key ("" when absent).
func (e Entry) Get(key string) string { return e.Fields[key] }

var klogHeader = regexp.MustCompile(`([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ([^ \]]+)\] `)

// ParseLine understands the formats found in migration logs: Velero and
// restic/node-agent logfmt (logrus text), Velero JSON, mig-controller JSON
// (zap), klog (kubelet), each optionally behind the RFC 3339 timestamp that
// `kubectl logs --timestamps` and oc adm inspect add. Anything else comes
// back as Format "text" with Msg set to the line.
func ParseLine(line string) Entry {
	line = strings.TrimRight(line, "\r\n")
	prefixTime, rest := splitTimestamp(line)
	var e Entry
	switch {
	case strings.HasPrefix(strings.TrimLeft(rest, " "), "{"):
		e = parseJSON(strings.TrimLeft(rest, " "))
	case klogHeader.MatchString(rest):
		e = parseKlog(rest)
	case strings.Contains(rest, "level=") || strings.Contains(rest, "msg="):
		e = parseLogfmt(rest)
		e.Format = "logfmt"
	default:
		e = Entry{Format: "text", Msg: rest}
	}
	if e.Time == "" {
		e.Time = prefixTime
	}
	return e
}

// splitTimestamp removes a leading RFC 3339 timestamp token.
func splitTimestamp(line string) (string, string) {
	if len(line) < 20 || line[0] < '0' || line[0] > '9' || line[4] != '-' || line[10] != 'T' {
		return "", line
	}
	sp := strings.IndexByte(line, ' ')
	if sp < 0 {
		return "", line
	}
	return line[:sp], line[sp+1:]
}

func parseJSON(s string) Entry {
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		// A truncated excerpt is not valid JSON: keep it as text.
		return Entry{Format: "text", Msg: s}
	}
	e := Entry{Format: "json", Fields: make(map[string]string, len(raw))}
	for k, v := range raw {
		flatten(e.Fields, k, v)
	}
	e.Level = e.Fields["level"]
	e.Msg = firstOf(e.Fields, "msg", "message")
	e.Error = firstOf(e.Fields, "error.message", "error", "err")
	e.Source = firstOf(e.Fields, "logSource", "caller")
	e.Time = firstOf(e.Fields, "time", "ts", "timestamp")
	return e
}

// flatten turns nested objects into dotted keys, so {"error":{"message":x}}
// and {"error.message":x} read the same.
func flatten(dst map[string]string, key string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, vv := range t {
			flatten(dst, key+"."+k, vv)
		}
	case string:
		dst[key] = t
	case float64:
		dst[key] = strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		dst[key] = strconv.FormatBool(t)
	case nil:
		dst[key] = ""
	default:
		b, _ := json.Marshal(t)
		dst[key] = string(b)
	}
}

func parseKlog(s string) Entry {
	m := klogHeader.FindStringSubmatchIndex(s)
	levels := map[string]string{"I": "info", "W": "warning", "E": "error", "F": "fatal"}
	e := parseLogfmt(s[m[1]:])
	e.Format = "klog"
	e.Level = levels[s[m[2]:m[3]]]
	e.Source = s[m[4]:m[5]]
	if e.Msg == "" {
		e.Msg = strings.TrimSpace(s[m[1]:])
	}
	return e
}

// parseLogfmt reads key=value pairs with Go-style quoting. A quoted string
// without a key (klog's message) becomes Msg; bare words are ignored.
func parseLogfmt(s string) Entry {
	e := Entry{Fields: make(map[string]string)}
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '"' {
			v, n := readQuoted(s[i:])
			if e.Msg == "" {
				e.Msg = v
			}
			i += n
			continue
		}
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ' ' {
			j++
		}
		key := s[i:j]
		if j >= len(s) || s[j] == ' ' {
			i = j // bare word
			continue
		}
		j++ // '='
		var v string
		if j < len(s) && s[j] == '"' {
			var n int
			v, n = readQuoted(s[j:])
			j += n
		} else {
			k := j
			for k < len(s) && s[k] != ' ' {
				k++
			}
			v = s[j:k]
			j = k
		}
		e.Fields[key] = v
		i = j
	}
	e.Level = e.Fields["level"]
	if m := e.Fields["msg"]; m != "" {
		e.Msg = m
	}
	e.Error = firstOf(e.Fields, "error", "err", "error.message")
	e.Source = e.Fields["logSource"]
	e.Time = e.Fields["time"]
	return e
}

// readQuoted reads a double-quoted string starting at s[0] and returns the
// unescaped value and the bytes consumed. An unterminated string (a cut
// excerpt) runs to the end.
func readQuoted(s string) (string, int) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i+1])
			}
			i += 2
		case c == '"':
			return b.String(), i + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != "" {
			return v
		}
	}
	return ""
}
