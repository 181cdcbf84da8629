// Package kubelet is a stand-in for the one part of a kubelet the project's
// tests need: GET /containerLogs, reached through the kube-apiserver's real
// pods/log proxy. It registers a Ready Node whose InternalIP is 127.0.0.1 and
// whose kubelet endpoint port is the stand-in's TLS port, and serves container
// logs from files (a current and a ".previous" file per container).
//
// Stored log lines may start with an RFC3339Nano timestamp (optionally in CRI
// form "<ts> stdout F <msg>"); the timestamp drives sinceSeconds/sinceTime and
// is printed only when timestamps=true. Lines without one are never filtered
// out by since* and are printed as they are.
package kubelet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Config describes one stand-in kubelet.
type Config struct {
	// NodeName is the Node object to register (created if missing).
	NodeName string
	// Dir holds the log files: <Dir>/<ns>/<pod>/<container>.log and
	// <container>.previous.log.
	Dir string
	// ServingCert is the TLS certificate presented to the apiserver.
	ServingCert tls.Certificate
	// ClientCAs, when set, makes the stand-in require a client certificate
	// signed by one of them (the apiserver's --kubelet-client-certificate).
	ClientCAs *x509.CertPool
	// Client talks to the cluster: registers the Node and checks, while
	// following a log, whether the pod still exists.
	Client kubernetes.Interface
	// NodeLabels are extra labels for the Node.
	NodeLabels map[string]string
	// PodCheckInterval is how often a follow request re-checks the pod
	// (default 1s).
	PodCheckInterval time.Duration
}

// Kubelet is a running stand-in.
type Kubelet struct {
	cfg    Config
	ln     net.Listener
	srv    *http.Server
	mu     sync.Mutex
	logs   map[logKey]*logState
	closed chan struct{}
	// verbatim holds the stored logs that can be served as they are.
	verbatim map[string]verbatimLog
}

type logKey struct{ namespace, pod, container string }

// logState carries the wake-up signal for followers of one container.
type logState struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every append / end
	ended   bool
}

// Start listens on a free loopback port, serves the log API and registers
// (or updates) the Node. Close stops it.
func Start(ctx context.Context, cfg Config) (*Kubelet, error) {
	if cfg.NodeName == "" || cfg.Dir == "" || cfg.Client == nil {
		return nil, errors.New("kubelet: NodeName, Dir and Client are required")
	}
	if cfg.PodCheckInterval <= 0 {
		cfg.PodCheckInterval = time.Second
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("kubelet %s: log dir: %w", cfg.NodeName, err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cfg.ServingCert}, MinVersion: tls.VersionTLS12}
	if cfg.ClientCAs != nil {
		tlsCfg.ClientCAs = cfg.ClientCAs
		tlsCfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	if err != nil {
		return nil, fmt.Errorf("kubelet %s: listen: %w", cfg.NodeName, err)
	}
	k := &Kubelet{cfg: cfg, ln: ln, logs: map[logKey]*logState{}, closed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", k.serveLogs)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	k.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = k.srv.Serve(ln) }()
	if err := registerNode(ctx, cfg.Client, cfg.NodeName, k.Port(), cfg.NodeLabels); err != nil {
		_ = k.Close()
		return nil, err
	}
	return k, nil
}

// Port is the TLS port the Node advertises as its kubelet endpoint.
func (k *Kubelet) Port() int { return k.ln.Addr().(*net.TCPAddr).Port }

// NodeName is the name of the registered Node.
func (k *Kubelet) NodeName() string { return k.cfg.NodeName }

// Close ends every follow stream and stops serving.
func (k *Kubelet) Close() error {
	select {
	case <-k.closed:
		return nil
	default:
		close(k.closed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := k.srv.Shutdown(ctx); err != nil {
		return k.srv.Close()
	}
	return nil
}

// LogPath is where the log of a container is stored; previous selects the
// log of the container's previous (terminated) instance.
func (k *Kubelet) LogPath(namespace, pod, container string, previous bool) string {
	name := container + ".log"
	if previous {
		name = container + ".previous.log"
	}
	return filepath.Join(k.cfg.Dir, namespace, pod, name)
}

func (k *Kubelet) state(key logKey) *logState {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.logs[key]
	if !ok {
		s = &logState{changed: make(chan struct{})}
		k.logs[key] = s
	}
	return s
}

// wait returns a channel closed at the next append or end, and whether the
// container's log has been ended.
func (s *logState) wait() (<-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed, s.ended
}

func (s *logState) notify(end bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if end {
		s.ended = true
	}
	close(s.changed)
	s.changed = make(chan struct{})
}
