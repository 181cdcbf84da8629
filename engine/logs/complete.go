package logs

import "sync"

// completion decides when UntilComplete ends a run. With a migration named,
// when it completes (at once if it already has) or is deleted. With a plan,
// when every migration of the plan that ran while we watched has completed:
// if none is running at start, the next one started is waited for.
type completion struct {
	done   chan struct{}
	once   sync.Once
	active map[string]bool
	told   map[string]bool
	// outcomes are reported when the run ends, after the last lines.
	mu       sync.Mutex
	outcomes []Event
}

func (r *runner) watchCompletion(done chan struct{}) *completion {
	c := &completion{done: done, active: map[string]bool{}, told: map[string]bool{}}
	st := r.scope
	st.mu.Lock()
	defer st.mu.Unlock()
	st.changed = c.observe
	c.observe(st.cur.Load())
	return c
}

// events returns the outcomes to report.
func (c *completion) events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outcomes
}

// observe is called with every new Scope, under the scope's lock.
func (c *completion) observe(s *Scope) {
	if s.Migration != "" {
		c.observeOne(s)
		return
	}
	for _, m := range s.Migrations {
		if !m.Terminal {
			c.active[m.Name] = true
		}
	}
	if len(c.active) == 0 {
		return
	}
	for _, m := range s.Migrations {
		if c.active[m.Name] && !m.Terminal {
			return
		}
	}
	for _, m := range s.Migrations {
		if c.active[m.Name] {
			c.tell(m)
		}
	}
	c.fire()
}

func (c *completion) observeOne(s *Scope) {
	if len(s.Migrations) == 0 {
		c.add(Event{Kind: MigrationCompleted, Message: "MigMigration " + s.Migration + " was deleted"})
		c.fire()
		return
	}
	if m := s.Migrations[0]; m.Terminal {
		c.tell(m)
		c.fire()
	}
}

func (c *completion) tell(m objInfo) {
	if c.told[m.Name] {
		return
	}
	c.told[m.Name] = true
	c.add(Event{Kind: MigrationCompleted, Message: "MigMigration " + m.Name + " completed: " + string(m.Outcome)})
}

func (c *completion) add(ev Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes = append(c.outcomes, ev)
}

func (c *completion) fire() { c.once.Do(func() { close(c.done) }) }
