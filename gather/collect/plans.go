package collect

import (
	"context"
	"encoding/json"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// planView is a MigPlan with the clusters it names resolved to runs.
type planView struct {
	obj      *unstructured.Unstructured
	plan     *mtc.MigPlan
	mappings []mtc.NameMapping
	src, dst *clusterRun
}

// hostRun returns the run of the host cluster, if gathered.
func hostRun(runs []*clusterRun) *clusterRun {
	for _, c := range runs {
		if c.spec.Host {
			return c
		}
	}
	return nil
}

// plans resolves the MigPlans read on the host. objects chooses the copy:
// the early (raw) one before writing, the kept (redacted) one after.
func plans(runs []*clusterRun, objects []*unstructured.Unstructured, host *clusterRun) []planView {
	hostMigClusters := map[string]bool{}
	for _, mc := range host.earlyItems("migclusters") {
		if isHost, _, _ := unstructured.NestedBool(mc.Object, "spec", "isHostCluster"); isHost {
			hostMigClusters[mc.GetName()] = true
		}
	}
	byMigCluster := func(name string) *clusterRun {
		if name == "" {
			return nil
		}
		if hostMigClusters[name] {
			return host
		}
		for _, c := range runs {
			if c.spec.MigCluster == name || (c.spec.MigCluster == "" && c.spec.Name == name) {
				return c
			}
		}
		return nil
	}
	var out []planView
	for _, obj := range objects {
		p := &mtc.MigPlan{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, p); err != nil {
			continue
		}
		v := planView{obj: obj, plan: p}
		for _, entry := range p.Spec.Namespaces {
			if m, err := mtc.ParseNameMapping(entry); err == nil {
				v.mappings = append(v.mappings, m)
			}
		}
		if ref := p.Spec.SrcMigClusterRef; ref != nil {
			v.src = byMigCluster(ref.Name)
		}
		if ref := p.Spec.DestMigClusterRef; ref != nil {
			v.dst = byMigCluster(ref.Name)
		}
		out = append(out, v)
	}
	return out
}

func (c *clusterRun) earlyItems(resource string) []*unstructured.Unstructured {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.early[resource]
	if list == nil {
		return nil
	}
	out := make([]*unstructured.Unstructured, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out
}

// planTargets adds each plan's namespaces to the clusters that hold them:
// source names on the source cluster, destination names on the destination.
// A namespace known not to exist there (a destination not migrated yet) is
// left out.
func (g *gatherer) planTargets(runs []*clusterRun) {
	host := hostRun(runs)
	if host == nil {
		return
	}
	for _, v := range plans(runs, host.earlyItems("migplans"), host) {
		for _, m := range v.mappings {
			if v.src != nil {
				v.src.addFull(m.Source)
			}
			if v.dst != nil {
				v.dst.addFull(m.Destination)
			}
		}
	}
}

func (c *clusterRun) addFull(ns string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.present) > 0 && !c.present[ns] {
		return
	}
	c.full[ns] = true
}

// writePlanIndexes writes migplans/<ns>/<plan>.json for every MigPlan.
func (g *gatherer) writePlanIndexes(ctx context.Context, runs []*clusterRun) {
	host := hostRun(runs)
	if host == nil {
		return
	}
	for _, v := range plans(runs, host.cr("migplans"), host) {
		idx := g.planIndex(runs, host, v)
		data, err := json.MarshalIndent(idx, "", "  ")
		if err != nil {
			continue
		}
		path := mustgather.MigPlanIndex(idx.Namespace, idx.Name)
		if err := g.bundle.WriteFile(ctx, path, append(data, '\n')); err != nil {
			g.faults.record(host.spec.Name, "index", "migplan "+idx.Namespace+"/"+idx.Name, path, err)
			continue
		}
		g.mu.Lock()
		g.plans = append(g.plans, idx)
		g.mu.Unlock()
	}
}

func (g *gatherer) planIndex(runs []*clusterRun, host *clusterRun, v planView) mustgather.PlanIndex {
	p := v.plan
	idx := mustgather.PlanIndex{
		Name: p.Name, Namespace: p.Namespace,
		Plan:       host.ref(mtcGroup, "migplans", v.obj),
		Namespaces: []mustgather.NamespacePair{},
	}
	if ref := p.Spec.SrcMigClusterRef; ref != nil {
		idx.Source.MigCluster = ref.Name
	}
	if ref := p.Spec.DestMigClusterRef; ref != nil {
		idx.Destination.MigCluster = ref.Name
	}
	if v.src != nil {
		idx.Source.Cluster = v.src.spec.Name
	}
	if v.dst != nil {
		idx.Destination.Cluster = v.dst.spec.Name
	}
	for _, m := range v.mappings {
		idx.Namespaces = append(idx.Namespaces, mustgather.NamespacePair{Source: m.Source, Destination: m.Destination})
	}
	for _, mig := range host.cr("migmigrations") {
		planName, _, _ := unstructured.NestedString(mig.Object, "spec", "migPlanRef", "name")
		if planName != p.Name || mig.GetNamespace() != p.Namespace {
			continue
		}
		idx.Migrations = append(idx.Migrations, migrationRef(runs, host, mig))
	}
	idx.Pods = append(planPods(v.src, v.mappings, true), planPods(v.dst, v.mappings, false)...)
	return idx
}

// migrationRef gathers what a MigMigration created: Velero Backups and
// Restores (on any cluster, by the migmigration-name label or the MTC
// backup/restore labels holding the migration UID), direct volume and image
// migrations (on the host, by label or owner).
func migrationRef(runs []*clusterRun, host *clusterRun, mig *unstructured.Unstructured) mustgather.MigrationRef {
	ref := mustgather.MigrationRef{ObjectRef: host.ref(mtcGroup, "migmigrations", mig)}
	uid := string(mig.GetUID())
	belongs := func(o *unstructured.Unstructured, uidLabels ...string) bool {
		l := o.GetLabels()
		if l[mtc.MigMigrationNameLabel] == mig.GetName() {
			return true
		}
		for _, k := range uidLabels {
			if uid != "" && l[k] == uid {
				return true
			}
		}
		return ownedBy(o, uid)
	}
	for _, c := range runs {
		for _, b := range c.cr("backups") {
			if belongs(b, mtc.InitialBackupLabel, mtc.StageBackupLabel) {
				ref.Backups = append(ref.Backups, c.veleroRef("backups", b))
			}
		}
		for _, r := range c.cr("restores") {
			if belongs(r, mtc.StageRestoreLabel, mtc.FinalRestoreLabel) {
				ref.Restores = append(ref.Restores, c.veleroRef("restores", r))
			}
		}
	}
	dvmKey, _ := mtc.CorrelationLabel(mtc.KindDirectVolumeMigration, "")
	for _, dvm := range host.cr("directvolumemigrations") {
		if !belongs(dvm, mtc.DirectVolumeMigrationLabel) {
			continue
		}
		d := mustgather.DVMRef{ObjectRef: host.ref(mtcGroup, "directvolumemigrations", dvm)}
		for _, dvmp := range host.cr("directvolumemigrationprogresses") {
			if dvmp.GetLabels()[dvmKey] == string(dvm.GetUID()) || ownedBy(dvmp, string(dvm.GetUID())) {
				d.Progress = append(d.Progress, host.ref(mtcGroup, "directvolumemigrationprogresses", dvmp))
			}
		}
		ref.DirectVolumeMigrations = append(ref.DirectVolumeMigrations, d)
	}
	for _, dim := range host.cr("directimagemigrations") {
		if belongs(dim) {
			ref.DirectImageMigrations = append(ref.DirectImageMigrations, host.ref(mtcGroup, "directimagemigrations", dim))
		}
	}
	return ref
}

func ownedBy(o *unstructured.Unstructured, uid string) bool {
	if uid == "" {
		return false
	}
	for _, or := range o.GetOwnerReferences() {
		if string(or.UID) == uid {
			return true
		}
	}
	return false
}

// ref locates an object kept from a List file of this cluster.
func (c *clusterRun) ref(group, resource string, o *unstructured.Unstructured) mustgather.ObjectRef {
	file := mustgather.ClusterScopedObject(group, resource, o.GetName())
	if o.GetNamespace() != "" {
		file = mustgather.NamespacedList(o.GetNamespace(), group, resource)
	}
	return mustgather.ObjectRef{Cluster: c.spec.Name, Group: group, Resource: resource,
		Namespace: o.GetNamespace(), Name: o.GetName(), File: c.path(file)}
}

func (c *clusterRun) veleroRef(resource string, o *unstructured.Unstructured) mustgather.VeleroRef {
	phase, _, _ := unstructured.NestedString(o.Object, "status", "phase")
	v := mustgather.VeleroRef{ObjectRef: c.ref(veleroGroup, resource, o), Phase: phase}
	c.mu.Lock()
	defer c.mu.Unlock()
	v.Log = c.veleroFiles[c.path(mustgather.VeleroLog(o.GetNamespace(), resource, o.GetName()))]
	v.Results = c.veleroFiles[c.path(mustgather.VeleroResults(o.GetNamespace(), resource, o.GetName()))]
	return v
}

// planPods lists the migration helper pods gathered in the plan's
// namespaces on one side.
func planPods(c *clusterRun, mappings []mtc.NameMapping, source bool) []mustgather.PodRef {
	if c == nil {
		return nil
	}
	nss := map[string]bool{}
	for _, m := range mappings {
		if source {
			nss[m.Source] = true
		} else {
			nss[m.Destination] = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []mustgather.PodRef
	for _, p := range c.pods {
		if !nss[p.namespace] || p.labels[mtc.PartOfLabel] != mtc.PartOfValue {
			continue
		}
		out = append(out, mustgather.PodRef{
			ObjectRef: mustgather.ObjectRef{Cluster: c.spec.Name, Resource: "pods", Namespace: p.namespace, Name: p.name,
				File: c.path(mustgather.NamespacedList(p.namespace, "", "pods"))},
			Logs: append([]string(nil), p.written...),
		})
	}
	return out
}
