package setup

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/analyze"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// PlanAnalyzeOptions are the inputs of `plan analyze`.
type PlanAnalyzeOptions struct {
	env         *cli.Env
	Plan        string
	ListImages  bool
	ImageLimit  int
	PVUsage     bool
	Wait        bool
	Timeout     time.Duration
	Output      string
	DryRunValue string
	dryRun      cmdkit.DryRun
	interval    time.Duration
}

// NewCmdPlanAnalyze returns `plan analyze`, for the lead to attach under
// `plan`.
func NewCmdPlanAnalyze(env *cli.Env) *cobra.Command {
	o := &PlanAnalyzeOptions{env: env, Wait: true, PVUsage: true, Timeout: 5 * time.Minute, ImageLimit: analyze.DefaultImageLimit, interval: time.Second}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "analyze PLAN",
		Short: "Analyze what a plan would migrate: resources by kind, images, volume capacity and usage, incompatible kinds",
		Long: `Ask the MTC controller to analyze a plan (a MigAnalytic named after the plan,
created or refreshed), wait for the result, and print it: resources per
namespace and kind, internal images and their size, persistent volumes with
their requested and actual capacity and usage, and resources the destination
cannot take (incompatible) or the plan excludes.

Volume usage (--pv-usage) runs df/du in the node-agent pods of the source
cluster; turn it off when they do not run there.`,
		Example: `  # How big is the shop plan?
  ` + name + ` plan analyze shop

  # List the images too, as JSON
  ` + name + ` plan analyze shop --list-images -o json

  # Start the analysis and return at once; look at it later
  ` + name + ` plan analyze shop --wait=false`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completePlans(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Plan = args[0]
			var err error
			if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
				return err
			}
			if err := checkStructuredFormat(o.Output); err != nil {
				return err
			}
			if o.ImageLimit < 1 {
				return cli.Usagef("--list-images-limit must be at least 1")
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.ListImages, "list-images", false, "list image names (up to --list-images-limit per namespace)")
	f.IntVar(&o.ImageLimit, "list-images-limit", o.ImageLimit, "how many image names to list per namespace")
	f.BoolVar(&o.PVUsage, "pv-usage", o.PVUsage, "measure the volumes' actual usage (df/du in the source's node-agent pods)")
	f.BoolVar(&o.Wait, "wait", o.Wait, "wait for the analysis to finish and print it (--wait=false only starts it)")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait waits")
	f.StringVarP(&o.Output, "output", "o", "", "print the analysis as json or yaml instead of tables")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	return cmd
}

// completePlans completes MigPlan names.
func completePlans(env *cli.Env) cobra.CompletionFunc {
	return cmdkit.Complete(func(ctx context.Context) ([]string, error) {
		t, err := hostTarget(env)
		if err != nil {
			return nil, err
		}
		return engplan.Names(ctx, t.Dynamic, env.MigNamespace())
	})
}

func (o *PlanAnalyzeOptions) options() analyze.Options {
	return analyze.Options{Plan: o.Plan, Namespace: o.env.MigNamespace(), ListImages: o.ListImages,
		ListImagesLimit: o.ImageLimit, PVUsage: o.PVUsage}
}

// Run starts the analysis, waits and prints the report.
func (o *PlanAnalyzeOptions) Run(ctx context.Context) error {
	out, errOut := o.env.Streams.Out, o.env.Streams.ErrOut
	if o.dryRun == cmdkit.DryRunClient {
		skippedChecks(errOut, "the plan exists", "whether the plan's MigAnalytic exists (it would be refreshed)")
		u, err := kube.ToUnstructured(analyze.Build(o.options()))
		if err != nil {
			return err
		}
		delete(u.Object, "status")
		unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
		return printStructured(out, orYAML(o.Output), u.Object, nil)
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	started, err := analyze.Start(ctx, host.Dynamic, o.options(), o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	verb := "created"
	if started.Refreshed {
		verb = "refreshed"
	}
	fmt.Fprintf(errOut, "miganalytic.migration.openshift.io/%s %s%s\n", started.Analytic.Name, verb, o.dryRun.Suffix())
	if o.dryRun == cmdkit.DryRunServer || !o.Wait {
		if !o.Wait {
			fmt.Fprintf(errOut, "the controller analyzes the plan now: run '%s plan analyze %s' again to wait for and print the result\n", o.env.Name(), o.Plan)
		}
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	a, err := analyze.Wait(wctx, host.Dynamic, o.env.MigNamespace(), started.Analytic.Name, o.interval, func(a *mtc.MigAnalytic) {
		fmt.Fprintf(errOut, "analyzing plan %s: %d%%\n", o.Plan, a.Status.Analytics.PercentComplete)
	})
	if err != nil {
		if a != nil && o.Output == "" {
			o.explain(errOut, analyze.NewReport(a, o.env.Name()))
		}
		return err
	}
	r := analyze.NewReport(a, o.env.Name())
	return printStructured(out, o.Output, r, func(w io.Writer) { writeReport(w, r) })
}

func (o *PlanAnalyzeOptions) explain(w io.Writer, r *analyze.Report) {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(p.String(), "\n", "\n  "))
	}
}

func orYAML(f string) string {
	if f == "" {
		return "yaml"
	}
	return f
}

// writeReport renders the analysis as tables.
func writeReport(w io.Writer, r *analyze.Report) {
	a := r.Analytics
	fmt.Fprintf(w, "Plan %s: %d resources, %d images (%s), %d persistent volumes (%s requested)\n",
		r.Plan, a.K8SResourceTotal, a.ImageCount, qty(a.ImageSizeTotal), a.PVCount, qty(a.PVCapacity))
	if a.IncompatibleK8SResourceTotal > 0 {
		fmt.Fprintf(w, "%d resources are of kinds the destination does not serve: they will not be migrated\n", a.IncompatibleK8SResourceTotal)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "Warning: %s\n", strings.ReplaceAll(p.String(), "\n", "\n  "))
	}
	fmt.Fprintln(w)
	t := cmdkit.NewTable(w, "NAMESPACE", "RESOURCES", "EXCLUDED", "INCOMPATIBLE", "IMAGES", "IMAGE SIZE", "PVS", "PV CAPACITY")
	for _, ns := range a.Namespaces {
		t.Row(ns.Namespace, strconv.Itoa(ns.K8SResourceTotal), strconv.Itoa(ns.ExcludedK8SResourceTotal),
			strconv.Itoa(ns.IncompatibleK8SResourceTotal), strconv.Itoa(ns.ImageCount), qty(ns.ImageSizeTotal),
			strconv.Itoa(ns.PVCount), qty(ns.PVCapacity))
	}
	t.Row("TOTAL", strconv.Itoa(a.K8SResourceTotal), strconv.Itoa(a.ExcludedK8SResourceTotal),
		strconv.Itoa(a.IncompatibleK8SResourceTotal), strconv.Itoa(a.ImageCount), qty(a.ImageSizeTotal),
		strconv.Itoa(a.PVCount), qty(a.PVCapacity))
	_ = t.Flush()
	writeResources(w, "Resources by kind", a.Namespaces, func(ns *mtc.MigAnalyticNamespace) []mtc.MigAnalyticNSResource { return ns.K8SResources })
	writeResources(w, "Incompatible resources (not served by the destination; not migrated)", a.Namespaces,
		func(ns *mtc.MigAnalyticNamespace) []mtc.MigAnalyticNSResource { return ns.IncompatibleK8SResources })
	writeResources(w, "Excluded resources (the plan's excluded kinds)", a.Namespaces,
		func(ns *mtc.MigAnalyticNamespace) []mtc.MigAnalyticNSResource { return ns.ExcludedK8SResources })
	writeImages(w, a.Namespaces)
	writeVolumes(w, a.Namespaces)
}

func writeResources(w io.Writer, title string, nss []mtc.MigAnalyticNamespace, pick func(*mtc.MigAnalyticNamespace) []mtc.MigAnalyticNSResource) {
	rows := 0
	for i := range nss {
		rows += len(pick(&nss[i]))
	}
	if rows == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	t := cmdkit.NewTable(w, "NAMESPACE", "RESOURCE", "GROUP/VERSION", "COUNT")
	for i := range nss {
		for _, r := range pick(&nss[i]) {
			t.Row(nss[i].Namespace, r.Kind, groupVersion(r.Group, r.Version), strconv.Itoa(r.Count))
		}
	}
	_ = t.Flush()
}

func writeImages(w io.Writer, nss []mtc.MigAnalyticNamespace) {
	rows := 0
	for _, ns := range nss {
		rows += len(ns.Images)
	}
	if rows == 0 {
		return
	}
	fmt.Fprintf(w, "\nImages:\n")
	t := cmdkit.NewTable(w, "NAMESPACE", "IMAGE", "REFERENCE", "SIZE")
	for _, ns := range nss {
		for _, im := range ns.Images {
			t.Row(ns.Namespace, im.Name, im.Reference, qty(im.Size))
		}
	}
	_ = t.Flush()
}

func writeVolumes(w io.Writer, nss []mtc.MigAnalyticNamespace) {
	rows := 0
	for _, ns := range nss {
		rows += len(ns.PersistentVolumes)
	}
	if rows == 0 {
		return
	}
	fmt.Fprintf(w, "\nPersistent volumes:\n")
	t := cmdkit.NewTable(w, "NAMESPACE", "PVC", "REQUESTED", "ACTUAL", "USAGE", "PROPOSED", "COMMENT")
	for _, ns := range nss {
		for _, pv := range ns.PersistentVolumes {
			usage := "-"
			if pv.UsagePercentage > 0 {
				usage = strconv.Itoa(pv.UsagePercentage) + "%"
			}
			comment := pv.Comment
			if pv.SparseFilesFound {
				comment = strings.TrimSpace(comment + " (sparse files found)")
			}
			t.Row(ns.Namespace, pv.Name, qty(pv.RequestedCapacity), qty(pv.ActualCapacity), usage, qty(pv.ProposedCapacity), orDash(comment))
		}
	}
	_ = t.Flush()
}

func qty(q resource.Quantity) string {
	if q.IsZero() {
		return "0"
	}
	return q.String()
}

func groupVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}
