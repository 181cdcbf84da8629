package logscan

import "bytes"

// minSkipLen is the shortest pattern the skip search accepts: below it the
// shifts are too small to beat one DFA step per byte.
const minSkipLen = 4

// wuManber is the Wu-Manber multi-pattern search with 2-byte blocks: a
// window of m bytes (m = shortest pattern) slides over the text; the block
// at its right end says how far the window may jump without skipping the
// first m bytes of any pattern. Only when the jump is zero are patterns
// whose first m bytes end with that block compared.
type wuManber struct {
	m        int
	patterns [][]byte
	shift    [1 << 16]uint8
	// heads[block] indexes lists: patterns whose m-prefix ends in block.
	heads [1 << 16]uint16
	lists [][]int
}

func newWuManber(patterns []string, m int) *wuManber {
	m = min(m, 255)
	w := &wuManber{m: m, lists: [][]int{nil}}
	for i := range w.shift {
		w.shift[i] = uint8(m - 1)
	}
	for i, p := range patterns {
		w.patterns = append(w.patterns, []byte(p))
		for j := 1; j < m; j++ {
			b := block(p[j-1], p[j])
			if s := uint8(m - 1 - j); s < w.shift[b] {
				w.shift[b] = s
			}
		}
		b := block(p[m-2], p[m-1])
		if w.heads[b] == 0 {
			w.heads[b] = uint16(len(w.lists))
			w.lists = append(w.lists, nil)
		}
		w.lists[w.heads[b]] = append(w.lists[w.heads[b]], i)
	}
	return w
}

func block(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

// find reports occurrences in order of their start offset.
func (w *wuManber) find(data []byte, hit hitFunc) {
	m := w.m
	shift := &w.shift
	for pos := m - 1; pos < len(data); {
		b := block(data[pos-1], data[pos])
		if s := shift[b]; s != 0 {
			pos += int(s)
			continue
		}
		start := pos - m + 1
		for _, p := range w.lists[w.heads[b]] {
			pat := w.patterns[p]
			if bytes.HasPrefix(data[start:], pat) {
				hit(p, start, start+len(pat)-1)
			}
		}
		pos++
	}
}
