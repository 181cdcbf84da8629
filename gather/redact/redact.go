// Package redact removes secret values from everything a support bundle
// holds: Kubernetes objects (Secrets elided the way `oc adm inspect` does,
// credentials in custom resources and container environments masked) and
// free text (logs, ConfigMap values, Velero logs) filtered as a stream.
//
// Redaction is deliberately conservative: it masks whatever looks like a
// credential (a value next to a password/token/secret/key name, a bearer or
// basic authorization, an AWS access key id, a JSON web token, a password in
// a URL, a PEM private key) and every value the gather has seen in a Secret
// under a sensitive key. A masked value reads "<redacted>"; an elided Secret
// value reads "<N> bytes long".
package redact

import (
	"regexp"
	"sort"
	"strings"
)

// Mask replaces a secret value.
const Mask = "<redacted>"

// minLiteral is the shortest known secret value searched for verbatim:
// shorter ones ("true", "admin") would mask ordinary words everywhere.
const minLiteral = 8

// literalTrigger is how many leading bytes of a literal the trigger
// automaton matches.
const literalTrigger = 16

// kind says what a trigger word announces, hence which check runs where it
// ends.
type kind uint8

const (
	kindKV   kind = 1 << iota // name[:=]value with a credential-like name
	kindAuth                  // Bearer / Basic credentials
	kindAWS                   // AKIA/ASIA access key ids
	kindJWT                   // eyJ...: JSON web tokens
	kindURL                   // scheme://user:password@host
	kindLit                   // a known secret value
)

// triggerWords are matched case-insensitively; a line holding none of them
// (nor a literal) is written unchanged.
var triggerWords = []struct {
	word string
	kind kind
}{
	{"password", kindKV}, {"passwd", kindKV}, {"pwd", kindKV}, {"token", kindKV}, {"secret", kindKV},
	{"api_key", kindKV}, {"api-key", kindKV}, {"apikey", kindKV},
	{"access_key", kindKV}, {"access-key", kindKV}, {"accesskey", kindKV},
	{"secret_key", kindKV}, {"secret-key", kindKV}, {"secretkey", kindKV},
	{"private_key", kindKV}, {"private-key", kindKV}, {"privatekey", kindKV},
	{"credential", kindKV}, {"credentials", kindKV}, {"signature", kindKV},
	{"bearer", kindAuth}, {"basic", kindAuth},
	{"akia", kindAWS}, {"asia", kindAWS},
	{"eyj", kindJWT},
	{"://", kindURL},
	{"private key-----", kindKV}, // PEM blocks: the line is looked at closely
}

// Redactor holds the compiled rules plus the secret values learnt during a
// gather. It is immutable and safe for concurrent use.
type Redactor struct {
	trig     *trigger
	literals *strings.Replacer
}

// New returns a Redactor that also masks every literal (known secret value)
// of at least eight bytes and on one line, wherever it appears.
func New(literals ...string) *Redactor {
	lits := usableLiterals(literals)
	words := make([]string, 0, len(triggerWords)+len(lits))
	kinds := make([]kind, 0, cap(words))
	for _, tw := range triggerWords {
		words, kinds = append(words, tw.word), append(kinds, tw.kind)
	}
	for _, l := range lits {
		// The automaton only needs to notice a literal may be there: its
		// first bytes suffice, and the Replacer masks the whole value on
		// the lines that hit. A service-account token is ~1,000 bytes; a
		// cluster's worth of them as whole words made tables of tens of
		// megabytes that no cache holds.
		words, kinds = append(words, l[:min(len(l), literalTrigger)]), append(kinds, kindLit)
	}
	r := &Redactor{trig: newTrigger(words, kinds)}
	if len(lits) > 0 {
		pairs := make([]string, 0, 2*len(lits))
		for _, l := range lits {
			pairs = append(pairs, l, Mask)
		}
		r.literals = strings.NewReplacer(pairs...)
	}
	return r
}

// usableLiterals drops short, multi-line and duplicate values, longest
// first so that a secret containing another is masked whole.
func usableLiterals(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range in {
		l = strings.TrimSpace(l)
		if len(l) < minLiteral || seen[l] || strings.ContainsAny(l, "\r\n") {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// pemBlock matches a whole PEM private key (multi-line strings only).
var pemBlock = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----`)

// String masks every secret in s (which may span lines).
func (r *Redactor) String(s string) string {
	b := []byte(s)
	if !r.trig.hit(b) {
		return s
	}
	if strings.Contains(s, "PRIVATE KEY-----") {
		b = pemBlock.ReplaceAll(b, []byte("-----BEGIN PRIVATE KEY-----\n"+Mask+"\n-----END PRIVATE KEY-----"))
	}
	return string(r.line(b))
}

// span is a byte range to mask.
type span struct{ start, end int }

// line masks a text known to hit a trigger: every check runs only where
// its trigger word ends, so the cost stays linear in the line.
func (r *Redactor) line(b []byte) []byte {
	var spans []span
	lits := false
	r.trig.each(b, func(end int, k kind) {
		if k&kindLit != 0 {
			lits = true
		}
		if k&kindKV != 0 {
			if s, e, ok := kvValue(b, end); ok {
				spans = append(spans, span{s, e})
			}
		}
		if k&kindAuth != 0 {
			if s, e, ok := authValue(b, end); ok {
				spans = append(spans, span{s, e})
			}
		}
		if k&kindAWS != 0 {
			if s, e, ok := awsKeyID(b, end); ok {
				spans = append(spans, span{s, e})
			}
		}
		if k&kindJWT != 0 {
			if s, e, ok := jwt(b, end); ok {
				spans = append(spans, span{s, e})
			}
		}
		if k&kindURL != 0 {
			if s, e, ok := urlPassword(b, end); ok {
				spans = append(spans, span{s, e})
			}
		}
	})
	if len(spans) > 0 {
		b = apply(b, spans)
	}
	if lits && r.literals != nil {
		b = []byte(r.literals.Replace(string(b)))
	}
	return b
}

// apply replaces the (possibly overlapping) spans of b by Mask.
func apply(b []byte, spans []span) []byte {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := make([]byte, 0, len(b)+len(spans)*len(Mask))
	last := 0
	for i := 0; i < len(spans); i++ {
		s, e := spans[i].start, spans[i].end
		for i+1 < len(spans) && spans[i+1].start < e {
			i++
			e = max(e, spans[i].end)
		}
		if s < last {
			s = last
		}
		out = append(out, b[last:s]...)
		out = append(out, Mask...)
		last = e
	}
	return append(out, b[last:]...)
}
