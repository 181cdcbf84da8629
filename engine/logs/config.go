package logs

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of Config.
const (
	// DefaultMaxStreams bounds the log requests open at once (stern's
	// --max-log-requests is 50 while following; MTC needs a few more for
	// restic DaemonSets on two clusters).
	DefaultMaxStreams = 100
	// DefaultReorderWindow is how long, while following, a quiet stream may
	// hold back the lines of the others.
	DefaultReorderWindow = 500 * time.Millisecond
	// DefaultSinceMargin is how far before a migration's start the logs are
	// read by default: the controller validates a migration just before it
	// records its start, and clusters' clocks differ a little.
	DefaultSinceMargin = 5 * time.Minute
	// DefaultDrain is how long, with UntilComplete, streams go on after the
	// migration completes, so that its last lines are not cut off.
	DefaultDrain = 3 * time.Second
)

// Config says which logs to stream and where to.
type Config struct {
	// Namespace holds the MTC resources on the host, and MTC's and Velero's
	// pods on every cluster (openshift-migration).
	Namespace string
	// Plan or Migration (exactly one) names what the logs are about. With
	// Migration, lines about its plan's other migrations are left out.
	Plan      string
	Migration string

	// Components selects the components; empty means all.
	Components ComponentSet
	// Follow streams new lines and new pods until ctx ends.
	Follow bool
	// UntilComplete ends following once the migration (or every migration of
	// the plan, including one started meanwhile) has completed.
	UntilComplete bool
	// Since limits lines to the last Since. Zero: from DefaultSinceMargin
	// before the earliest migration of interest started (AllHistory: no limit).
	Since      time.Duration
	AllHistory bool
	// Tail keeps only the last Tail lines (after filtering) of each container;
	// negative: all.
	Tail int64

	// MaxStreams bounds the concurrent log requests (DefaultMaxStreams).
	MaxStreams int
	// ReorderWindow: see DefaultReorderWindow.
	ReorderWindow time.Duration
	// Drain: see DefaultDrain.
	Drain time.Duration

	// Sink receives the lines, in order, from a single goroutine.
	Sink Sink
	// Events receives what happens to pods, streams and clusters (pods
	// appearing and vanishing, unreachable clusters, ...); it may be called
	// from several goroutines at once. Nil drops them.
	Events func(Event)
}

// Sink receives merged lines.
type Sink interface {
	// WriteLine writes one line; an error stops Run.
	WriteLine(Line) error
	// Flush is called whenever no further line is ready to be written.
	Flush() error
}

// Line is one log line.
type Line struct {
	// Time is the kubelet's timestamp of the line (zero if it had none).
	Time      time.Time
	Cluster   string
	Namespace string
	Pod       string
	Container string
	Component Component
	// Text is the line without the kubelet's timestamp and newline.
	Text string
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.MaxStreams <= 0 {
		out.MaxStreams = DefaultMaxStreams
	}
	if out.ReorderWindow <= 0 {
		out.ReorderWindow = DefaultReorderWindow
	}
	if out.Drain <= 0 {
		out.Drain = DefaultDrain
	}
	if out.UntilComplete {
		out.Follow = true
	}
	if out.Events == nil {
		out.Events = func(Event) {}
	}
	return out
}

// Validate checks the Config before anything is contacted.
func (c *Config) Validate() error {
	switch {
	case (c.Plan == "") == (c.Migration == ""):
		return errors.New("name either a plan or a migration")
	case c.Since < 0:
		return fmt.Errorf("since must not be negative (got %s)", c.Since)
	case c.Sink == nil:
		return errors.New("no sink for the lines")
	case c.Namespace == "":
		return errors.New("the MTC namespace is not set")
	}
	return nil
}
