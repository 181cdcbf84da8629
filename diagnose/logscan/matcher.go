// Package logscan finds many fixed strings in large logs in one streaming
// pass. Rules register the strings they care about; the scanner reads every
// log once, whatever the number of rules, keeps memory bounded by a fixed
// buffer, and reports each hit with its line number and a bounded excerpt.
package logscan

import (
	"errors"
	"fmt"
)

// Matcher is a compiled set of fixed strings. It is immutable after
// Compile and safe for concurrent use by many scans.
//
// Two engines sit behind it: a Wu-Manber skip search when every pattern has
// at least minSkipLen bytes (the usual case: error messages are long, and
// skipping several bytes per step is what lets one pass keep up with grep),
// and an Aho-Corasick DFA, one transition per byte, for short patterns.
type Matcher struct {
	patterns []string
	maxLen   int
	skip     *wuManber
	dfa      *dfa
}

// dfa is an Aho-Corasick automaton turned into a full DFA.
type dfa struct {
	// table holds one row of 256 transitions per state. Entries are
	// pre-multiplied by 256 so the hot loop is one add and one load per byte.
	table []uint32
	// States are numbered so that every state that ends a pattern is >= outStart:
	// the hot loop tests a match with a single comparison.
	outStart uint32
	// outputs[state-outStart/256] lists the patterns that end in that state.
	outputs [][]int
}

// MaxStates bounds the automaton so that a careless pattern list cannot
// exhaust memory (each state costs 1 KiB of table).
const MaxStates = 1 << 16

// ErrNoPatterns is returned by Compile for an empty pattern list.
var ErrNoPatterns = errors.New("logscan: no patterns")

// Compile builds a Matcher for patterns. Patterns are matched exactly
// (case-sensitive); empty patterns are rejected, duplicates are allowed and
// reported under each index.
func Compile(patterns []string) (*Matcher, error) {
	if len(patterns) == 0 {
		return nil, ErrNoPatterns
	}
	t, err := buildTrie(patterns)
	if err != nil {
		return nil, err
	}
	m := &Matcher{patterns: append([]string(nil), patterns...)}
	minLen := len(patterns[0])
	for _, p := range patterns {
		minLen = min(minLen, len(p))
		m.maxLen = max(m.maxLen, len(p))
	}
	if minLen >= minSkipLen {
		m.skip = newWuManber(m.patterns, minLen)
		return m, nil
	}
	t.link()
	m.dfa = t.toDFA()
	return m, nil
}

// MustCompile is Compile for pattern lists fixed at build time.
func MustCompile(patterns []string) *Matcher {
	m, err := Compile(patterns)
	if err != nil {
		panic(err)
	}
	return m
}

// Patterns returns the pattern list the matcher was compiled from.
func (m *Matcher) Patterns() []string { return m.patterns }

type trie struct {
	next [][256]int32 // -1: no edge
	fail []int32
	out  [][]int
}

func (t *trie) add() int32 {
	var row [256]int32
	for i := range row {
		row[i] = -1
	}
	t.next = append(t.next, row)
	t.fail = append(t.fail, 0)
	t.out = append(t.out, nil)
	return int32(len(t.next) - 1)
}

func buildTrie(patterns []string) (*trie, error) {
	t := &trie{}
	t.add()
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("logscan: pattern %d is empty", i)
		}
		s := int32(0)
		for j := 0; j < len(p); j++ {
			c := p[j]
			if t.next[s][c] < 0 {
				if len(t.next) >= MaxStates {
					return nil, fmt.Errorf("logscan: patterns need more than %d states", MaxStates)
				}
				n := t.add()
				t.next[s][c] = n
			}
			s = t.next[s][c]
		}
		t.out[s] = append(t.out[s], i)
	}
	return t, nil
}

// link computes failure links breadth first and completes every missing
// edge, so the trie becomes a DFA over bytes, and merges outputs along the
// failure chain so each state knows all patterns ending there.
func (t *trie) link() {
	queue := make([]int32, 0, len(t.next))
	for c := 0; c < 256; c++ {
		n := t.next[0][c]
		if n < 0 {
			t.next[0][c] = 0
			continue
		}
		t.fail[n] = 0
		queue = append(queue, n)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := t.fail[s]
		if len(t.out[f]) > 0 {
			t.out[s] = append(t.out[s], t.out[f]...)
		}
		for c := 0; c < 256; c++ {
			n := t.next[s][c]
			if n < 0 {
				t.next[s][c] = t.next[f][c]
				continue
			}
			t.fail[n] = t.next[f][c]
			queue = append(queue, n)
		}
	}
}

// toDFA renumbers states (non-output states first, the root stays 0) and
// flattens the transitions into the pre-multiplied table.
func (t *trie) toDFA() *dfa {
	n := len(t.next)
	order := make([]int32, n) // old -> new
	newID := int32(0)
	for s := 0; s < n; s++ {
		if len(t.out[s]) == 0 {
			order[s] = newID
			newID++
		}
	}
	outStart := newID
	outputs := make([][]int, 0, n-int(outStart))
	for s := 0; s < n; s++ {
		if len(t.out[s]) > 0 {
			order[s] = newID
			newID++
			outputs = append(outputs, t.out[s])
		}
	}
	table := make([]uint32, n*256)
	for s := 0; s < n; s++ {
		row := table[int(order[s])*256:]
		for c := 0; c < 256; c++ {
			row[c] = uint32(order[t.next[s][c]]) * 256
		}
	}
	return &dfa{
		table:    table,
		outStart: uint32(outStart) * 256,
		outputs:  outputs,
	}
}

// hitFunc receives one occurrence: the pattern index and the byte offsets
// of its first and last byte in the searched data.
type hitFunc func(pattern, start, end int)

// find reports every occurrence of every pattern in data.
func (m *Matcher) find(data []byte, hit hitFunc) {
	if m.skip != nil {
		m.skip.find(data, hit)
		return
	}
	m.dfa.find(m.patterns, data, hit)
}

// find runs the automaton from the root over data.
func (d *dfa) find(patterns []string, data []byte, hit hitFunc) {
	table := d.table
	outStart := d.outStart
	state := uint32(0)
	for i := 0; i < len(data); i++ {
		state = table[state+uint32(data[i])]
		if state >= outStart {
			for _, p := range d.outputs[(state-outStart)/256] {
				hit(p, i+1-len(patterns[p]), i)
			}
		}
	}
}

// FindAll returns, for convenience in tests and small inputs, the index of
// every pattern found in data (each once, in first-seen order).
func (m *Matcher) FindAll(data []byte) []int {
	seen := make(map[int]bool)
	var found []int
	m.find(data, func(p, _, _ int) {
		if !seen[p] {
			seen[p] = true
			found = append(found, p)
		}
	})
	return found
}
