package collect

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// downAfter is how many consecutive connection failures make a cluster
// "down": its remaining requests are skipped (and counted) instead of each
// waiting for its own timeout.
const downAfter = 5

// errClusterDown is returned for requests skipped on a cluster that stopped
// answering.
var errClusterDown = errors.New("cluster stopped answering; request skipped")

// faults records what could not be gathered. Safe for concurrent use.
type faults struct {
	now func() time.Time
	mu  sync.Mutex
	all []mustgather.Fault
}

func (f *faults) add(fl mustgather.Fault) {
	if fl.Time.IsZero() {
		fl.Time = f.now()
	}
	f.mu.Lock()
	f.all = append(f.all, fl)
	f.mu.Unlock()
}

// record classifies err and adds it.
func (f *faults) record(cluster, step, object, path string, err error) {
	f.add(mustgather.Fault{Cluster: cluster, Step: step, Kind: classify(err), Object: object, Path: path, Message: err.Error()})
}

func (f *faults) list() []mustgather.Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]mustgather.Fault(nil), f.all...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Cluster != out[j].Cluster {
			return out[i].Cluster < out[j].Cluster
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out
}

// classify maps an error to a FaultKind.
func classify(err error) mustgather.FaultKind {
	var unknownAuthority x509.UnknownAuthorityError
	switch {
	case err == nil:
		return mustgather.FaultOther
	case errors.Is(err, errClusterDown):
		return mustgather.FaultUnreachable
	case apierrors.IsForbidden(err):
		return mustgather.FaultForbidden
	case apierrors.IsUnauthorized(err):
		return mustgather.FaultUnauthorized
	case apierrors.IsNotFound(err):
		return mustgather.FaultNotFound
	case errors.Is(err, context.Canceled):
		return mustgather.FaultCanceled
	case errors.Is(err, context.DeadlineExceeded), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err), isNetTimeout(err):
		return mustgather.FaultTimeout
	case errors.As(err, &unknownAuthority), isConnectionError(err):
		return mustgather.FaultUnreachable
	}
	return mustgather.FaultOther
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isConnectionError recognises a server that is gone or not there: refused
// or reset connections, DNS failures, streams cut short.
func isConnectionError(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &dnsErr), errors.As(err, &opErr):
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "no route to host",
		"http2: client connection lost", "http2: server sent GOAWAY", "use of closed network connection", "EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// breaker tracks whether a cluster still answers.
type breaker struct {
	consecutive atomic.Int32
	down        atomic.Bool
	skipped     atomic.Int64
}

// allow reports whether a request may go out; a skipped one is counted.
func (b *breaker) allow() bool {
	if b.down.Load() {
		b.skipped.Add(1)
		return false
	}
	return true
}

// observe feeds the outcome of an API request: a refused or broken
// connection, or a request that timed out (a hung API server), counts
// against the cluster; anything the server answered resets the count.
func (b *breaker) observe(err error) {
	switch {
	case err == nil:
		b.consecutive.Store(0)
	case errors.Is(err, context.Canceled):
	case isConnectionError(err), errors.Is(err, context.DeadlineExceeded), isNetTimeout(err):
		if b.consecutive.Add(1) >= downAfter {
			b.down.Store(true)
		}
	default:
		b.consecutive.Store(0)
	}
}

// observeStream feeds the outcome of a log stream: only a broken
// connection counts (a stalled log may be one node's kubelet, not the API
// server).
func (b *breaker) observeStream(err error) {
	if err == nil || isConnectionError(err) {
		b.observe(err)
	}
}

// skippedFault summarises the requests a down cluster did not get.
func (b *breaker) skippedFault(cluster string) (mustgather.Fault, bool) {
	n := b.skipped.Load()
	if n == 0 {
		return mustgather.Fault{}, false
	}
	return mustgather.Fault{
		Cluster: cluster, Step: "gather", Kind: mustgather.FaultUnreachable,
		Message: fmt.Sprintf("cluster %s stopped answering after %d consecutive connection failures; %d further requests were skipped: check that its API server is up and reachable, then gather again", cluster, downAfter, n),
	}, true
}
