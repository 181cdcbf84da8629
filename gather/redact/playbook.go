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
// line is missing is masked to the end). The Writer indents the line that
// stands for a key's body like the key's own lines, so a playbook holding a
// key in a YAML block scalar (`content: |`) still parses once masked.
func (r *Redactor) text(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	w := r.NewWriter(&out)
	_, _ = w.Write(b) // a bytes.Buffer never fails
	_ = w.Close()
	return out.Bytes()
}
