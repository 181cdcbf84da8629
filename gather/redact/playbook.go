package redact

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"unicode/utf8"
)

// mtcGroup is the API group of the MTC custom resources.
const mtcGroup = "migration.openshift.io"

// isMigHook says whether obj is an MTC MigHook, whose spec.playbook is a
// base64-encoded Ansible playbook.
func isMigHook(obj map[string]any) bool {
	return apiGroup(obj) == mtcGroup && obj["kind"] == "MigHook"
}

// redactMigHook redacts a MigHook whose spec.playbook is a string and
// reports whether it did. The playbook is kept out of the generic walk: the
// text rules run on the decoded playbook, and running them again on its
// base64 form could only corrupt it (a learnt literal or a "token=" that
// happens to occur in the encoding).
func (r *Redactor) redactMigHook(obj map[string]any) bool {
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return false
	}
	pb, ok := spec["playbook"].(string)
	if !ok {
		return false
	}
	delete(spec, "playbook")
	r.walk(obj)
	spec["playbook"] = r.playbook(pb)
	return true
}

// playbook returns a base64 playbook with its secrets masked, still base64
// so that the bundle reads like the cluster. Playbooks carry credentials
// (vars, Authorization headers, URLs with passwords, private keys), which
// the log rules mask line by line. A value that is not base64, or that
// decodes to something other than text, cannot be filtered and is elided to
// "<N> bytes long" like Secret data. A playbook with nothing to mask is
// returned unchanged, in its original encoding.
func (r *Redactor) playbook(enc string) string {
	if enc == "" {
		return enc
	}
	text, err := decodePlaybook(enc)
	if err != nil {
		return fmt.Sprintf("%d bytes long", len(enc))
	}
	if !isText(text) {
		return fmt.Sprintf("%d bytes long", len(text))
	}
	masked := r.text(text)
	if bytes.Equal(masked, text) {
		return enc
	}
	return base64.StdEncoding.EncodeToString(masked)
}

// decodePlaybook decodes standard base64, padded or not. Line breaks (from
// `base64` without -w0, or a YAML block scalar) are ignored by the decoder;
// blanks are dropped first.
func decodePlaybook(enc string) ([]byte, error) {
	s := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, []byte(enc))
	b, err := base64.StdEncoding.DecodeString(string(s))
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(string(s))
	}
	return b, err
}

// isText accepts valid UTF-8 without control characters other than tab,
// carriage return and line feed.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// text filters a multi-line text through the streaming Writer, which masks
// line by line and blanks PEM private keys that span lines (a key whose END
// line is missing is masked to the end).
func (r *Redactor) text(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	w := r.NewWriter(&out)
	_, _ = w.Write(b) // a bytes.Buffer never fails
	_ = w.Close()
	return r.pemEdges(out.Bytes())
}

const (
	pemBegin  = "-----BEGIN "
	pemEnd    = "-----END "
	pemMarker = "PRIVATE KEY-----"
)

// pemEdges completes what the Writer does with a private key spanning
// lines. The Writer replaces the lines between the BEGIN and END lines by
// one mask line, but writes the BEGIN line unfiltered and keeps what precedes
// END on its line: a credential before BEGIN, or a piece of the key body
// glued to either marker, would survive. So the BEGIN line is filtered up to
// its marker and anything after the marker masked, anything before END is
// masked, and the mask line is indented like a BEGIN line standing alone, so
// that a YAML block scalar (`content: |`) holding the key still parses.
// Where the Writer already did all this, nothing changes.
func (r *Redactor) pemEdges(b []byte) []byte {
	if !bytes.Contains(b, []byte(pemBegin)) {
		return b
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		if !opensPEM(lines[i]) {
			continue
		}
		var indent []byte
		lines[i], indent = r.pemOpener(lines[i])
		if i+1 >= len(lines) || string(bytes.TrimLeft(trimEOL(lines[i+1]), " \t")) != Mask {
			continue
		}
		i++
		if lines[i][0] != ' ' && lines[i][0] != '\t' {
			lines[i] = append(append([]byte(nil), indent...), lines[i]...)
		}
		if i+1 < len(lines) && bytes.Contains(lines[i+1], []byte(pemEnd)) {
			i++
			lines[i] = pemCloser(lines[i])
		}
	}
	return bytes.Join(lines, nil)
}

// opensPEM is the Writer's test for a line that starts a multi-line key.
func opensPEM(line []byte) bool {
	return bytes.Contains(line, []byte(pemBegin)) && bytes.Contains(line, []byte(pemMarker)) &&
		!bytes.Contains(line, []byte(pemEnd))
}

// pemOpener filters a BEGIN line up to the end of its marker and masks what
// follows. It also returns the line's indentation when the BEGIN marker is
// all the line holds.
func (r *Redactor) pemOpener(line []byte) ([]byte, []byte) {
	body := trimEOL(line)
	eol := line[len(body):]
	begin := bytes.Index(body, []byte(pemBegin))
	m := bytes.Index(body[begin:], []byte(pemMarker))
	if m < 0 { // the marker precedes BEGIN: filter the line as a whole
		return append(r.line(append([]byte(nil), body...)), eol...), nil
	}
	cut := begin + m + len(pemMarker)
	out := append([]byte(nil), r.line(append([]byte(nil), body[:cut]...))...)
	if len(bytes.TrimSpace(body[cut:])) > 0 {
		out = append(out, Mask...)
	}
	var indent []byte
	if len(bytes.Trim(body[:begin], " \t")) == 0 {
		indent = body[:begin]
	}
	return append(out, eol...), indent
}

// pemCloser masks whatever precedes END on its line, keeping the
// indentation.
func pemCloser(line []byte) []byte {
	end := bytes.Index(line, []byte(pemEnd))
	head := line[:end]
	rest := bytes.TrimLeft(head, " \t")
	if len(rest) == 0 {
		return line
	}
	out := append([]byte(nil), head[:len(head)-len(rest)]...)
	out = append(out, Mask...)
	return append(out, line[end:]...)
}

func trimEOL(line []byte) []byte {
	return bytes.TrimRight(line, "\r\n")
}
