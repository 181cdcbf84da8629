package redact

import "bytes"

// trigger is a case-insensitive multi-word detector: an Aho-Corasick
// automaton compiled to a transition table over byte classes. It finds, in
// one pass at about two table lookups per byte, the first place where a
// buffer may hold a secret, so that the regular expressions run only on the
// few lines that mention a password, a token, a key or a known secret value.
type trigger struct {
	class [256]uint32 // byte -> class; class 0 is "no word uses this byte"
	// next is indexed by state offset + class and holds state offsets
	// (state number times the class count), so the scan loop needs no
	// multiplication. Accepting states are numbered last: an offset at or
	// above acceptFrom means a word ended here.
	next       []uint32
	acceptFrom uint32
	nclass     uint32
	// kinds holds, per accepting state (numbered from acceptFrom/nclass),
	// the kinds of every word ending there.
	kinds []kind
}

// find returns the index just past the first word found in b, or -1.
func (t *trigger) find(b []byte) int {
	s := uint32(0)
	next, class, acc := t.next, &t.class, t.acceptFrom
	for i, c := range b {
		s = next[s+class[c]]
		if s >= acc {
			return i + 1
		}
	}
	return -1
}

// hit reports whether b contains any of the words, case-insensitively.
func (t *trigger) hit(b []byte) bool { return t.find(b) >= 0 }

// each calls fn with the end index and kinds of every word occurrence in b.
func (t *trigger) each(b []byte, fn func(end int, k kind)) {
	s := uint32(0)
	next, class, acc := t.next, &t.class, t.acceptFrom
	for i, c := range b {
		s = next[s+class[c]]
		if s >= acc {
			fn(i+1, t.kinds[(s-acc)/t.nclass])
		}
	}
}

// automaton is the trie being built, before numbering.
type automaton struct {
	nclass int
	next   [][]uint32
	accept []bool
	kinds  []kind
}

// newTrigger compiles words of one kind each.
func newTrigger(words []string, kinds []kind) *trigger {
	t := &trigger{}
	nclass := 1
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			c := lower(w[i])
			if t.class[c] == 0 {
				t.class[c] = uint32(nclass)
				t.class[upper(c)] = uint32(nclass)
				nclass++
			}
		}
	}
	a := &automaton{nclass: nclass}
	a.state()
	for i, w := range words {
		a.add(w, kinds[i], &t.class)
	}
	a.link()
	t.compile(a)
	return t
}

func (a *automaton) state() uint32 {
	a.next = append(a.next, make([]uint32, a.nclass))
	a.accept = append(a.accept, false)
	a.kinds = append(a.kinds, 0)
	return uint32(len(a.accept) - 1)
}

func (a *automaton) add(word string, k kind, class *[256]uint32) {
	if word == "" {
		return
	}
	s := uint32(0)
	for i := 0; i < len(word); i++ {
		c := class[word[i]]
		if a.next[s][c] == 0 {
			n := a.state()
			a.next[s][c] = n
		}
		s = a.next[s][c]
	}
	a.accept[s] = true
	a.kinds[s] |= k
}

// link turns the trie into a DFA: breadth-first failure links, missing
// transitions filled from the failure state. While a state is processed its
// own row still holds only trie edges (rows are completed in BFS order), so
// a non-zero entry is a trie child.
func (a *automaton) link() {
	fail := make([]uint32, len(a.accept))
	var queue []uint32
	for c := 1; c < a.nclass; c++ {
		if n := a.next[0][c]; n != 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if a.accept[fail[s]] {
			a.accept[s] = true
			a.kinds[s] |= a.kinds[fail[s]]
		}
		f := a.next[fail[s]]
		for c := 0; c < a.nclass; c++ {
			if n := a.next[s][c]; n != 0 {
				fail[n] = f[c]
				queue = append(queue, n)
				continue
			}
			a.next[s][c] = f[c]
		}
	}
}

// compile numbers accepting states last and flattens the table.
func (t *trigger) compile(a *automaton) {
	n := len(a.accept)
	num := make([]uint32, n)
	k := uint32(0)
	for s := 0; s < n; s++ {
		if !a.accept[s] {
			num[s] = k
			k++
		}
	}
	t.acceptFrom = k * uint32(a.nclass)
	for s := 0; s < n; s++ {
		if a.accept[s] {
			num[s] = k
			k++
			t.kinds = append(t.kinds, a.kinds[s])
		}
	}
	t.nclass = uint32(a.nclass)
	if n > 0 && a.accept[0] {
		// only possible with an empty word, which add ignores
		panic("redact: root state accepts")
	}
	t.next = make([]uint32, n*a.nclass)
	for s := 0; s < n; s++ {
		row := int(num[s]) * a.nclass
		for c := 0; c < a.nclass; c++ {
			t.next[row+c] = num[a.next[s][c]] * uint32(a.nclass)
		}
	}
	if t.acceptFrom == uint32(len(t.next)) {
		// no words: nothing ever accepts
		t.acceptFrom = ^uint32(0)
	}
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// clean reports whether b (whole lines) holds no word at all. It scans four
// stretches of b at once: each scan is a chain of dependent table lookups,
// and four independent chains keep the processor busy where one would wait
// on memory latency. Stretches end at line breaks, which no word spans.
func (t *trigger) clean(b []byte) bool {
	if len(b) < 1024 {
		return t.find(b) < 0
	}
	var seg [4][]byte
	rest := b
	for i := 0; i < 3; i++ {
		cut := len(b) / 4
		if cut > len(rest) {
			cut = len(rest)
		}
		j := bytes.IndexByte(rest[cut:], '\n')
		if j < 0 {
			seg[i], rest = rest, nil
			break
		}
		seg[i], rest = rest[:cut+j+1], rest[cut+j+1:]
	}
	seg[3] = rest
	next, class, acc := t.next, &t.class, t.acceptFrom
	n := min(len(seg[0]), len(seg[1]), len(seg[2]), len(seg[3]))
	a, bb, c, d := seg[0][:n], seg[1][:n], seg[2][:n], seg[3][:n]
	var s0, s1, s2, s3 uint32
	for i := 0; i < n; i++ {
		s0 = next[s0+class[a[i]]]
		s1 = next[s1+class[bb[i]]]
		s2 = next[s2+class[c[i]]]
		s3 = next[s3+class[d[i]]]
		if s0|s1|s2|s3 >= acc && (s0 >= acc || s1 >= acc || s2 >= acc || s3 >= acc) {
			return false
		}
	}
	// Finish each stretch from where the common length left it.
	for k, s := range [4]uint32{s0, s1, s2, s3} {
		for _, ch := range seg[k][n:] {
			s = next[s+class[ch]]
			if s >= acc {
				return false
			}
		}
	}
	return true
}
