package logs

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// health tracks which clusters answer, so that a cluster going away is
// reported once (not once per stream and watch) and its coming back too.
type health struct {
	emit func(Event)
	mu   sync.Mutex
	down map[string]bool
	// told: keys of failures reported once until the call succeeds again.
	told map[string]bool
	// problems counts events that mean lines are missing.
	problems int
}

func newHealth(emit func(Event)) *health {
	return &health{emit: emit, down: map[string]bool{}, told: map[string]bool{}}
}

// callFailed reports a failed call (a LIST or WATCH, retried while
// following): once per cluster if the cluster is unreachable, else once per
// key until callOK(key).
func (h *health) callFailed(cluster, key string, ev Event) {
	if h.failed(cluster, ev.Err) {
		return
	}
	h.mu.Lock()
	first := !h.told[key]
	h.told[key] = true
	h.mu.Unlock()
	if first {
		h.report(ev)
	}
}

// callOK records a successful call.
func (h *health) callOK(cluster, key string) {
	h.mu.Lock()
	delete(h.told, key)
	h.mu.Unlock()
	h.ok(cluster)
}

// report forwards an event, counting problems.
func (h *health) report(ev Event) {
	if ev.Problem() {
		h.mu.Lock()
		h.problems++
		h.mu.Unlock()
	}
	h.emit(ev)
}

// failed records a failed call to cluster. It returns true when err means the
// cluster cannot be reached; that is reported the first time only.
func (h *health) failed(cluster string, err error) bool {
	if !unreachable(err) {
		return false
	}
	h.mu.Lock()
	first := !h.down[cluster]
	h.down[cluster] = true
	h.mu.Unlock()
	if first {
		h.report(Event{Kind: ClusterUnreachable, Cluster: cluster, Err: err})
	}
	return true
}

// ok records a successful call to cluster.
func (h *health) ok(cluster string) {
	h.mu.Lock()
	was := h.down[cluster]
	delete(h.down, cluster)
	h.mu.Unlock()
	if was {
		h.emit(Event{Kind: ClusterReachable, Cluster: cluster})
	}
}

// isDown reports whether cluster was last seen unreachable.
func (h *health) isDown(cluster string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down[cluster]
}

func (h *health) problemCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.problems
}

// unreachable reports whether err means the API server (or the path to it)
// is gone, as opposed to an answer from it.
func unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return apierrors.IsServiceUnavailable(err) || apierrors.IsTimeout(err) && strings.Contains(err.Error(), "dial")
	}
	var netErr net.Error
	switch {
	case utilnet.IsConnectionRefused(err), utilnet.IsConnectionReset(err), utilnet.IsProbableEOF(err),
		utilnet.IsHTTP2ConnectionLost(err), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "no route to host", "i/o timeout",
		"use of closed network connection", "server closed", "http2: client connection lost", "EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
