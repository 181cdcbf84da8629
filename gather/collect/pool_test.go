package collect

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolSpawn: jobs spawned from running jobs all run, never more than
// the limit at once, and Wait returns once the last of them is done, with
// the items counted under their own step.
func TestPoolSpawn(t *testing.T) {
	for _, limit := range []int{1, 2, 7} {
		for round := 0; round < 20; round++ {
			p := newPool(context.Background(), "objects", limit, &Progress{})
			var running, peak, ran atomic.Int64
			work := func(ctx context.Context) {
				n := running.Add(1)
				for {
					old := peak.Load()
					if n <= old || peak.CompareAndSwap(old, n) {
						break
					}
				}
				if ran.Add(1)%5 == 0 {
					time.Sleep(time.Millisecond)
				}
				running.Add(-1)
			}
			for i := 0; i < 10; i++ {
				p.Go("c", func(ctx context.Context) {
					work(ctx)
					for j := 0; j < 30; j++ {
						p.Spawn("logs", "c", work)
					}
				})
			}
			steps := p.Wait(func(string, time.Time, time.Time) int { return 0 })
			if got := ran.Load(); got != 10+10*30 {
				t.Fatalf("limit %d: %d jobs ran, want %d", limit, got, 10+10*30)
			}
			if peak.Load() > int64(limit) {
				t.Fatalf("limit %d: %d jobs ran at once", limit, peak.Load())
			}
			items := map[string]int{}
			for _, s := range steps {
				items[s.Name] = s.Items
			}
			if items["objects"] != 10 || items["logs"] != 300 {
				t.Fatalf("limit %d: steps %+v", limit, steps)
			}
		}
	}
}
