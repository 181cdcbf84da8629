package mustgather

import "time"

// ManifestSchema is the version of the manifest.json format below. Readers
// refuse a higher major number rather than misread it.
const ManifestSchema = 1

// Manifest is manifest.json: what was gathered, from where, how long each
// step took, what failed, and the checksum of every other file in the bundle.
type Manifest struct {
	Schema     int       `json:"schema"`
	Tool       Tool      `json:"tool"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	// Partial is true when any fault was recorded: some data is missing.
	Partial  bool          `json:"partial"`
	Window   Window        `json:"window"`
	Options  Options       `json:"options"`
	Clusters []ClusterInfo `json:"clusters"`
	Steps    []Step        `json:"steps"`
	Faults   []Fault       `json:"faults"`
	// Files lists every file of the bundle but manifest.json itself, sorted
	// by path.
	Files []File `json:"files"`
}

// Tool identifies the build that wrote the bundle.
type Tool struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion,omitempty"`
	Platform  string `json:"platform,omitempty"`
}

// Window is the time range logs (and metrics) were gathered for. Since is
// the start; an empty Since means "everything the server keeps".
type Window struct {
	Since *time.Time `json:"since,omitempty"`
	Until time.Time  `json:"until"`
	// Duration is the --since flag as given ("72h0m0s"), empty with --since-time.
	Duration string `json:"duration,omitempty"`
}

// Options records the gather options (never credentials).
type Options struct {
	AllClusters    bool   `json:"allClusters"`
	Metrics        bool   `json:"metrics"`
	PrometheusURL  string `json:"prometheusURL,omitempty"`
	MaxLogBytes    int64  `json:"maxLogBytes"`
	Concurrency    int    `json:"concurrency"`
	Timeout        string `json:"timeout,omitempty"`
	RequestTimeout string `json:"requestTimeout,omitempty"`
	Archive        bool   `json:"archive"`
	Diagnose       bool   `json:"diagnose"`
}

// ClusterInfo describes one cluster of the bundle. Dir is its directory under
// clusters/.
type ClusterInfo struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
	// MigCluster is the MigCluster object standing for this cluster, when known.
	MigCluster string `json:"migCluster,omitempty"`
	Host       bool   `json:"host"`
	Server     string `json:"server,omitempty"`
	// Version is the API server's gitVersion, empty when unreachable.
	Version   string `json:"version,omitempty"`
	Reachable bool   `json:"reachable"`
	// MTCNamespaces are the namespaces holding a MigrationController (or the
	// default openshift-migration).
	MTCNamespaces []string `json:"mtcNamespaces,omitempty"`
	// Namespaces are all namespaces gathered in full on this cluster.
	Namespaces []string `json:"namespaces,omitempty"`
	// PodOnlyNamespaces hold only migration helper pods (and their logs):
	// their core/pods.yaml is not the full list of pods.
	PodOnlyNamespaces []string `json:"podOnlyNamespaces,omitempty"`
}

// Step is one timed piece of work, per cluster where it applies.
type Step struct {
	Name       string  `json:"name"`
	Cluster    string  `json:"cluster,omitempty"`
	DurationMS float64 `json:"durationMs"`
	Items      int     `json:"items"`
	Bytes      int64   `json:"bytes"`
	Errors     int     `json:"errors"`
}

// FaultKind classifies a failure so that readers can say "RBAC" rather
// than parse messages.
type FaultKind string

const (
	FaultForbidden    FaultKind = "forbidden"
	FaultUnauthorized FaultKind = "unauthorized"
	FaultNotFound     FaultKind = "notFound"
	FaultUnreachable  FaultKind = "unreachable"
	FaultTimeout      FaultKind = "timeout"
	FaultCanceled     FaultKind = "canceled"
	FaultOther        FaultKind = "other"
)

// Fault is one thing that could not be gathered. errors.json holds the same
// list as the manifest's faults.
type Fault struct {
	Cluster string    `json:"cluster,omitempty"`
	Step    string    `json:"step"`
	Kind    FaultKind `json:"kind"`
	// Object names what was asked for, e.g. "pods.core -n openshift-migration"
	// or "log openshift-migration/migration-controller-x/mtc".
	Object string `json:"object,omitempty"`
	// Path is the bundle file affected (partial or missing), if any.
	Path    string    `json:"path,omitempty"`
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

// File is one file of the bundle.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Truncated is set on logs cut to --max-log-bytes (the tail is kept) or
	// cut short by an error; OriginalSize is what the server sent.
	Truncated    bool  `json:"truncated,omitempty"`
	OriginalSize int64 `json:"originalSize,omitempty"`
}
