package snapshot

import (
	"sort"
)

// NamespaceListing says how the live backend lists the namespaced kinds the
// rules need (pods, events, PVCs, services, routes, ConfigMaps, Secrets,
// workloads) in the namespaces of the plans in scope.
type NamespaceListing int

const (
	// ListAuto decides per cluster with wideListing's rule. It is the
	// default and what the commands use.
	ListAuto NamespaceListing = iota
	// ListPerNamespace lists each kind in each in-scope namespace.
	ListPerNamespace
	// ListClusterWide lists each kind once across all namespaces and keeps
	// the objects of the in-scope namespaces; a LIST the server refuses
	// still falls back to per-namespace LISTs.
	ListClusterWide
)

// minWideNamespaces is the fewest in-scope namespaces for which a
// cluster-wide LIST is considered: with one namespace it cannot save a
// request, it can only read more.
const minWideNamespaces = 2

// wideListing reports whether the namespaced kinds of the in-scope
// namespaces of one cluster are listed cluster-wide (one LIST per kind,
// objects of other namespaces dropped page by page) rather than once per
// namespace and kind.
//
// The two costs differ in kind. Per namespace, the API server pays its fixed
// per-request cost (authentication, authorization, audit, a storage read,
// response set-up) once per namespace and kind: 14 x 100 = 1,400 LISTs for
// ten plans of ten namespaces, 2 to 3 CPU-seconds of kube-apiserver and etcd
// on a 2-core machine. Cluster-wide, it pays that cost once per kind and
// page (35 requests in all for the same plans), but reads and encodes every
// object of the kind on the cluster, including those of namespaces no plan
// names, and that has no upper bound: a 5,000-namespace cluster diagnosed
// for a 3-namespace plan would send all its pods and events for nothing.
//
// So the cluster-wide LIST is chosen only when it cannot read much more
// than needed: when the namespaces outside the plans are no more numerous
// than the plans' namespaces (the plans hold at least half of the cluster's
// namespaces), so that, namespaces being alike, at most about as much again
// is read while the requests drop from kinds x namespaces to kinds x pages.
// This needs the cluster's namespaces, listed just before; when they could
// not be listed the cost cannot be bounded, and a user who may not list
// Namespaces is mostly one whose cluster-wide LISTs would be refused anyway,
// so the per-namespace LISTs are kept. A plain Kubernetes cluster has four
// namespaces of its own and OpenShift about seventy, so a plan of a few
// namespaces is always listed per namespace. Either way the snapshot holds
// the same objects, and a refused cluster-wide LIST falls back to the
// per-namespace ones (runJobs).
func wideListing(mode NamespaceListing, inScope *namespaceSet, clusterNamespaces []string, known bool) bool {
	switch {
	case inScope == nil || len(inScope.names) == 0:
		return false
	case mode == ListClusterWide:
		return true
	case mode == ListPerNamespace, !known, len(inScope.names) < minWideNamespaces:
		return false
	}
	outside := 0
	for _, ns := range clusterNamespaces {
		if !inScope.has(ns) {
			outside++
		}
	}
	return outside <= len(inScope.names)
}

// namespaceSet is the in-scope namespaces of one cluster. A cluster-wide job
// points at it to filter what it reads and to fall back to per-namespace
// jobs; a pointer keeps listJob comparable.
type namespaceSet struct {
	names  []string // sorted
	member map[string]bool
}

func newNamespaceSet(names map[string]bool) *namespaceSet {
	s := &namespaceSet{member: map[string]bool{}}
	for ns := range names {
		if ns != "" {
			s.member[ns] = true
			s.names = append(s.names, ns)
		}
	}
	sort.Strings(s.names)
	return s
}

func (s *namespaceSet) has(ns string) bool { return s.member[ns] }

// namespaceKinds are the LISTs made for each application namespace.
// Secrets and ConfigMaps are read as metadata only: diagnose never needs
// their values.
func namespaceKinds() []listJob {
	out := []listJob{
		{kind: Pod}, {kind: Event}, {kind: PersistentVolumeClaim}, {kind: Service}, {kind: Route},
		{kind: ConfigMap, metaOnly: true}, {kind: Secret, metaOnly: true},
	}
	for _, k := range WorkloadKinds {
		out = append(out, listJob{kind: k})
	}
	return out
}

// namespaceJobs are the LISTs for one application namespace.
func namespaceJobs(cluster, ns string) []listJob {
	out := namespaceKinds()
	for i := range out {
		out[i].cluster, out[i].namespace = cluster, ns
	}
	return out
}

// wideJobs are the cluster-wide LISTs standing for namespaceJobs of every
// namespace in nss.
func wideJobs(cluster string, nss *namespaceSet) []listJob {
	out := namespaceKinds()
	for i := range out {
		out[i].cluster, out[i].within = cluster, nss
	}
	return out
}

// fallbackJobs are the per-namespace LISTs a failed cluster-wide job
// stands for, so that what is recorded (objects, unavailable kinds, notes,
// inspected namespaces) is what the per-namespace path records.
func fallbackJobs(j listJob) []listJob {
	out := make([]listJob, 0, len(j.within.names))
	for _, ns := range j.within.names {
		f := j
		f.within, f.namespace = nil, ns
		out = append(out, f)
	}
	return out
}

// namespaceJobsFor picks, for one cluster, per-namespace or cluster-wide
// LISTs of the namespaced kinds (see wideListing). Namespaces must have
// been listed on the cluster before.
func (l *Live) namespaceJobsFor(cluster string, nss *namespaceSet) []listJob {
	var names []string
	nsObjs, err := l.Objects(cluster, Namespace)
	for _, o := range nsObjs {
		names = append(names, o.GetName())
	}
	if wideListing(l.cfg.NamespaceListing, nss, names, err == nil) {
		return wideJobs(cluster, nss)
	}
	var jobs []listJob
	for _, ns := range nss.names {
		jobs = append(jobs, namespaceJobs(cluster, ns)...)
	}
	return jobs
}
