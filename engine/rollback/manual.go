package rollback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Clusters are the plan's two clusters.
type Clusters struct {
	Source, Destination *cluster.Target
}

// Options tune PlanManual.
type Options struct {
	// RestoreReclaimPolicy restores PV reclaim policies from
	// migration.openshift.io/orig-reclaim-policy; without it those PVs are
	// listed as skipped.
	RestoreReclaimPolicy bool
	// CLI spells the cleanup commands ("kubectl" or "oc").
	CLI string
}

// dvmSelector selects the rsync transfer resources DVM creates in the
// application namespaces (filesystem and block variants).
func dvmSelector() string {
	req, _ := labels.NewRequirement(mtc.DVMAppLabel, selection.In, []string{mtc.DVMAppValue, mtc.DVMBlockAppValue})
	return req.String()
}

// stagePodSelector selects pods carrying the stage-pod label, whatever its
// value (the documented command is `-l migration.openshift.io/is-stage-pod`).
func stagePodSelector() string {
	req, _ := labels.NewRequirement(mtc.StagePodLabel, selection.Exists, nil)
	return req.String()
}

// PlanManual works out the manual rollback of p, as MTC's documentation
// describes it, without changing anything: delete stage pods on both
// clusters; on the source, unquiesce every workload MTC quiesced, restoring
// what its annotations recorded; optionally restore PV reclaim policies.
// Workloads without MTC's annotations are never touched. Quiesced copies on
// the destination are reported, not started: running the application on
// both clusters at once risks its data. DVM transfer resources are reported
// with the commands that remove them.
func PlanManual(ctx context.Context, cl Clusters, p *mtc.MigPlan, opts Options) (*Plan, error) {
	if cl.Source == nil || cl.Destination == nil {
		return nil, errors.New("manual rollback needs both the source and the destination cluster")
	}
	if _, err := p.Spec.NamespaceMappings(); err != nil {
		return nil, fmt.Errorf("MigPlan %s: %w", p.Name, err)
	}
	if opts.CLI == "" {
		opts.CLI = "kubectl"
	}
	srcNS := namespaceSet(p.Spec.SourceNamespaces())
	dstNS := namespaceSet(p.Spec.DestinationNamespaces())
	pl := &Plan{MigPlan: p.Name, MigPlanUID: p.UID, Source: cl.Source.Name, Destination: cl.Destination.Name}
	sameCluster := cl.Source.Config.Host == cl.Destination.Config.Host
	if sameCluster {
		dstNS = without(dstNS, srcNS) // one cluster: do not list a namespace twice
	}
	if err := pl.stagePods(ctx, Source, cl.Source, srcNS); err != nil {
		return nil, err
	}
	if err := pl.stagePods(ctx, Destination, cl.Destination, dstNS); err != nil {
		return nil, err
	}
	if err := pl.unquiesce(ctx, cl.Source, srcNS); err != nil {
		return nil, err
	}
	if err := pl.reclaimPolicies(ctx, cl.Source, srcNS, opts.RestoreReclaimPolicy); err != nil {
		return nil, err
	}
	if err := pl.destinationQuiesced(ctx, cl.Destination, dstNS); err != nil {
		return nil, err
	}
	if err := pl.dvmLeftovers(ctx, Source, cl.Source, srcNS, opts.CLI); err != nil {
		return nil, err
	}
	if err := pl.dvmLeftovers(ctx, Destination, cl.Destination, dstNS, opts.CLI); err != nil {
		return nil, err
	}
	if len(pl.Actions) == 0 {
		pl.Notes = append(pl.Notes, "nothing to roll back: no stage pods, and no workload carries MTC's quiesce annotations")
	}
	return pl, nil
}

func (pl *Plan) stagePods(ctx context.Context, side Side, t *cluster.Target, namespaces []string) error {
	jobs := make([]listJob, 0, len(namespaces))
	for _, ns := range namespaces {
		jobs = append(jobs, listJob{kind: "Pod", gvr: podsGVR, namespace: ns, selector: stagePodSelector()})
	}
	pods, err := listAll(ctx, t, jobs)
	if err != nil {
		return err
	}
	for _, o := range pods {
		a := pl.action(side, t, o)
		if IsReusedApplicationPod(&o.u) {
			a.Verb = VerbReleasePod
			a.Detail, _ = ReleasePodChange(&o.u, pl.MigPlanUID)
		} else {
			a.Verb = VerbDeleteStagePod
			a.Detail = "delete"
			if o.u.GetDeletionTimestamp() != nil {
				a.State, a.Detail = StateAlreadyDone, "already being deleted"
			}
		}
		pl.Actions = append(pl.Actions, a)
	}
	return nil
}

func (pl *Plan) unquiesce(ctx context.Context, t *cluster.Target, namespaces []string) error {
	objs, missing, err := workloads(ctx, t, namespaces)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		pl.Notes = append(pl.Notes, fmt.Sprintf("cluster %s does not serve %s: nothing of those kinds to unquiesce", t.Name, joinKinds(missing)))
	}
	for _, o := range objs {
		switch {
		case IsQuiesced(o.kind, &o.u):
			a := pl.action(Source, t, o)
			a.Verb = VerbUnquiesce
			detail, _, err := UnquiesceChange(o.kind, &o.u, pl.MigPlanUID)
			a.Detail = detail
			if err != nil {
				a.State, a.Error = StateFailed, err.Error()
			}
			pl.Actions = append(pl.Actions, a)
		case RolledBackBy(&o.u, pl.MigPlanUID):
			a := pl.action(Source, t, o)
			a.Verb, a.State, a.Detail = VerbUnquiesce, StateAlreadyDone, "restored by an earlier run"
			pl.Actions = append(pl.Actions, a)
		}
	}
	return nil
}

func (pl *Plan) reclaimPolicies(ctx context.Context, t *cluster.Target, namespaces []string, restore bool) error {
	pvs, err := listAll(ctx, t, []listJob{{kind: "PersistentVolume", gvr: pvGVR}})
	if err != nil {
		return err
	}
	inPlan := map[string]bool{}
	for _, ns := range namespaces {
		inPlan[ns] = true
	}
	for _, o := range pvs {
		claimNS, _, _ := unstructured.NestedString(o.u.Object, "spec", "claimRef", "namespace")
		if !inPlan[claimNS] {
			continue
		}
		switch {
		case HasOrigReclaimPolicy(&o.u):
			a := pl.action(Source, t, o)
			a.Verb = VerbRestoreReclaimPolicy
			detail, _, err := ReclaimPolicyChange(&o.u, pl.MigPlanUID)
			a.Detail = detail
			switch {
			case err != nil:
				a.State, a.Error = StateFailed, err.Error()
			case !restore:
				a.State = StateSkipped
				a.Detail += " (pass --restore-reclaim-policy to do it)"
			}
			pl.Actions = append(pl.Actions, a)
		case RolledBackBy(&o.u, pl.MigPlanUID):
			a := pl.action(Source, t, o)
			a.Verb, a.State, a.Detail = VerbRestoreReclaimPolicy, StateAlreadyDone, "restored by an earlier run"
			pl.Actions = append(pl.Actions, a)
		}
	}
	return nil
}

// destinationQuiesced reports migrated copies MTC left stopped.
func (pl *Plan) destinationQuiesced(ctx context.Context, t *cluster.Target, namespaces []string) error {
	objs, _, err := workloads(ctx, t, namespaces)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if IsQuiesced(o.kind, &o.u) {
			pl.Leftovers = append(pl.Leftovers, Leftover{Side: Destination, Cluster: t.Name, Kind: o.kind,
				Namespace: o.u.GetNamespace(), Name: o.u.GetName(),
				Reason: "migrated copy left stopped on the destination (not started: the source runs the application)"})
		}
	}
	return nil
}

// dvmLeftovers reports the transfer resources DVM keeps after a failure.
func (pl *Plan) dvmLeftovers(ctx context.Context, side Side, t *cluster.Target, namespaces []string, cli string) error {
	kinds := []kindGVR{{"Pod", podsGVR}, {"ConfigMap", configMapsGVR}, {"Secret", secretsGVR}}
	if side == Destination {
		kinds = append(kinds, kindGVR{"Service", servicesGVR})
		if ok, _, err := served(t, []workloadKind{{kind: "Route", gvrs: []schema.GroupVersionResource{kube.Routes}}}); err == nil && len(ok) > 0 {
			kinds = append(kinds, kindGVR{"Route", kube.Routes})
		}
	}
	var jobs []listJob
	for _, ns := range namespaces {
		for _, k := range kinds {
			jobs = append(jobs, listJob{kind: k.kind, gvr: k.gvr, namespace: ns, selector: dvmSelector()})
		}
	}
	objs, err := listAll(ctx, t, jobs)
	if err != nil {
		return err
	}
	withLeftovers := map[string]bool{}
	for _, o := range objs {
		pl.Leftovers = append(pl.Leftovers, Leftover{Side: side, Cluster: t.Name, Kind: o.kind, Namespace: o.u.GetNamespace(),
			Name: o.u.GetName(), Reason: "direct volume migration transfer resource kept for debugging"})
		withLeftovers[o.u.GetNamespace()] = true
	}
	resources := make([]string, 0, len(kinds))
	for _, k := range kinds {
		resources = append(resources, k.gvr.Resource)
	}
	for _, ns := range namespaces {
		if withLeftovers[ns] {
			pl.Cleanup = append(pl.Cleanup, fmt.Sprintf("%s delete %s -l '%s' -n %s   # on cluster %s",
				cli, strings.Join(resources, ","), dvmSelector(), ns, t.Name))
		}
	}
	return nil
}

func (pl *Plan) action(side Side, t *cluster.Target, o object) Action {
	return Action{Side: side, Cluster: t.Name, Kind: o.kind, Namespace: o.u.GetNamespace(), Name: o.u.GetName(),
		State: StatePending, gvr: o.gvr, uid: o.u.GetUID()}
}

// kindGVR pairs a kind with its resource.
type kindGVR struct {
	kind string
	gvr  schema.GroupVersionResource
}

func without(list, remove []string) []string {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[r] = true
	}
	var out []string
	for _, n := range list {
		if !drop[n] {
			out = append(out, n)
		}
	}
	return out
}
