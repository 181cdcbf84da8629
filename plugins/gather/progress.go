package gather

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
)

const barWidth = 24

// startProgress draws a progress bar (items and bytes) on a terminal until
// the returned stop is called; elsewhere it draws nothing. The item total
// grows as work is discovered, so the bar is an estimate, not a promise.
func startProgress(w io.Writer, enabled bool, p *collect.Progress, b *bundle.Bundle) (stop func()) {
	if !enabled {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprint(w, "\r\033[K"+progressLine(p, b.Stats()))
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// progressLine renders one frame, e.g.
// "[=========>          ] 812/2031 items  210.4 MiB  0 faults  logs".
func progressLine(p *collect.Progress, st bundle.Stats) string {
	total, done := p.Total.Load(), p.Done.Load()
	filled := 0
	if total > 0 {
		filled = int(done * barWidth / total)
	}
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	phase, _ := p.Phase.Load().(string)
	return fmt.Sprintf("[%s] %d/%d items  %s  %d faults  %s", bar, done, total, humanBytes(st.Bytes), p.Faults.Load(), phase)
}
