package snapshot

import (
	"sort"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// store is the in-memory object index both backends fill.
type store struct {
	host     string
	clusters map[string]*clusterData
	order    []string
	logs     []LogRef
	source   Source
	// absent decides what an empty kind means for a backend: nil when it
	// means "none", an error when the data was never collected.
	absent func(cluster string, c *clusterData, k Kind) error
	taken  time.Time
}

type objKey struct{ ns, name string }

type clusterData struct {
	objects     map[schema.GroupKind]map[objKey]*unstructured.Unstructured
	unavailable map[schema.GroupKind]string
	listed      map[schema.GroupKind]bool
	inspected   map[string]bool
	anyCR       bool
}

func newStore(host string) *store {
	return &store{host: host, clusters: map[string]*clusterData{}}
}

func (s *store) cluster(name string) *clusterData {
	c, ok := s.clusters[name]
	if !ok {
		c = &clusterData{
			objects:     map[schema.GroupKind]map[objKey]*unstructured.Unstructured{},
			unavailable: map[schema.GroupKind]string{},
			listed:      map[schema.GroupKind]bool{},
			inspected:   map[string]bool{},
		}
		s.clusters[name] = c
		s.order = append(s.order, name)
		sort.Strings(s.order)
	}
	return c
}

// add indexes one object; a later copy of the same object replaces an
// earlier one only when its resourceVersion is newer (bundles may hold the
// same object twice, e.g. in a List and in a single-object file).
func (s *store) add(cluster string, u *unstructured.Unstructured) {
	c := s.cluster(cluster)
	gk := u.GroupVersionKind().GroupKind()
	m := c.objects[gk]
	if m == nil {
		m = map[objKey]*unstructured.Unstructured{}
		c.objects[gk] = m
	}
	k := objKey{u.GetNamespace(), u.GetName()}
	if old, ok := m[k]; ok && !newer(u.GetResourceVersion(), old.GetResourceVersion()) {
		return
	}
	m[k] = u
	if isCR(gk) {
		c.anyCR = true
	}
	if gk.Kind == "Namespace" && gk.Group == "" {
		c.inspected[u.GetName()] = true
	}
}

func (s *store) Describe() Source { src := s.source; src.Clusters = s.Clusters(); return src }

func (s *store) Taken() time.Time { return s.taken }

func (s *store) Clusters() []string { return append([]string(nil), s.order...) }

func (s *store) HostCluster() string { return s.host }

func (s *store) Objects(cluster string, kind Kind) ([]*unstructured.Unstructured, error) {
	c, ok := s.clusters[cluster]
	if !ok {
		return nil, &UnavailableError{Cluster: cluster, What: kind.String(), Reason: "the cluster is not in the snapshot"}
	}
	gk := kind.GroupKind()
	if reason, bad := c.unavailable[gk]; bad {
		return nil, &UnavailableError{Cluster: cluster, What: kind.String(), Reason: reason}
	}
	m := c.objects[gk]
	if len(m) == 0 && s.absent != nil {
		if err := s.absent(cluster, c, kind); err != nil {
			return nil, err
		}
	}
	out := make([]*unstructured.Unstructured, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].GetNamespace() != out[j].GetNamespace() {
			return out[i].GetNamespace() < out[j].GetNamespace()
		}
		return out[i].GetName() < out[j].GetName()
	})
	return out, nil
}

func (s *store) Inspected(cluster, namespace string) bool {
	c, ok := s.clusters[cluster]
	return ok && c.inspected[namespace]
}

func (s *store) Logs() []LogRef { return append([]LogRef(nil), s.logs...) }

// newer compares resourceVersions numerically when both are numbers (as
// etcd-backed servers write them); otherwise the first copy seen wins.
func newer(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}
