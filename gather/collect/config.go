// Package collect gathers a support bundle from the MTC host cluster and
// every MigCluster: the MTC namespaces in the layout `oc adm inspect` writes,
// every migration.openshift.io and velero.io object with its CRD, the
// namespaces of each MigPlan on both sides, pods and their logs, Velero
// backup and restore logs, and metrics. Work runs on a bounded pool with
// paginated LISTs (one per kind across namespaces, or per kind and
// namespace when only a few of the cluster's namespaces are gathered);
// logs start downloading as soon as their pods are listed and stream
// through the redactor straight into the bundle. Nothing that fails aborts the gather:
// every fault is recorded in manifest.json and errors.json.
package collect

import (
	"sync/atomic"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// Defaults.
const (
	DefaultConcurrency    = 16
	DefaultRequestTimeout = 30 * time.Second
	DefaultMTCNamespace   = "openshift-migration"
	// DefaultMetricsWindow is the metrics range when logs are gathered
	// without a time limit.
	DefaultMetricsWindow = 24 * time.Hour
)

// Cluster is one cluster to gather.
type Cluster struct {
	// Name is the cluster's directory under clusters/ (its MigCluster name,
	// or "host").
	Name string
	// MigCluster names the MigCluster object standing for this cluster
	// (empty when none does).
	MigCluster string
	// Host marks the cluster running the MTC controller (MigPlans live there).
	Host bool
	// Config reaches the cluster; nil when Err is set.
	Config *rest.Config
	// Err says why the cluster could not be reached (a MigCluster with a bad
	// token, say): it is recorded as a fault and the cluster is skipped.
	Err error
}

// Metrics configures the metrics collection.
type Metrics struct {
	Enabled bool
	// PrometheusURL and PrometheusToken override discovery of the
	// thanos-querier / prometheus-k8s Route on the host cluster.
	PrometheusURL   string
	PrometheusToken string
	// PrometheusCA is an extra PEM bundle to trust for Prometheus.
	PrometheusCA []byte
}

// Config is everything a gather needs. The zero values of the optional
// fields are the defaults above.
type Config struct {
	Clusters []Cluster
	// Since limits logs to this long before the start (0: everything the
	// server keeps), unless SinceTime is set.
	Since     time.Duration
	SinceTime *time.Time
	// MaxLogBytes keeps only the last bytes of each log (0: no limit).
	MaxLogBytes    int64
	Concurrency    int
	RequestTimeout time.Duration
	// ListScope chooses between LISTs across all namespaces and LISTs per
	// namespace (default: whichever reads less, see ListScopeAuto).
	ListScope ListScope
	// MTCNamespace is used when no MigrationController object names the MTC
	// namespaces of a cluster.
	MTCNamespace string
	Metrics      Metrics
	// Diagnose runs the diagnose rules on the live clusters and writes the
	// findings into the bundle (diagnose/findings.json and .txt).
	Diagnose bool
	// Tool and Options are recorded in the manifest.
	Tool    mustgather.Tool
	Options mustgather.Options
	// Progress, if set, is updated as work is found and done.
	Progress *Progress
	// Now is time.Now outside tests.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MTCNamespace == "" {
		c.MTCNamespace = DefaultMTCNamespace
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Progress == nil {
		c.Progress = &Progress{}
	}
}

// Progress counts work items as they are found and finished, for a
// progress bar. Bytes come from the bundle.
type Progress struct {
	Total  atomic.Int64
	Done   atomic.Int64
	Faults atomic.Int64
	// Phase is the current phase name (a string).
	Phase atomic.Value
}

func (p *Progress) phase(name string) { p.Phase.Store(name) }

// Result is the outcome of a gather.
type Result struct {
	// Path is the archive or directory written.
	Path     string
	Manifest mustgather.Manifest
}

// Partial reports whether something could not be gathered.
func (r *Result) Partial() bool { return r.Manifest.Partial }
