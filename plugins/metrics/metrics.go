// Package metrics implements `kubectl mig metrics`: the MTC documentation's
// "useful queries" (API requests and latency by kind, running migrations)
// as a table.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	gm "github.com/kubectl-mig/kubectl-mig/gather/metrics"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Options holds the flags of the metrics command.
type Options struct {
	Since           time.Duration
	Output          string
	PrometheusURL   string
	PrometheusToken string

	env *cli.Env
	now func() time.Time
}

// NewCmdMetrics builds `metrics`.
func NewCmdMetrics(env *cli.Env) *cobra.Command {
	o := &Options{env: env, Output: "table", now: time.Now}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "metrics [--since DURATION]",
		Short: "Show the migration controller's API requests, latency and running migrations",
		Long: `Run the MTC "useful queries" against Prometheus and print them: Kubernetes API
requests and their average latency by kind (mtc_client_request_count,
mtc_client_request_elapsed) and migrations by type and status
(cam_app_workload_migrations).

Prometheus is found as on OpenShift: the thanos-querier (else prometheus-k8s)
Route in openshift-monitoring, called with your own bearer token; or give
--prometheus-url. Without a Prometheus the controller's /metrics endpoint is
read through the API server (counters since the controller started).`,
		Example: fmt.Sprintf(`  # Requests and latency over the last hour
  %[1]s metrics --since 1h

  # As JSON, from a given Prometheus
  %[1]s metrics -o json --prometheus-url https://thanos-querier.example.com`, name),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.Since, "since", 0, "show request increases over this window (default: counters since the controller started)")
	f.StringVarP(&o.Output, "output", "o", o.Output, "output format: table, json or yaml")
	f.StringVar(&o.PrometheusURL, "prometheus-url", "", "Prometheus to query instead of the discovered Route")
	f.StringVar(&o.PrometheusToken, "prometheus-token", "", "bearer token for Prometheus (default: the kubeconfig's token)")
	return cmd
}

// Validate checks the flags.
func (o *Options) Validate() error {
	switch o.Output {
	case "table", "json", "yaml":
	default:
		return cli.Usagef("unknown output format %q: use table, json or yaml", o.Output)
	}
	if o.Since < 0 {
		return cli.Usagef("--since must not be negative")
	}
	if o.PrometheusURL != "" && !strings.HasPrefix(o.PrometheusURL, "http://") && !strings.HasPrefix(o.PrometheusURL, "https://") {
		return cli.Usagef("--prometheus-url %q: want an http:// or https:// URL", o.PrometheusURL)
	}
	return nil
}

// Run queries and prints the report.
func (o *Options) Run(ctx context.Context) error {
	cfg, err := o.env.Config.ToRESTConfig()
	if err != nil {
		return cli.WithExitCode(cli.ExitUsage, fmt.Errorf("load the cluster from kubeconfig: %w", err))
	}
	rep, err := o.report(ctx, cfg)
	if err != nil {
		return err
	}
	return Write(o.env.Streams.Out, rep, o.Output)
}

func (o *Options) report(ctx context.Context, cfg *rest.Config) (*gm.Report, error) {
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	src, err := o.source(ctx, cfg, dyn, kube)
	switch {
	case errors.Is(err, gm.ErrNoPrometheus):
		return o.fromController(ctx, kube)
	case err != nil:
		return nil, err
	}
	api, err := src.API()
	if err != nil {
		return nil, err
	}
	rep, err := gm.FromPrometheus(ctx, api, fmt.Sprintf("%s (%s)", src.URL, src.Via), o.Since, o.now())
	if err != nil {
		return nil, fmt.Errorf("query Prometheus at %s (%s): %w", src.URL, src.Via, err)
	}
	return rep, nil
}

func (o *Options) source(ctx context.Context, cfg *rest.Config, dyn dynamic.Interface, kube kubernetes.Interface) (*gm.Source, error) {
	if o.PrometheusURL != "" {
		token := o.PrometheusToken
		if token == "" {
			token, _ = gm.BearerToken(cfg)
		}
		ca, _ := gm.ClusterCA(cfg)
		return &gm.Source{URL: o.PrometheusURL, Token: token, CA: ca, Via: "--prometheus-url"}, nil
	}
	src, err := gm.Discover(ctx, dyn, kube, cfg)
	if err == nil && o.PrometheusToken != "" {
		src.Token = o.PrometheusToken
	}
	return src, err
}

// fromController reads /metrics through the service proxy.
func (o *Options) fromController(ctx context.Context, kube kubernetes.Interface) (*gm.Report, error) {
	ns := o.env.MigNamespace()
	text, err := gm.ScrapeController(ctx, kube, ns)
	if err != nil {
		return nil, fmt.Errorf("%w, and reading %s/%s:%s/metrics failed: %w; pass --prometheus-url",
			gm.ErrNoPrometheus, ns, gm.ControllerService, gm.ControllerPort, err)
	}
	fams, err := gm.Parse(text)
	if err != nil {
		return nil, err
	}
	if o.Since > 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "warning: no Prometheus found: showing counters since the controller started, not over --since %s\n", o.Since)
	}
	return gm.FromFamilies(fams, fmt.Sprintf("service %s/%s:%s/metrics", ns, gm.ControllerService, gm.ControllerPort), o.now()), nil
}

// Write prints the report as a table, JSON or YAML.
func Write(w io.Writer, r *gm.Report, format string) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(r)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	return writeTable(w, r)
}

func writeTable(w io.Writer, r *gm.Report) error {
	window := "since the controller started"
	if r.Window != "" {
		window = "over the last " + r.Window
	}
	fmt.Fprintf(w, "Source: %s\nAPI requests %s\n\n", r.Source, window)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tREQUESTS\tLATENCY (ms)\tAVG LATENCY (ms)")
	for _, k := range r.ByKind {
		kind := k.Kind
		if kind == "" {
			kind = "<none>"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\n", kind, k.Requests, k.LatencyMS, k.AvgLatencyMS)
	}
	fmt.Fprintf(tw, "TOTAL\t%.0f\t%.0f\t%.2f\n", r.TotalRequests, r.TotalLatencyMS, r.AvgLatencyMS)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nMigrations (running: %.0f)\n\n", r.Running)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tSTATUS\tCOUNT")
	for _, m := range r.Migrations {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\n", m.Type, m.Status, m.Count)
	}
	return tw.Flush()
}
