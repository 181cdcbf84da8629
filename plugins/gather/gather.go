// Package gather implements `kubectl mig gather`: a fast, redacted support
// bundle in the must-gather layout, from the host cluster and every
// MigCluster, without running anything in the clusters.
package gather

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-mig/kubectl-mig/engine/buildinfo"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/bundle"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// ExitPartial: the bundle was written but some data could not be gathered
// (listed in its errors.json). 0 means complete, 1 that no bundle was
// written, 2 invalid arguments.
const ExitPartial = 3

// memoryLimit is the soft heap limit of a gather (GOMEMLIMIT overrides it).
const memoryLimit = 100 << 20

// Options holds the flags of the gather command.
type Options struct {
	DestDir         string
	Since           time.Duration
	SinceTime       string
	AllClusters     bool
	Metrics         bool
	PrometheusURL   string
	PrometheusToken string
	MaxLogBytes     string
	Concurrency     int
	Timeout         time.Duration
	NoArchive       bool
	Diagnose        bool

	env            *cli.Env
	sinceTime      *time.Time
	maxLogBytes    int64
	requestTimeout time.Duration
	progress       bool
	now            func() time.Time
}

// NewCmdGather builds `gather`.
func NewCmdGather(env *cli.Env) *cobra.Command {
	o := &Options{env: env, DestDir: ".", Since: 72 * time.Hour, AllClusters: true, Metrics: true, Diagnose: true,
		MaxLogBytes: "64Mi", Concurrency: collect.DefaultConcurrency, now: time.Now}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "gather [flags]",
		Short: "Collect a redacted support bundle (must-gather layout) from the host and every MigCluster",
		Long: `Gather everything needed to troubleshoot a migration into one .tar.gz, from the
host cluster and every MigCluster at once, without running anything in the
clusters:

  * the MTC namespaces (found through MigrationController objects), in the layout
    'oc adm inspect' writes and omc reads, with pod logs (current and previous);
  * every migration.openshift.io and velero.io object, and their CRDs;
  * for each MigPlan, its namespaces on the source and destination clusters
    (workloads, PVCs and their PVs, events, pods and logs) and the rsync, stunnel,
    stage and hook pods with their logs;
  * Velero backup and restore logs, fetched like 'velero backup logs' does;
  * MTC metrics from Prometheus and from the controller's /metrics endpoint;
  * the findings of 'diagnose' on the live clusters (diagnose/findings.*).

Secret values never reach the bundle: Secrets are elided, credentials in
objects, environment variables, logs and ConfigMaps are masked. Files are
readable by their owner only. manifest.json lists what was gathered, how long
each step took, what failed and the checksum of every file; summary.md is for
people; errors.json lists the faults.

Exit status: 0 complete, 3 written but partial (see errors.json), 1 no bundle
written, 2 invalid arguments.`,
		Example: fmt.Sprintf(`  # Gather the last 72 hours into ./mig-gather-<time>.tar.gz
  %[1]s gather

  # The last hour only, into a directory, logs capped at 10 MiB each
  %[1]s gather --since 1h --no-archive --max-log-bytes 10Mi --dest-dir /tmp/case-1234

  # Only the host cluster, with an explicit Prometheus
  %[1]s gather --all-clusters=false --prometheus-url https://thanos.example.com --prometheus-token "$(oc whoami -t)"`, name),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(cmd); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DestDir, "dest-dir", o.DestDir, "directory that receives the bundle")
	f.DurationVar(&o.Since, "since", o.Since, "gather logs newer than this (e.g. 1h, 24h); 0 for everything the nodes keep")
	f.StringVar(&o.SinceTime, "since-time", "", "gather logs newer than this RFC3339 time (instead of --since)")
	f.BoolVar(&o.AllClusters, "all-clusters", o.AllClusters, "gather every MigCluster too, not only the host cluster")
	f.BoolVar(&o.Metrics, "metrics", o.Metrics, "gather MTC metrics (Prometheus when found, and the controller's /metrics)")
	f.StringVar(&o.PrometheusURL, "prometheus-url", "", "Prometheus to query instead of the discovered thanos-querier/prometheus-k8s Route")
	f.StringVar(&o.PrometheusToken, "prometheus-token", "", "bearer token for Prometheus (default: the kubeconfig's token)")
	f.StringVar(&o.MaxLogBytes, "max-log-bytes", o.MaxLogBytes, "keep at most this much of the end of each log (e.g. 10Mi); 0 for no limit")
	f.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "requests in flight at once")
	f.DurationVar(&o.Timeout, "timeout", 0, "stop gathering after this long and write what was gathered (0: no limit)")
	f.BoolVar(&o.NoArchive, "no-archive", false, "write a directory instead of a .tar.gz")
	f.BoolVar(&o.Diagnose, "diagnose", o.Diagnose, "run the diagnose rules on the live clusters and put the findings in the bundle")
	return cmd
}

// Complete parses flag values that need it.
func (o *Options) Complete(cmd *cobra.Command) error {
	if o.SinceTime != "" {
		t, err := time.Parse(time.RFC3339, o.SinceTime)
		if err != nil {
			return cli.Usagef("--since-time %q: want an RFC3339 time such as 2024-05-01T10:00:00Z", o.SinceTime)
		}
		o.sinceTime = &t
	}
	q, err := resource.ParseQuantity(o.MaxLogBytes)
	if err != nil {
		return cli.Usagef("--max-log-bytes %q: want a size such as 10Mi or 500000", o.MaxLogBytes)
	}
	o.maxLogBytes = q.Value()
	o.requestTimeout = collect.DefaultRequestTimeout
	if t := o.env.Config.Timeout; t != nil && *t != "" && *t != "0" {
		d, err := time.ParseDuration(*t)
		if err != nil {
			return cli.Usagef("--request-timeout %q: want a duration such as 30s", *t)
		}
		o.requestTimeout = d
	}
	if cmd != nil && cmd.Flags().Changed("since-time") && cmd.Flags().Changed("since") {
		return cli.Usagef("--since and --since-time are mutually exclusive")
	}
	o.progress = isTerminal(o.env.Streams.ErrOut)
	return nil
}

// Validate checks the options without touching any cluster.
func (o *Options) Validate() error {
	switch {
	case o.Since < 0:
		return cli.Usagef("--since must not be negative")
	case o.maxLogBytes < 0:
		return cli.Usagef("--max-log-bytes must not be negative")
	case o.Concurrency < 1 || o.Concurrency > 256:
		return cli.Usagef("--concurrency must be between 1 and 256")
	case o.Timeout < 0:
		return cli.Usagef("--timeout must not be negative")
	case o.requestTimeout <= 0:
		return cli.Usagef("--request-timeout must be positive")
	case o.PrometheusToken != "" && o.PrometheusURL == "" && !o.Metrics:
		return cli.Usagef("--prometheus-token needs --metrics")
	}
	if o.PrometheusURL != "" && !strings.HasPrefix(o.PrometheusURL, "http://") && !strings.HasPrefix(o.PrometheusURL, "https://") {
		return cli.Usagef("--prometheus-url %q: want an http:// or https:// URL", o.PrometheusURL)
	}
	if st, err := os.Stat(o.DestDir); err == nil && !st.IsDir() {
		return cli.Usagef("--dest-dir %s is not a directory", o.DestDir)
	}
	return nil
}

// Run gathers and reports where the bundle is; the returned error carries
// the exit code.
func (o *Options) Run(ctx context.Context) error {
	started := o.now()
	if o.env.Getenv("GOMEMLIMIT") == "" {
		// The gather streams; what it holds is small and short-lived. A soft
		// limit makes the collector keep the heap near that, instead of
		// letting it double between collections.
		debug.SetMemoryLimit(memoryLimit)
	}
	clusters, err := o.clusters(ctx)
	if err != nil {
		return err
	}
	b, err := bundle.Create(bundle.Options{Dir: o.DestDir, Name: BundleName(started), Archive: !o.NoArchive})
	if err != nil {
		return fmt.Errorf("create the bundle in %s: %w", o.DestDir, err)
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	cfg := o.config(clusters)
	stop := startProgress(o.env.Streams.ErrOut, o.progress, cfg.Progress, b)
	res, err := collect.Run(ctx, cfg, b)
	stop()
	if err != nil {
		return fmt.Errorf("gather: %w", err)
	}
	return o.report(res, b.Stats(), o.now().Sub(started))
}

// clusters resolves the host and (with --all-clusters) every MigCluster.
func (o *Options) clusters(ctx context.Context) ([]collect.Cluster, error) {
	access, err := o.env.Access()
	if err != nil {
		return nil, cli.WithExitCode(cli.ExitUsage, err)
	}
	if !o.AllClusters {
		h := access.Host()
		return []collect.Cluster{{Name: h.Name, Host: true, Config: h.Config}}, nil
	}
	rctx, cancel := context.WithTimeout(ctx, o.requestTimeout)
	defer cancel()
	targets, errs := access.All(rctx)
	return collect.FromTargets(targets, errs), nil
}

func (o *Options) config(clusters []collect.Cluster) collect.Config {
	info := buildinfo.Get()
	since := o.Since
	if o.sinceTime != nil {
		since = 0
	}
	return collect.Config{
		Clusters: clusters, Since: since, SinceTime: o.sinceTime, MaxLogBytes: o.maxLogBytes,
		Concurrency: o.Concurrency, RequestTimeout: o.requestTimeout, MTCNamespace: o.env.MigNamespace(),
		Metrics:  collect.Metrics{Enabled: o.Metrics, PrometheusURL: o.PrometheusURL, PrometheusToken: o.PrometheusToken},
		Diagnose: o.Diagnose,
		Tool:     mustgather.Tool{Name: "kubectl-mig", Version: info.Version, Commit: info.Commit, GoVersion: info.GoVersion, Platform: info.Platform},
		Options: mustgather.Options{AllClusters: o.AllClusters, Metrics: o.Metrics, PrometheusURL: o.PrometheusURL,
			MaxLogBytes: o.maxLogBytes, Concurrency: o.Concurrency, Timeout: durationOrEmpty(o.Timeout),
			RequestTimeout: o.requestTimeout.String(), Archive: !o.NoArchive, Diagnose: o.Diagnose},
		Progress: &collect.Progress{},
	}
}

// report prints where the bundle is and, when partial, the first faults.
func (o *Options) report(res *collect.Result, st bundle.Stats, took time.Duration) error {
	out, errOut := o.env.Streams.Out, o.env.Streams.ErrOut
	fmt.Fprintf(out, "Bundle written to %s (%d files, %s gathered) in %s\n", res.Path, st.Files, humanBytes(st.Bytes), took.Round(100*time.Millisecond))
	if !res.Partial() {
		return nil
	}
	faults := res.Manifest.Faults
	fmt.Fprintf(errOut, "The bundle is partial: %d things could not be gathered (errors.json in the bundle lists them all):\n", len(faults))
	for i, f := range faults {
		if i == 5 {
			fmt.Fprintf(errOut, "  ... and %d more\n", len(faults)-5)
			break
		}
		where := f.Cluster
		if where == "" {
			where = "-"
		}
		fmt.Fprintf(errOut, "  [%s] %s: %s\n", f.Kind, where, firstLine(f.Message))
	}
	return cli.WithExitCode(ExitPartial, nil)
}

// BundleName names a bundle after its start time (UTC).
func BundleName(t time.Time) string {
	return "mig-gather-" + t.UTC().Format("20060102-150405")
}

func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
