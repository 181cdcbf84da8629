package logs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

type memSink struct {
	mu    sync.Mutex
	lines []Line
}

func (s *memSink) WriteLine(l Line) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, l)
	return nil
}

func (s *memSink) Flush() error { return nil }

func (s *memSink) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.lines))
	for i, l := range s.lines {
		out[i] = l.Text
	}
	return out
}

var t0 = time.Date(2024, 4, 10, 14, 0, 0, 0, time.UTC)

// TestMergeExact feeds streams concurrently, each in random bursts, and
// expects one time-ordered sequence holding every line; far more lines than
// the queues hold, so ordering does not come from buffering everything.
func TestMergeExact(t *testing.T) {
	tests := []struct {
		name    string
		streams int
		lines   int
	}{
		{"one stream", 1, 500},
		{"two streams", 2, 1000},
		{"many streams", 12, 300},
		{"empty streams", 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &memSink{}
			m := newMerger(sink, 0)
			errc := make(chan error, 1)
			go func() { errc <- m.run(context.Background()) }()
			ctx := context.Background()
			var want []string
			var wg sync.WaitGroup
			for s := range tt.streams {
				in := m.add(fmt.Sprintf("s%02d", s))
				rng := rand.New(rand.NewPCG(uint64(s), 7))
				times := make([]time.Duration, tt.lines)
				var at time.Duration
				for i := range times {
					at += time.Duration(rng.IntN(1000)) * time.Millisecond
					times[i] = at
					want = append(want, fmt.Sprintf("%012d s%02d %04d", at.Milliseconds(), s, i))
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer in.close()
					in.markOpened(ctx)
					for i, d := range times {
						if rng.IntN(50) == 0 {
							time.Sleep(time.Millisecond) // a pause mid-stream
						}
						if rng.IntN(4) == 0 {
							in.progress(ctx, t0.Add(d)) // as if lines up to d were dropped
						}
						in.line(ctx, Line{Time: t0.Add(d), Text: fmt.Sprintf("%012d s%02d %04d", d.Milliseconds(), s, i)})
					}
				}()
			}
			m.openGate()
			wg.Wait()
			m.finish()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			slices.Sort(want) // time, then stream key, then per-stream order
			got := sink.texts()
			if !slices.Equal(got, want) {
				t.Fatalf("got %d lines, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestMergeGate: nothing is written before the gate opens, so a stream added
// late still takes its place in order.
func TestMergeGate(t *testing.T) {
	sink := &memSink{}
	m := newMerger(sink, 0)
	ctx := context.Background()
	a := m.add("a")
	a.markOpened(ctx)
	a.line(ctx, Line{Time: t0.Add(2 * time.Second), Text: "a2"})
	a.close()
	m.takeAdded()
	m.fill(t0)
	if n, _, _ := m.emitReady(t0); n != 0 {
		t.Fatalf("wrote %d lines before the gate opened", n)
	}
	b := m.add("b")
	b.markOpened(ctx)
	b.line(ctx, Line{Time: t0.Add(time.Second), Text: "b1"})
	b.close()
	m.finish()
	if err := m.run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.texts(); !slices.Equal(got, []string{"b1", "a2"}) {
		t.Fatalf("lines = %v", got)
	}
}

// TestMergeWindow drives the follow-mode decisions with explicit times: a
// quiet stream holds the others back only for the reorder window, a stream
// that has not opened yet for connectWait.
func TestMergeWindow(t *testing.T) {
	ctx := context.Background()
	sink := &memSink{}
	m := newMerger(sink, time.Second)
	now := t0
	m.now = func() time.Time { return now }
	busy, quiet, slow := m.add("busy"), m.add("quiet"), m.add("slow")
	m.openGate()
	busy.markOpened(ctx)
	quiet.markOpened(ctx)
	busy.line(ctx, Line{Time: t0, Text: "busy1"})
	step := func(at time.Time) (int, time.Time) {
		m.takeAdded()
		m.fill(at)
		n, until, err := m.emitReady(at)
		if err != nil {
			t.Fatal(err)
		}
		return n, until
	}
	if n, until := step(now); n != 0 || !until.Equal(t0.Add(time.Second)) {
		t.Fatalf("at start: wrote %d, held until %v; want 0 until +1s", n, until)
	}
	now = t0.Add(1500 * time.Millisecond) // quiet is idle; slow has not opened (connectWait 10s)
	if n, until := step(now); n != 0 || !until.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("slow still connecting: wrote %d, held until %v", n, until)
	}
	slow.markOpened(ctx)
	now = t0.Add(2 * time.Second)
	if n, _ := step(now); n != 0 {
		t.Fatalf("slow just opened: wrote %d, want 0", n)
	}
	now = t0.Add(3100 * time.Millisecond)
	if n, _ := step(now); n != 1 {
		t.Fatalf("all others quiet: wrote %d, want 1", n)
	}
	// A late line earlier than the written one is written next, out of
	// order: the window bounds the wait, not the disorder.
	quiet.line(ctx, Line{Time: t0.Add(-time.Second), Text: "quiet-late"})
	busy.line(ctx, Line{Time: t0.Add(time.Second), Text: "busy2"})
	slow.close()
	now = t0.Add(5 * time.Second)
	if n, _ := step(now); n != 1 { // busy2 waits: quiet just spoke
		t.Fatalf("after the late line: wrote %d, want 1", n)
	}
	now = t0.Add(6100 * time.Millisecond)
	step(now)
	if got := sink.texts(); !slices.Equal(got, []string{"busy1", "quiet-late", "busy2"}) {
		t.Fatalf("lines = %v", got)
	}
}

// TestMergeSinkError stops the merge at the first write error.
func TestMergeSinkError(t *testing.T) {
	ctx := context.Background()
	m := newMerger(failSink{}, 0)
	in := m.add("a")
	go func() {
		in.markOpened(ctx)
		in.line(ctx, Line{Time: t0, Text: "x"})
		in.close()
	}()
	m.openGate()
	if err := m.run(ctx); err == nil {
		t.Fatal("run succeeded despite the sink failing")
	}
}

type failSink struct{}

func (failSink) WriteLine(Line) error { return fmt.Errorf("disk full") }
func (failSink) Flush() error         { return nil }

// TestMergeZeroTimestamps keeps lines without a timestamp after their
// stream's previous line.
func TestMergeZeroTimestamps(t *testing.T) {
	ctx := context.Background()
	sink := &memSink{}
	m := newMerger(sink, 0)
	a, b := m.add("a"), m.add("b")
	go func() {
		a.line(ctx, Line{Time: t0.Add(time.Second), Text: "a1"})
		a.line(ctx, Line{Text: "a1-continued"})
		a.line(ctx, Line{Time: t0.Add(3 * time.Second), Text: "a3"})
		a.close()
	}()
	go func() {
		b.line(ctx, Line{Time: t0.Add(2 * time.Second), Text: "b2"})
		b.close()
	}()
	m.openGate()
	m.finish()
	if err := m.run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.texts(); !slices.Equal(got, []string{"a1", "a1-continued", "b2", "a3"}) {
		t.Fatalf("lines = %v", got)
	}
}

// TestMergeWatermark: a stream that has read past the minimum does not hold
// it back, even in an exact merge; one that has not, does.
func TestMergeWatermark(t *testing.T) {
	ctx := context.Background()
	sink := &memSink{}
	m := newMerger(sink, 0)
	a, b := m.add("a"), m.add("b")
	m.openGate()
	a.markOpened(ctx)
	b.markOpened(ctx)
	a.line(ctx, Line{Time: t0.Add(2 * time.Second), Text: "a2"})
	b.progress(ctx, t0.Add(time.Second)) // b has read up to 1s: a2 may still be preceded
	step := func() int {
		m.takeAdded()
		m.fill(t0)
		n, _, err := m.emitReady(t0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := step(); n != 0 {
		t.Fatalf("wrote %d lines while b could still precede a2", n)
	}
	b.progress(ctx, t0.Add(3*time.Second)) // b has read past a2
	if n := step(); n != 1 {
		t.Fatalf("wrote %d lines once b read past a2, want 1", n)
	}
	b.busy(ctx)
	a.line(ctx, Line{Time: t0.Add(4 * time.Second), Text: "a4"})
	if n := step(); n != 0 {
		t.Fatalf("wrote %d lines while b could still precede a4", n)
	}
	b.line(ctx, Line{Time: t0.Add(3500 * time.Millisecond), Text: "b3.5"})
	b.close()
	a.close()
	step()
	if got := sink.texts(); !slices.Equal(got, []string{"a2", "b3.5", "a4"}) {
		t.Fatalf("lines = %v", got)
	}
}

// TestMergeBackpressure: while one stream holds the merge back, another one
// can read no more than its queue ahead; its reader then waits, so memory
// does not grow with the log.
func TestMergeBackpressure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &memSink{}
	m := newMerger(sink, 0)
	busy, stalled := m.add("busy"), m.add("stalled")
	m.openGate()
	stalled.markOpened(ctx)
	sent := make(chan int, 1)
	go func() {
		n := 0
		for i := range 10 * queueLen {
			if !busy.line(ctx, Line{Time: t0.Add(time.Duration(i) * time.Millisecond)}) {
				break
			}
			n++
		}
		sent <- n
	}()
	for len(busy.ch) < cap(busy.ch) {
		time.Sleep(time.Millisecond)
	}
	m.takeAdded()
	m.fill(t0)
	if n, _, _ := m.emitReady(t0); n != 0 {
		t.Fatalf("wrote %d lines while a stream without lines could precede them", n)
	}
	for len(busy.ch) < cap(busy.ch) { // the head taken is replaced in the queue
		time.Sleep(time.Millisecond)
	}
	cancel()
	if n := <-sent; n != queueLen+1 {
		t.Fatalf("the reader got %d lines ahead, want the queue (%d) plus the head", n, queueLen)
	}
}
