package logs

import (
	"fmt"
	"io"
	"strings"
	"sync"

	englogs "github.com/kubectl-mig/kubectl-mig/engine/logs"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// notifier writes the engine's events to stderr, so that `| jq` or `| grep`
// on stdout sees log lines only (as stern does with its +/- markers).
type notifier struct {
	mu     sync.Mutex
	w      io.Writer
	follow bool
}

func newNotifier(w io.Writer, follow bool) *notifier { return &notifier{w: w, follow: follow} }

func (n *notifier) event(ev englogs.Event) {
	msg := n.format(ev)
	if msg == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintln(n.w, msg)
}

func (n *notifier) format(ev englogs.Event) string {
	where := ev.Cluster + "/" + ev.Namespace + "/" + ev.Pod
	ctrs := ""
	if len(ev.Containers) > 0 {
		ctrs = " [" + strings.Join(ev.Containers, " ") + "]"
	}
	switch ev.Kind {
	case englogs.PodAdded:
		return "+ " + where + ctrs
	case englogs.PodGone:
		return "- " + where + ": pod " + ev.Message + ", its log ends here"
	case englogs.ContainerWaiting:
		next := "no log yet"
		if n.follow {
			next = "followed once it starts"
		}
		return fmt.Sprintf("%s%s: not started (%s), %s", where, ctrs, ev.Message, next)
	case englogs.StreamFailed:
		return fmt.Sprintf("warning: %s%s: cannot read the log: %s", where, ctrs, cli.Advice(ev.Err))
	case englogs.ClusterUnreachable:
		return fmt.Sprintf("warning: cluster %q does not answer, its logs stop here while the other clusters' go on: %s",
			ev.Cluster, cli.Advice(ev.Err))
	case englogs.ClusterReachable:
		return fmt.Sprintf("cluster %q answers again, its logs resume", ev.Cluster)
	case englogs.Incomplete:
		return "warning: " + incomplete(ev)
	case englogs.MigrationCompleted:
		return ev.Message
	}
	return ""
}

func incomplete(ev englogs.Event) string {
	var parts []string
	if ev.Pod != "" {
		parts = append(parts, ev.Cluster+"/"+ev.Namespace+"/"+ev.Pod)
	} else if ev.Cluster != "" {
		parts = append(parts, fmt.Sprintf("cluster %q", ev.Cluster))
	}
	if ev.Err != nil {
		parts = append(parts, cli.Advice(ev.Err))
	}
	if ev.Message != "" {
		parts = append(parts, ev.Message)
	}
	return strings.Join(parts, ": ")
}
