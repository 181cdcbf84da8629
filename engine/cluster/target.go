package cluster

import (
	"fmt"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Target is one reachable cluster with its clients.
type Target struct {
	// Name is the MigCluster name, or HostName / a role for overrides.
	Name   string
	IsHost bool
	Config *rest.Config

	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
}

// NewTarget builds the clients of a cluster. It makes no API call.
func NewTarget(name string, cfg *rest.Config, isHost bool) (*Target, error) {
	cfg = rest.CopyConfig(cfg)
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, &Error{Cluster: name, Problem: "invalid client configuration", Fix: "check the URL, token and CA", Err: err}
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, &Error{Cluster: name, Problem: "invalid client configuration", Fix: "check the URL, token and CA", Err: err}
	}
	return &Target{Name: name, IsHost: isHost, Config: cfg, Kube: kc, Dynamic: dc}, nil
}

// Error is a cluster access failure: which cluster, what is wrong, and what
// to do about it.
type Error struct {
	Cluster string
	Problem string
	Fix     string
	Err     error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("cluster %q: %s", e.Cluster, e.Problem)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		msg += " (fix: " + e.Fix + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }
