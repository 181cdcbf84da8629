// Package snapshot gives the diagnose rules one read-only view of the
// migration's world, whatever it came from: a live set of clusters (host,
// source, destination) or a saved bundle (MTC must-gather, oc adm inspect,
// kubectl-mig gather). Rules see objects by cluster and kind, events, and the
// list of logs; logs themselves are only ever streamed, never held whole.
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// DefaultHost is the name of the cluster the migration controller runs on,
// as the MTC must-gather image names its directory.
const DefaultHost = "host"

// Snapshot is what rules read.
type Snapshot interface {
	// Describe says where the data comes from, for reports.
	Describe() Source
	// Clusters lists the cluster names present. HostCluster is among them.
	Clusters() []string
	// HostCluster is the cluster holding the MigPlans and MigClusters.
	HostCluster() string
	// Taken is when the data was read: now for live clusters, the gather
	// time for a bundle. "Pending for 10 minutes" is measured against it.
	Taken() time.Time
	// Objects returns every object of kind on cluster, or an *UnavailableError
	// when the snapshot cannot tell (not collected, forbidden, unreachable).
	// An empty list with a nil error means "there are none".
	Objects(cluster string, kind Kind) ([]*unstructured.Unstructured, error)
	// Inspected reports whether the namespaced contents of namespace on
	// cluster (pods, workloads, events, ...) are in the snapshot. A bundle
	// only has the namespaces its tool inspected.
	Inspected(cluster, namespace string) bool
	// Logs lists the logs available.
	Logs() []LogRef
	// StreamLogs opens each of refs once and hands it to fn. Backends choose
	// the order and the concurrency (an archive is read in one pass); fn must
	// be safe for concurrent use. An error opening one log is passed to fn's
	// caller through LogError and does not stop the others.
	StreamLogs(ctx context.Context, refs []LogRef, fn func(LogRef, io.Reader) error) []LogError
}

// TLSProber is implemented by live snapshots: it re-runs the TLS handshake
// to an API server URL with a given CA bundle, to confirm a certificate
// problem the controller only hints at.
type TLSProber interface {
	ProbeTLS(ctx context.Context, url string, caBundle []byte, insecure bool) error
}

// RequestCounter is implemented by live snapshots: the number of API
// requests made so far.
type RequestCounter interface {
	Requests() int64
}

// Source describes a snapshot for reports.
type Source struct {
	Type string `json:"type"` // "live" or "bundle"
	// Path is the bundle path (bundle only).
	Path string `json:"path,omitempty"`
	// Layout is what the bundle looked like: "must-gather", "inspect",
	// "kubectl-mig" (bundle only).
	Layout   string   `json:"layout,omitempty"`
	Clusters []string `json:"clusters"`
	// Notes are facts about the data itself (a cluster that could not be
	// gathered, a truncated log) that a reader should know.
	Notes []string `json:"notes,omitempty"`
}

// UnavailableError says why data is missing, so that a rule needing it is
// reported as skipped with that reason instead of as passed.
type UnavailableError struct {
	Cluster string
	What    string
	Reason  string
}

func (e *UnavailableError) Error() string {
	if e.Cluster == "" {
		return fmt.Sprintf("%s not available: %s", e.What, e.Reason)
	}
	return fmt.Sprintf("%s not available on cluster %q: %s", e.What, e.Cluster, e.Reason)
}

// IsUnavailable reports whether err says that data is missing.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// Component is what kind of program wrote a log.
type Component string

// Components the rules care about. Logs of other pods are Other.
const (
	Controller    Component = "controller"     // mig-controller (containers mtc, discovery)
	Velero        Component = "velero"         // the velero server
	NodeAgent     Component = "node-agent"     // restic (Velero < 1.10) or node-agent daemon
	Rsync         Component = "rsync"          // DVM rsync client/server pods (rsync and stunnel containers)
	Stage         Component = "stage"          // stage pods of indirect volume migration
	Hook          Component = "hook"           // migration hook job pods
	VeleroBackup  Component = "velero-backup"  // `velero backup logs` / describe of one Backup
	VeleroRestore Component = "velero-restore" // `velero restore logs` / describe of one Restore
	Kubelet       Component = "kubelet"        // node journal / kubelet text
	Other         Component = "other"
)

// LogRef identifies one log.
type LogRef struct {
	Cluster   string    `json:"cluster,omitempty"`
	Namespace string    `json:"namespace,omitempty"`
	Pod       string    `json:"pod,omitempty"`
	Container string    `json:"container,omitempty"`
	Previous  bool      `json:"previous,omitempty"`
	Component Component `json:"component"`
	// Owner names the Backup or Restore a velero-backup/velero-restore log
	// belongs to.
	Owner string `json:"owner,omitempty"`
	// Path is the file inside a bundle, or a kubectl-style locator for live
	// logs (pods/<ns>/<pod>/<container>); evidence cites it with a line.
	Path string `json:"path"`
	// Compressed marks a gzip file inside a bundle (rotated logs).
	Compressed bool `json:"-"`
}

// LogError is a log that could not be read.
type LogError struct {
	Ref LogRef
	Err error
}
