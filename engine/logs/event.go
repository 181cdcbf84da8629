package logs

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	// PodAdded: while following, a pod of interest appeared (or started).
	PodAdded EventKind = "PodAdded"
	// PodGone: a pod whose logs were streamed was deleted or replaced; its
	// log ends there. Reported once per pod.
	PodGone EventKind = "PodGone"
	// ContainerWaiting: a container has not started, so it has no log yet
	// (while following it is streamed once it starts). Reported once.
	ContainerWaiting EventKind = "ContainerWaiting"
	// StreamFailed: reading one container's log failed for a reason other
	// than its pod or cluster going away.
	StreamFailed EventKind = "StreamFailed"
	// ClusterUnreachable: a cluster stopped answering; reported once until it
	// answers again. The other clusters' logs keep streaming.
	ClusterUnreachable EventKind = "ClusterUnreachable"
	// ClusterReachable: a cluster reported unreachable answers again.
	ClusterReachable EventKind = "ClusterReachable"
	// Incomplete: something could not be read, so lines may be missing (a
	// cluster left out, a kind that could not be listed, the stream limit).
	Incomplete EventKind = "Incomplete"
	// MigrationCompleted: with UntilComplete, a migration of interest
	// reached its outcome (Message holds it).
	MigrationCompleted EventKind = "MigrationCompleted"
)

// Event is something the user should know about while logs stream.
type Event struct {
	Kind      EventKind
	Cluster   string
	Namespace string
	Pod       string
	// Containers concerned, when the event is about containers.
	Containers []string
	// Message is a human-readable detail (a waiting reason, an outcome).
	Message string
	Err     error
}

// Problem reports whether the event means the output misses lines.
func (e Event) Problem() bool {
	switch e.Kind {
	case StreamFailed, ClusterUnreachable, Incomplete:
		return true
	}
	return false
}
