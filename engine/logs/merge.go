package logs

import (
	"container/heap"
	"context"
	"strings"
	"sync"
	"time"
)

// queueLen is the number of lines a stream may read ahead of the merge.
const queueLen = 64

// merger merges per-container streams into one time-ordered sequence.
//
// Each input is a bounded channel; the merger holds at most one line (the
// head) per input and writes the head with the smallest timestamp once no
// other input could still deliver an earlier line: every other input has a
// head, has ended, has reported progress past it (a watermark: a stream
// whose lines are filtered says how far it has read), or -- when a reorder
// window is set -- has been quiet for the window. Without a window the merge
// is exact.
type merger struct {
	window      time.Duration // 0: exact
	connectWait time.Duration // with a window: how long a stream may take to open
	now         func() time.Time
	sink        Sink

	mu      sync.Mutex
	added   []*input
	gate    bool // lines may be written
	noMore  bool // no input will be added
	wakeCh  chan struct{}
	nextID  int
	inputs  map[*input]bool // not yet ended or not yet drained
	waiting map[*input]bool // open, no head, not ended
	heads   headHeap
}

// input is one stream's connection to the merger.
type input struct {
	m  *merger
	id int
	ch chan item
	// key orders lines with equal timestamps across streams.
	key string

	// Owned by the merger goroutine:
	isOpen  bool
	ended   bool
	since   time.Time // when it was added, opened, or last delivered
	head    *Line
	headAt  time.Time // head's ordering time
	lastAt  time.Time // last line's ordering time
	mark    time.Time // its next lines are not older than this
	heapIdx int
}

type item struct {
	line   Line
	opened bool      // marker: the stream's request succeeded
	mark   time.Time // marker: the stream has read up to here
	busy   bool      // marker: the stream is reading (no line yet)
}

func newMerger(sink Sink, window time.Duration) *merger {
	return &merger{
		window: window, connectWait: 10 * time.Second, now: time.Now, sink: sink,
		wakeCh: make(chan struct{}, 1), inputs: map[*input]bool{}, waiting: map[*input]bool{},
	}
}

// add registers a stream. Until it opens (or, with a window, connectWait
// passes) it holds back the others, so that its first lines can take their
// place in order.
func (m *merger) add(key string) *input {
	m.mu.Lock()
	m.nextID++
	in := &input{m: m, id: m.nextID, ch: make(chan item, queueLen), key: key}
	m.added = append(m.added, in)
	m.mu.Unlock()
	m.wake()
	return in
}

// openGate lets lines be written: called once every stream known at start
// has been added, so that no early stream runs ahead of a later-found one.
func (m *merger) openGate() {
	m.mu.Lock()
	m.gate = true
	m.mu.Unlock()
	m.wake()
}

// finish says no stream will be added; run returns once all have ended and
// their lines are written.
func (m *merger) finish() {
	m.mu.Lock()
	m.noMore, m.gate = true, true
	m.mu.Unlock()
	m.wake()
}

func (m *merger) wake() {
	select {
	case m.wakeCh <- struct{}{}:
	default:
	}
}

// markOpened tells the merger the stream's request succeeded.
func (in *input) markOpened(ctx context.Context) bool {
	return in.send(ctx, item{opened: true})
}

// progress tells the merger the stream has read (and dropped) lines up to
// ts, so that it holds back no line older than that.
func (in *input) progress(ctx context.Context, ts time.Time) bool {
	if ts.IsZero() {
		return true
	}
	return in.send(ctx, item{mark: ts})
}

// busy tells the merger the stream is still reading, so that it does not
// count as quiet.
func (in *input) busy(ctx context.Context) bool {
	return in.send(ctx, item{busy: true})
}

// line delivers one line; it blocks while the stream's queue is full and
// returns false if ctx ends first.
func (in *input) line(ctx context.Context, l Line) bool {
	return in.send(ctx, item{line: l})
}

func (in *input) send(ctx context.Context, it item) bool {
	select {
	case in.ch <- it:
		in.m.wake()
		return true
	case <-ctx.Done():
		return false
	}
}

// close ends the stream.
func (in *input) close() {
	close(in.ch)
	in.m.wake()
}

// run writes merged lines to the sink until finish was called and every
// stream has ended and been drained, or ctx ends, or the sink fails.
func (m *merger) run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		m.takeAdded()
		now := m.now()
		m.fill(now)
		wrote, deadline, err := m.emitReady(now)
		if err != nil {
			return err
		}
		if wrote > 0 {
			if err := m.sink.Flush(); err != nil {
				return err
			}
		}
		if m.done() {
			return nil
		}
		var tc <-chan time.Time
		if !deadline.IsZero() {
			timer.Reset(max(deadline.Sub(m.now()), time.Millisecond))
			tc = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.wakeCh:
		case <-tc:
		}
	}
}

func (m *merger) takeAdded() {
	m.mu.Lock()
	added := m.added
	m.added = nil
	m.mu.Unlock()
	now := m.now()
	for _, in := range added {
		in.since = now
		m.inputs[in] = true
		m.waiting[in] = true
	}
}

// fill moves queued items into the heads of waiting inputs.
func (m *merger) fill(now time.Time) {
	for in := range m.waiting {
		m.pull(in, now)
	}
}

// pull tries to give in a head without blocking.
func (m *merger) pull(in *input, now time.Time) {
	for {
		select {
		case it, ok := <-in.ch:
			if !ok {
				in.ended = true
				delete(m.waiting, in)
				delete(m.inputs, in)
				return
			}
			in.since = now
			if it.opened {
				in.isOpen = true
				continue
			}
			if it.busy {
				continue
			}
			if !it.mark.IsZero() {
				if it.mark.After(in.mark) {
					in.mark = it.mark
				}
				continue
			}
			in.head = &it.line
			in.headAt = it.line.Time
			if in.headAt.IsZero() {
				in.headAt = in.lastAt // a line without timestamp stays after its predecessor
			}
			in.lastAt = in.headAt
			delete(m.waiting, in)
			heap.Push(&m.heads, in)
			return
		default:
			return
		}
	}
}

// emitReady writes every line that may be written now. It returns how many
// it wrote and, if a quiet stream holds the next one back, when it stops
// doing so.
func (m *merger) emitReady(now time.Time) (int, time.Time, error) {
	m.mu.Lock()
	gate := m.gate
	m.mu.Unlock()
	if !gate {
		return 0, time.Time{}, nil
	}
	wrote := 0
	for m.heads.Len() > 0 {
		if until, held := m.heldBack(now, m.heads[0].headAt); held {
			return wrote, until, nil
		}
		in := heap.Pop(&m.heads).(*input)
		l := *in.head
		in.head = nil
		in.mark = in.headAt
		m.waiting[in] = true
		if err := m.sink.WriteLine(l); err != nil {
			return wrote, time.Time{}, err
		}
		wrote++
		m.pull(in, now)
	}
	return wrote, time.Time{}, nil
}

// heldBack reports whether a stream without a head may still deliver a line
// that belongs before the current minimum (at), and until when it may do so.
func (m *merger) heldBack(now, at time.Time) (time.Time, bool) {
	var until time.Time
	held := false
	for in := range m.waiting {
		if at.Before(in.mark) {
			continue // it has read past the minimum
		}
		if m.window <= 0 {
			return time.Time{}, true
		}
		wait := m.window
		if !in.isOpen {
			wait = m.connectWait
		}
		if end := in.since.Add(wait); end.After(now) {
			held = true
			if until.IsZero() || end.Before(until) {
				until = end
			}
		}
	}
	return until, held
}

func (m *merger) done() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.noMore && len(m.added) == 0 && len(m.inputs) == 0 && m.heads.Len() == 0
}

// headHeap orders inputs by their head's time, then stream key, then age.
type headHeap []*input

func (h headHeap) Len() int { return len(h) }
func (h headHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if c := a.headAt.Compare(b.headAt); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c < 0
	}
	return a.id < b.id
}
func (h headHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *headHeap) Push(x any) {
	in := x.(*input)
	in.heapIdx = len(*h)
	*h = append(*h, in)
}
func (h *headHeap) Pop() any {
	old := *h
	n := len(old)
	in := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return in
}
