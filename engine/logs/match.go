package logs

import "strings"

// Matcher finds whether a log line names one of a set of objects. A term
// matches only as a whole name: the characters around it must not be name
// characters (letters, digits, '-', '_'), so "mig-1" does not match inside
// "mig-10" and a UID does not match inside a longer hex string.
//
// Prefix terms may also be followed by '-': objects derived from them by
// generateName (Backup <migration>-initial-xxxxx, PodVolumeBackup
// <backup>-xxxxx) match their parent's name. A prefix match is ignored where
// the line names, at that position, an excluded name (another migration
// whose name extends ours, e.g. ours "db" and theirs "db-2").
//
// Lookups go through a table keyed on the first bytes of each term, visited
// only where a name can start, so the cost per line does not grow with the
// number of terms.
type Matcher struct {
	byKey   map[string][]matchTerm // terms of keyLen bytes or more, by their first keyLen bytes
	short   []matchTerm            // shorter terms
	exclude []string
	empty   bool
}

type matchTerm struct {
	s      string
	prefix bool
}

const keyLen = 4

// NewMatcher returns a Matcher for whole-name terms (exact), terms that may
// also be followed by '-' (prefix), and names that cancel a prefix match.
func NewMatcher(exact, prefix, exclude []string) *Matcher {
	m := &Matcher{byKey: map[string][]matchTerm{}, exclude: exclude}
	add := func(s string, isPrefix bool) {
		if s == "" {
			return
		}
		t := matchTerm{s: s, prefix: isPrefix}
		if len(s) < keyLen {
			m.short = append(m.short, t)
			return
		}
		m.byKey[s[:keyLen]] = append(m.byKey[s[:keyLen]], t)
	}
	for _, s := range exact {
		add(s, false)
	}
	for _, s := range prefix {
		add(s, true)
	}
	m.empty = len(m.byKey) == 0 && len(m.short) == 0
	return m
}

// Match reports whether line names one of the terms.
func (m *Matcher) Match(line string) bool {
	if m.empty {
		return false
	}
	for i := 0; i < len(line); i++ {
		if !isNameChar(line[i]) || (i > 0 && isNameChar(line[i-1])) {
			continue
		}
		if m.matchAt(line, i) {
			return true
		}
	}
	return false
}

// matchAt tries the terms that could start at line[i], a name start.
func (m *Matcher) matchAt(line string, i int) bool {
	for _, t := range m.short {
		if m.termAt(line, i, t) {
			return true
		}
	}
	if len(line)-i < keyLen {
		return false
	}
	for _, t := range m.byKey[line[i:i+keyLen]] {
		if m.termAt(line, i, t) {
			return true
		}
	}
	return false
}

func (m *Matcher) termAt(line string, i int, t matchTerm) bool {
	if !strings.HasPrefix(line[i:], t.s) {
		return false
	}
	end := i + len(t.s)
	if end == len(line) || !isNameChar(line[end]) {
		return true
	}
	return t.prefix && line[end] == '-' && !m.excludedAt(line, i)
}

// excludedAt reports whether an excluded name stands at line[i].
func (m *Matcher) excludedAt(line string, i int) bool {
	for _, ex := range m.exclude {
		if !strings.HasPrefix(line[i:], ex) {
			continue
		}
		end := i + len(ex)
		if end == len(line) || !isNameChar(line[end]) || line[end] == '-' {
			return true
		}
	}
	return false
}

// isNameChar reports whether b may appear inside a Kubernetes name or UID as
// written in logs ('.' is left out: it ends sentences more often than it
// appears in MTC object names).
func isNameChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_'
}
