package karmada

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Cluster is one API server the engine talks to: the Karmada control plane
// or a member cluster.
type Cluster struct {
	// Name appears in messages: "karmada" or the member cluster's name.
	Name      string
	Dynamic   dynamic.Interface
	Mapper    meta.RESTMapper
	Discovery discovery.DiscoveryInterface
}

// MemberAccess returns the Cluster for a member cluster named as Karmada
// names it (the Cluster object). It returns ErrNoMemberAccess when the
// caller has no credentials for that member; rollback and status then
// report what they could not verify instead of failing.
type MemberAccess func(ctx context.Context, name string) (*Cluster, error)

// ErrNoMemberAccess is wrapped by a MemberAccess that cannot reach a member.
var ErrNoMemberAccess = errors.New("no access to member cluster")

// Mapping is how a kind is served by one cluster.
type Mapping struct {
	GVK        schema.GroupVersionKind
	Resource   schema.GroupVersionResource
	Namespaced bool
}

// resolveKind maps what the user typed (kind or resource name, any case) to
// the kind and resource the cluster serves.
func (c *Cluster) resolveKind(k KindSpec) (Mapping, error) {
	gvr := schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: strings.ToLower(k.Kind)}
	gvk, err := c.Mapper.KindFor(gvr)
	if err != nil {
		return Mapping{}, fmt.Errorf("cluster %s does not serve %s: %w", c.Name, k, err)
	}
	return c.mapping(gvk)
}

// mapping returns how the cluster serves gvk, or an error wrapping
// meta.NoKindMatchError when it does not.
func (c *Cluster) mapping(gvk schema.GroupVersionKind) (Mapping, error) {
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return Mapping{}, fmt.Errorf("cluster %s does not serve %s: %w", c.Name, gvkString(gvk), err)
	}
	return Mapping{GVK: gvk, Resource: m.Resource, Namespaced: m.Scope.Name() == meta.RESTScopeNameNamespace}, nil
}

func (c *Cluster) resource(m Mapping, namespace string) dynamic.ResourceInterface {
	if m.Namespaced {
		return c.Dynamic.Resource(m.Resource).Namespace(namespace)
	}
	return c.Dynamic.Resource(m.Resource)
}

func gvkString(gvk schema.GroupVersionKind) string {
	return KindSpec{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}.String()
}

// NewCluster builds the clients of one API server from its rest.Config.
// Discovery is cached in memory for the life of the command, and the
// RESTMapper re-reads it once when a kind is not found (a CRD installed
// meanwhile). It makes no API call.
func NewCluster(name string, cfg *rest.Config) (*Cluster, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", name, err)
	}
	cached := memory.NewMemCacheClient(dc)
	return &Cluster{Name: name, Dynamic: dyn, Discovery: cached, Mapper: restmapper.NewDeferredDiscoveryRESTMapper(cached)}, nil
}
