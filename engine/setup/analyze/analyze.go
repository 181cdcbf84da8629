// Package analyze runs MTC's plan analysis: it creates (or refreshes) the
// MigAnalytic of a plan, waits for the controller to fill it in, and turns
// it into a report of resources by kind, images, persistent-volume capacity
// and usage, and resources the destination cannot take.
package analyze

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/readiness"
)

// PlanLabel ties a MigAnalytic to its plan (as the MTC console and the
// controller label it).
const PlanLabel = "migplan"

// DefaultImageLimit is how many image names are listed per namespace.
const DefaultImageLimit = 50

// Options selects what to analyze.
type Options struct {
	Plan      string
	Namespace string
	// ListImages lists image names (up to ListImagesLimit per namespace).
	ListImages      bool
	ListImagesLimit int
	// PVUsage measures actual usage with df/du in the source's node-agent
	// pods (analyzeExtendedPVCapacity).
	PVUsage bool
}

// Build returns the MigAnalytic for a plan: named after the plan, labelled
// and annotated with it, analyzing everything.
func Build(o Options) *mtc.MigAnalytic {
	limit := o.ListImagesLimit
	if o.ListImages && limit <= 0 {
		limit = DefaultImageLimit
	}
	return &mtc.MigAnalytic{
		TypeMeta: metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigAnalytic},
		ObjectMeta: metav1.ObjectMeta{
			Name: o.Plan, Namespace: o.Namespace,
			Labels:      map[string]string{PlanLabel: o.Plan},
			Annotations: map[string]string{PlanLabel: o.Plan},
		},
		Spec: mtc.MigAnalyticSpec{
			MigPlanRef:          &corev1.ObjectReference{Name: o.Plan, Namespace: o.Namespace},
			AnalyzeImageCount:   true,
			AnalyzeK8SResources: true,
			AnalyzePVCapacity:   true,
			ListImages:          o.ListImages, ListImagesLimit: limit,
			AnalyzeExtendedPVCapacity: o.PVUsage,
		},
	}
}

// Started says whether Start created or refreshed the analytic.
type Started struct {
	Analytic *mtc.MigAnalytic
	// Refreshed is true when an existing analytic was asked to re-run.
	Refreshed bool
}

// Start makes the controller analyze the plan: it creates the plan's
// MigAnalytic, or, if one exists, updates its options and sets
// spec.refresh (by merge patch) so that the controller runs it again.
func Start(ctx context.Context, host dynamic.Interface, o Options, dryRun bool) (*Started, error) {
	plans := host.Resource(kube.MigPlans).Namespace(o.Namespace)
	if _, err := plans.Get(ctx, o.Plan, metav1.GetOptions{}); err != nil {
		return nil, fmt.Errorf("read MigPlan %s/%s on the host cluster: %w", o.Namespace, o.Plan, err)
	}
	ri := host.Resource(kube.MigAnalytics).Namespace(o.Namespace)
	want := Build(o)
	cur, err := kube.Get[mtc.MigAnalytic](ctx, ri, o.Plan)
	switch {
	case apierrors.IsNotFound(err):
		return create(ctx, ri, want, dryRun)
	case err != nil:
		return nil, fmt.Errorf("read MigAnalytic %s/%s: %w", o.Namespace, o.Plan, err)
	case cur.Spec.MigPlanRef == nil || cur.Spec.MigPlanRef.Name != o.Plan:
		// A MigAnalytic of that name belongs to another plan: use a new one.
		want.Name, want.GenerateName = "", o.Plan+"-"
		return create(ctx, ri, want, dryRun)
	}
	patch := map[string]any{"spec": map[string]any{
		"analyzeImageCount": true, "analyzeK8SResources": true, "analyzePVCapacity": true,
		"listImages": want.Spec.ListImages, "listImagesLimit": want.Spec.ListImagesLimit,
		"analyzeExtendedPVCapacity": want.Spec.AnalyzeExtendedPVCapacity,
		"refresh":                   true,
	}}
	if err := kube.MergePatch(ctx, ri, o.Plan, patch, dryRun); err != nil {
		return nil, fmt.Errorf("refresh MigAnalytic %s/%s: %w", o.Namespace, o.Plan, err)
	}
	got, err := kube.Get[mtc.MigAnalytic](ctx, ri, o.Plan)
	if err != nil {
		return nil, err
	}
	return &Started{Analytic: got, Refreshed: true}, nil
}

func create(ctx context.Context, ri dynamic.ResourceInterface, a *mtc.MigAnalytic, dryRun bool) (*Started, error) {
	u, err := kube.ToUnstructured(a)
	if err != nil {
		return nil, err
	}
	delete(u.Object, "status")
	opts := metav1.CreateOptions{}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	created, err := ri.Create(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("create MigAnalytic for plan %s: %w", a.Spec.MigPlanRef.Name, err)
	}
	got, err := kube.FromUnstructured[mtc.MigAnalytic](created)
	if err != nil {
		return nil, err
	}
	return &Started{Analytic: got}, nil
}

// Done reports whether the controller has finished the analysis the spec
// asks for: Ready, with no refresh pending.
func Done(a *mtc.MigAnalytic) bool {
	return a.Status.Conditions.IsReady() && !a.Spec.Refresh
}

// ErrNotDone is wrapped when the analysis did not finish in time.
var ErrNotDone = errors.New("the analysis did not finish")

// Wait polls the analytic until Done. progress, when set, is called when
// the percentage or the conditions change. When ctx ends first, it returns
// the last analytic read and an error wrapping ErrNotDone that names the
// blocking conditions.
func Wait(ctx context.Context, host dynamic.Interface, ns, name string, interval time.Duration, progress func(*mtc.MigAnalytic)) (*mtc.MigAnalytic, error) {
	if interval <= 0 {
		interval = time.Second
	}
	ri := host.Resource(kube.MigAnalytics).Namespace(ns)
	var last *mtc.MigAnalytic
	key := ""
	err := wait.PollUntilContextCancel(ctx, interval, true, func(ctx context.Context) (bool, error) {
		a, err := kube.Get[mtc.MigAnalytic](ctx, ri, name)
		if err != nil {
			return false, fatal(err)
		}
		last = a
		if k := progressKey(a); k != key {
			key = k
			if progress != nil {
				progress(a)
			}
		}
		return Done(a), nil
	})
	if err == nil {
		return last, nil
	}
	if last == nil || ctx.Err() == nil {
		return last, fmt.Errorf("wait for MigAnalytic %s/%s: %w", ns, name, err)
	}
	msg := fmt.Sprintf("MigAnalytic %s/%s: %v (%d%% complete)", ns, name, ErrNotDone, last.Status.Analytics.PercentComplete)
	blockers := last.Status.Conditions.Blockers()
	if len(blockers) == 0 {
		return last, fmt.Errorf("%s and no problem reported: is the migration-controller running in %s on the host cluster?: %w", msg, ns, ErrNotDone)
	}
	return last, fmt.Errorf("%s; blocking conditions: %s: %w", msg, conditionTypes(blockers), ErrNotDone)
}

// fatal keeps errors that end a wait (the object is gone, access denied);
// others (a slow API server, the client's rate limiter near the deadline)
// are retried until the deadline.
func fatal(err error) error {
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		return err
	}
	return nil
}

func progressKey(a *mtc.MigAnalytic) string {
	return fmt.Sprintf("%d|%s", a.Status.Analytics.PercentComplete, conditionTypes(a.Status.Conditions))
}

func conditionTypes(cs mtc.Conditions) string {
	var out []string
	for _, c := range cs {
		if c.IsTrue() {
			out = append(out, c.Type)
		}
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

// Report is what `plan analyze` prints (and -o json|yaml emits).
type Report struct {
	Analytic        string                `json:"analytic"`
	Plan            string                `json:"plan"`
	Ready           bool                  `json:"ready"`
	PercentComplete int                   `json:"percentComplete"`
	Analytics       mtc.MigAnalyticPlan   `json:"analytics"`
	Problems        []readiness.Explained `json:"problems,omitempty"`
}

// NewReport builds the report of an analytic; namespaces are sorted.
func NewReport(a *mtc.MigAnalytic, prefix string) *Report {
	r := &Report{
		Analytic: a.Name, Plan: a.Spec.MigPlanRef.Name, Ready: Done(a),
		PercentComplete: a.Status.Analytics.PercentComplete,
		Analytics:       *a.Status.Analytics.DeepCopy(),
		Problems:        readiness.Problems(a.Status.Conditions, prefix, a.Spec.MigPlanRef.Name),
	}
	if r.Analytics.Plan == "" {
		r.Analytics.Plan = r.Plan
	}
	sort.SliceStable(r.Analytics.Namespaces, func(i, j int) bool {
		return r.Analytics.Namespaces[i].Namespace < r.Analytics.Namespaces[j].Namespace
	})
	for i := range r.Analytics.Namespaces {
		ns := &r.Analytics.Namespaces[i]
		for _, list := range [][]mtc.MigAnalyticNSResource{ns.K8SResources, ns.ExcludedK8SResources, ns.IncompatibleK8SResources} {
			sortResources(list)
		}
	}
	return r
}

// sortResources orders by count (largest first), then group and kind.
func sortResources(rs []mtc.MigAnalyticNSResource) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Count != rs[j].Count {
			return rs[i].Count > rs[j].Count
		}
		if rs[i].Group != rs[j].Group {
			return rs[i].Group < rs[j].Group
		}
		return rs[i].Kind < rs[j].Kind
	})
}
