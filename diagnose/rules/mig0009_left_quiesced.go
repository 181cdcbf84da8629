package rules

import (
	"context"
	"fmt"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type leftQuiesced struct{}

func (leftQuiesced) Meta() Meta {
	return Meta{
		ID: "MIG0009", Severity: Error, Title: "application left quiesced after a failed migration",
		Description: "Workloads in the plan's source namespaces still carry MTC's preQuiesce* annotations and are scaled down (replicas 0, CronJob suspended, DaemonSet with the quiesce node selector) while no migration of the plan is running and the last one failed or was canceled: MTC's failed itinerary never unquiesces.",
		Fix:         "Roll the migration back (kubectl mig rollback PLAN), which restores replicas from the annotations. Do not simply restart the application on both clusters: writing to the volumes on both sides corrupts data.",
		Docs:        docsRollback,
		Needs:       []snapshot.Kind{snapshot.MigPlan, snapshot.MigMigration},
	}
}

func (r leftQuiesced) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	var skips []string
	for _, p := range in.Plans {
		f, skip, ok := r.checkPlan(in, p)
		if skip != "" {
			skips = append(skips, skip)
		}
		if ok {
			out = append(out, f)
		}
	}
	if len(out) == 0 && len(skips) > 0 {
		return nil, Skip("%s", joinMax(skips, 2))
	}
	return out, nil
}

func (r leftQuiesced) checkPlan(in *Input, p *mtc.MigPlan) (Finding, string, bool) {
	migs := in.MigrationsOf(p)
	if len(migs) == 0 {
		return Finding{}, "", false
	}
	for _, m := range migs {
		switch m.Outcome() {
		case mtc.OutcomeRunning, mtc.OutcomeBlocked, mtc.OutcomeCanceling, mtc.OutcomeFailing:
			return Finding{}, "", false // a running migration owns the quiesce state
		}
	}
	last := migs[len(migs)-1]
	if o := last.Outcome(); o != mtc.OutcomeFailed && o != mtc.OutcomeCanceled {
		return Finding{}, "", false
	}
	src, _, srcErr, _ := in.PlanClusters(p)
	if srcErr != nil {
		return Finding{}, fmt.Sprintf("plan %s: %v", p.Name, srcErr), false
	}
	var ev []Evidence
	var missing []string
	for _, ns := range p.Spec.SourceNamespaces() {
		if !in.Snap.Inspected(src, ns) {
			missing = append(missing, ns)
			continue
		}
		ev = append(ev, quiescedWorkloads(in, src, ns)...)
	}
	if len(ev) == 0 {
		if len(missing) > 0 {
			return Finding{}, fmt.Sprintf("plan %s: source namespace(s) %s on cluster %q are not in the snapshot", p.Name, joinMax(missing, 3), src), false
		}
		return Finding{}, "", false
	}
	lastObj := ref(mtc.KindMigMigration, last.Namespace, last.Name)
	lead := Evidence{Type: "object", Cluster: in.Host(), Object: &lastObj, Message: fmt.Sprintf("last migration %s ended %s; no migration of the plan is running", last.Name, last.Outcome())}
	return Finding{
		Cluster:   src,
		Object:    ref(mtc.KindMigPlan, p.Namespace, p.Name),
		Summary:   fmt.Sprintf("plan %s: %d workload(s) on the source are still scaled down by MTC after migration %s %s", p.Name, len(ev), last.Name, last.Outcome()),
		Evidence:  append([]Evidence{lead}, ev...),
		Migration: migKey(last),
		Remediation: fmt.Sprintf("Roll the migration back so MTC restores the workloads from their preQuiesce annotations:\n  %s mig rollback %s -n %s\n"+
			"Warning: do not scale the application up by hand on both clusters: two copies writing to the migrated volumes corrupt data.", in.Cfg.CLI, p.Name, p.Namespace),
	}, "", true
}

// quiescedWorkloads lists workloads MTC scaled down in one namespace.
func quiescedWorkloads(in *Input, cluster, ns string) []Evidence {
	var out []Evidence
	for _, k := range snapshot.WorkloadKinds {
		objs, err := in.objects(cluster, k)
		if err != nil {
			continue
		}
		for _, o := range objs {
			if o.GetNamespace() != ns {
				continue
			}
			if why := quiesced(k, o); why != "" {
				out = append(out, Evidence{Type: "object", Cluster: cluster, Object: refp(k.Kind, ns, o.GetName()), Message: why})
			}
		}
	}
	return out
}

// quiesced says how MTC left a workload stopped ("" when it did not).
func quiesced(k snapshot.Kind, o *unstructured.Unstructured) string {
	ann := o.GetAnnotations()
	switch k.Kind {
	case "CronJob":
		if s, _, _ := unstructured.NestedBool(o.Object, "spec", "suspend"); s && ann[mtc.PreQuiesceSuspendAnnotation] != "" {
			return "suspended by MTC (" + mtc.PreQuiesceSuspendAnnotation + ")"
		}
	case "DaemonSet":
		sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "spec", "nodeSelector")
		if _, ok := sel[mtc.QuiesceDaemonSetNodeSelector]; ok {
			return "pods evicted by the " + mtc.QuiesceDaemonSetNodeSelector + " node selector"
		}
	case "Job":
		if v, ok := ann[mtc.PreQuiesceReplicasAnnotation]; ok {
			if par, found, _ := unstructured.NestedInt64(o.Object, "spec", "parallelism"); found && par == 0 {
				return fmt.Sprintf("parallelism 0, was %s (%s)", v, mtc.PreQuiesceReplicasAnnotation)
			}
		}
	default:
		if v, ok := ann[mtc.PreQuiesceReplicasAnnotation]; ok {
			if n, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas"); found && n == 0 {
				return fmt.Sprintf("0 replicas, was %s (%s)", v, mtc.PreQuiesceReplicasAnnotation)
			}
		}
	}
	return ""
}
