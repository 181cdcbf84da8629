// Package mustgather holds the path rules of a kubectl-mig support bundle, so
// that the writer (gather) and the readers (diagnose --from, tests) agree on
// one layout without importing each other.
//
// Inside a cluster's directory the layout is the one `oc adm inspect` writes
// and omc/omg read:
//
//	namespaces/<ns>/<ns>.yaml
//	namespaces/<ns>/<group|core>/<resource>.yaml              a List of every object of that kind
//	namespaces/<ns>/pods/<pod>/<c>/<c>/logs/current.log       the container name is doubled, as inspect does
//	namespaces/<ns>/pods/<pod>/<c>/<c>/logs/previous.log
//	cluster-scoped-resources/<group|core>/<resource>/<name>.yaml
//
// A bundle puts one such tree per cluster under clusters/<cluster>/ (as the
// MTC must-gather image does), adds kubectl-mig's own files at the root
// (version, manifest.json, errors.json, summary.md), a migplans/ index that
// points into the cluster trees instead of copying files, Velero backup and
// restore logs under clusters/<cluster>/velero/, and metrics under metrics/
// and clusters/<cluster>/metrics/.
//
// All paths are slash-separated and relative to the bundle root.
package mustgather

import (
	"path"
	"strings"
)

// Names of the top-level entries of a bundle.
const (
	ClustersDir      = "clusters"
	NamespacesDir    = "namespaces"
	ClusterScopedDir = "cluster-scoped-resources"
	PodsDir          = "pods"
	MigPlansDir      = "migplans"
	MetricsDir       = "metrics"
	VeleroDir        = "velero"

	// VersionFile follows the must-gather image contract: product name on
	// the first line, version on the second.
	VersionFile  = "version"
	ManifestFile = "manifest.json"
	ErrorsFile   = "errors.json"
	SummaryFile  = "summary.md"
	// TimestampFile is written per cluster, as inspect does: start and end
	// time of the gather of that cluster.
	TimestampFile = "timestamp"

	// CoreGroup is how inspect spells the legacy ("") API group on disk.
	CoreGroup = "core"

	// ProductName is the first line of the version file.
	ProductName = "kubectl-mig gather"
)

// LogKind tells the current container log from the one of the previous
// (crashed or restarted) instance.
type LogKind string

const (
	CurrentLog  LogKind = "current"
	PreviousLog LogKind = "previous"
)

// GroupDir is the directory name of an API group: "core" for the legacy group.
func GroupDir(group string) string {
	if group == "" {
		return CoreGroup
	}
	return Segment(group)
}

// Segment makes one path segment out of a name taken from the cluster.
// Kubernetes names never hold '/', but custom resources and label values are
// less strict than one would hope, and a bundle must never write outside its
// root whatever the cluster returns.
func Segment(name string) string {
	switch name {
	case "", ".", "..":
		return "_" + name + "_"
	}
	if !strings.ContainsAny(name, "/\\\x00") {
		return name
	}
	return strings.NewReplacer("/", "_", "\\", "_", "\x00", "_").Replace(name)
}

// Cluster is the directory of one cluster: clusters/<cluster>.
func Cluster(cluster string) string {
	return path.Join(ClustersDir, Segment(cluster))
}

// InCluster joins a path relative to a cluster directory onto it.
func InCluster(cluster, rel string) string {
	return path.Join(Cluster(cluster), rel)
}

// Namespace is the directory of a namespace inside a cluster directory.
func Namespace(ns string) string {
	return path.Join(NamespacesDir, Segment(ns))
}

// NamespaceObject is where the Namespace object itself goes:
// namespaces/<ns>/<ns>.yaml.
func NamespaceObject(ns string) string {
	return path.Join(Namespace(ns), Segment(ns)+".yaml")
}

// NamespacedList is the file holding every object of one kind in a
// namespace, as a List: namespaces/<ns>/<group>/<resource>.yaml.
func NamespacedList(ns, group, resource string) string {
	return path.Join(Namespace(ns), GroupDir(group), Segment(resource)+".yaml")
}

// NamespacedObject is inspect's path for a single namespaced object:
// namespaces/<ns>/<group>/<resource>/<name>.yaml. Bundles write lists; readers
// accept both.
func NamespacedObject(ns, group, resource, name string) string {
	return path.Join(Namespace(ns), GroupDir(group), Segment(resource), Segment(name)+".yaml")
}

// ClusterScopedObject is the file of one cluster-scoped object:
// cluster-scoped-resources/<group>/<resource>/<name>.yaml.
func ClusterScopedObject(group, resource, name string) string {
	return path.Join(ClusterScopedDir, GroupDir(group), Segment(resource), Segment(name)+".yaml")
}

// ClusterScopedList is inspect's list form for cluster-scoped kinds
// (cluster-scoped-resources/<group>/<resource>.yaml); readers accept it.
func ClusterScopedList(group, resource string) string {
	return path.Join(ClusterScopedDir, GroupDir(group), Segment(resource)+".yaml")
}

// CRDObject is where the CustomResourceDefinition named <resource>.<group>
// goes, so that omc can read the custom resources of the bundle.
func CRDObject(resource, group string) string {
	return ClusterScopedObject("apiextensions.k8s.io", "customresourcedefinitions", resource+"."+group)
}

// Pod is the directory of a pod: namespaces/<ns>/pods/<pod>.
func Pod(ns, pod string) string {
	return path.Join(Namespace(ns), PodsDir, Segment(pod))
}

// PodObject is inspect's single-pod file, namespaces/<ns>/pods/<pod>/<pod>.yaml.
// Bundles keep pods in core/pods.yaml only (no file twice); omc falls back to
// this path, and so should other readers.
func PodObject(ns, pod string) string {
	return path.Join(Pod(ns, pod), Segment(pod)+".yaml")
}

// PodLogDir is namespaces/<ns>/pods/<pod>/<c>/<c>/logs: the container
// directory is nested twice, exactly as inspect writes it and omc expects.
func PodLogDir(ns, pod, container string) string {
	c := Segment(container)
	return path.Join(Pod(ns, pod), c, c, "logs")
}

// PodLog is the file of one container log (current or previous).
func PodLog(ns, pod, container string, kind LogKind) string {
	return path.Join(PodLogDir(ns, pod, container), string(kind)+".log")
}

// LegacyPodLog is where the shipped MTC must-gather image writes its own copy
// of pod logs (namespaces/<ns>/logs/<pod>/current.log, all containers in one
// file). kubectl-mig never writes it; readers of official bundles use it when
// the inspect path is missing.
func LegacyPodLog(ns, pod string, kind LogKind) string {
	return path.Join(Namespace(ns), "logs", Segment(pod), string(kind)+".log")
}

// VeleroLog is the log of a Velero Backup or Restore, fetched through a
// DownloadRequest: velero/<ns>/<backups|restores>/<name>/<name>.log inside a
// cluster directory. resource is "backups" or "restores".
func VeleroLog(ns, resource, name string) string {
	return path.Join(VeleroDir, Segment(ns), Segment(resource), Segment(name), Segment(name)+".log")
}

// VeleroResults is the results document (warnings and errors per namespace)
// of a Velero Backup or Restore, next to its log.
func VeleroResults(ns, resource, name string) string {
	return path.Join(VeleroDir, Segment(ns), Segment(resource), Segment(name), Segment(name)+"-results.json")
}

// ControllerMetrics is the raw Prometheus text exposition scraped from a
// migration controller's metrics Service in namespace ns, inside a cluster
// directory: metrics/mig-controller/<ns>.prom.
func ControllerMetrics(ns string) string {
	return path.Join(MetricsDir, "mig-controller", Segment(ns)+".prom")
}

// PrometheusQuery is the query_range answer (a Prometheus matrix, JSON) of one
// named query, at the bundle root: metrics/prometheus/<id>.json.
func PrometheusQuery(id string) string {
	return path.Join(MetricsDir, "prometheus", Segment(id)+".json")
}

// PrometheusIndex lists the queries of metrics/prometheus (expression,
// window, step, source, errors).
func PrometheusIndex() string {
	return path.Join(MetricsDir, "prometheus", "queries.json")
}

// MigPlanIndex is the per-plan index: migplans/<namespace>/<plan>.json. It
// names the files that hold the plan's objects and logs; nothing is copied.
func MigPlanIndex(namespace, plan string) string {
	return path.Join(MigPlansDir, Segment(namespace), Segment(plan)+".json")
}

// Diagnose report files, written by the gather from the live clusters so
// that the bundle carries the findings as seen when it was taken.
const (
	DiagnoseJSON = "diagnose/findings.json"
	DiagnoseText = "diagnose/findings.txt"
)
