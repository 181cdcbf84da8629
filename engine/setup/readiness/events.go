package readiness

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
)

// Event is a Kubernetes Event about an MTC object. The controller records
// every condition it sets as an Event, so they show the object's history.
type Event struct {
	Type     string    `json:"type"`
	Reason   string    `json:"reason"`
	Message  string    `json:"message"`
	Count    int32     `json:"count,omitempty"`
	LastSeen time.Time `json:"lastSeen"`
}

// maxEvents bounds what a describe shows.
const maxEvents = 20

// Events returns the newest Events about the named object of kind, newest
// last (as kubectl describe shows them).
func Events(ctx context.Context, kc kubernetes.Interface, ns, kind, name string) ([]Event, error) {
	sel := fields.Set{"involvedObject.kind": kind, "involvedObject.name": name}.AsSelector().String()
	list, err := kc.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: sel, Limit: 500})
	if err != nil {
		return nil, fmt.Errorf("list events of %s %s/%s: %w", kind, ns, name, err)
	}
	out := make([]Event, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, toEvent(&list.Items[i]))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastSeen.Before(out[j].LastSeen) })
	if len(out) > maxEvents {
		out = out[len(out)-maxEvents:]
	}
	return out, nil
}

func toEvent(e *corev1.Event) Event {
	last := e.LastTimestamp.Time
	if last.IsZero() {
		last = e.EventTime.Time
	}
	if last.IsZero() {
		last = e.CreationTimestamp.Time
	}
	return Event{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count, LastSeen: last.UTC()}
}
