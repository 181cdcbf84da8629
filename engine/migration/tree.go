package migration

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Node is one object of a migration's resource tree, with the commands that
// dig further into it.
type Node struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Cluster is the MigCluster (or role) the object lives on.
	Cluster string `json:"cluster"`
	Status  string `json:"status"`
	// Problem marks a failed, stuck or warning state.
	Problem  bool     `json:"problem,omitempty"`
	Details  []string `json:"details,omitempty"`
	Commands []string `json:"commands,omitempty"`
	Children []*Node  `json:"children,omitempty"`
}

// TreeConfig says how to spell the commands shown for each node.
type TreeConfig struct {
	// CLI is "kubectl" or "oc".
	CLI string
	// Contexts maps a cluster name to the kubeconfig context to pass with
	// --context, when the user has one for it.
	Contexts map[string]string
}

// TreeResult is the tree plus what could not be read.
type TreeResult struct {
	Root *Node `json:"root"`
	// Partial lists the parts that could not be read (unreachable cluster,
	// forbidden LIST); the tree shows everything else.
	Partial []string `json:"partial,omitempty"`
}

// Tree builds the resource tree of a migration the way MTC's console shows
// it: MigMigration -> Velero Backups/Restores -> PodVolumeBackups/Restores;
// DirectVolumeMigration -> progress CRs -> rsync pods; DirectImageMigration
// -> stream migrations. Children are found by the labels MTC sets, with one
// LIST per kind and cluster.
func Tree(ctx context.Context, access *cluster.Access, name string, cfg TreeConfig) (*TreeResult, error) {
	if cfg.CLI == "" {
		cfg.CLI = "kubectl"
	}
	host := access.Host()
	ns := access.Namespace()
	m, err := Get(ctx, host.Dynamic, ns, name)
	if err != nil {
		return nil, err
	}
	b := &treeBuilder{cfg: cfg, ns: ns, host: host, res: &TreeResult{}}
	b.res.Root = b.migrationNode(m)
	b.resolveClusters(ctx, access, m)
	b.velero(ctx, m)
	b.directVolume(ctx, m)
	b.directImage(ctx, m)
	return b.res, nil
}

type treeBuilder struct {
	cfg      TreeConfig
	ns       string
	host     *cluster.Target
	src, dst *cluster.Target
	res      *TreeResult
}

func (b *treeBuilder) partial(format string, args ...any) {
	b.res.Partial = append(b.res.Partial, fmt.Sprintf(format, args...))
}

// resolveClusters finds the plan's source and destination; when that fails
// the Velero and rsync parts are reported as partial.
func (b *treeBuilder) resolveClusters(ctx context.Context, access *cluster.Access, m *mtc.MigMigration) {
	if m.Spec.MigPlanRef == nil {
		b.partial("MigMigration has no migPlanRef: source and destination unknown")
		return
	}
	p, err := kube.Get[mtc.MigPlan](ctx, b.host.Dynamic.Resource(kube.MigPlans).Namespace(b.ns), m.Spec.MigPlanRef.Name)
	if err != nil {
		b.partial("read MigPlan %s: %v", m.Spec.MigPlanRef.Name, err)
		return
	}
	src, dst, err := access.Plan(ctx, p)
	if err != nil {
		b.partial("reach the plan's clusters: %v", err)
		return
	}
	b.src, b.dst = src, dst
}

func (b *treeBuilder) cmd(cluster string, args ...string) string {
	c := b.cfg.CLI + " " + strings.Join(args, " ")
	if ctxName := b.cfg.Contexts[cluster]; ctxName != "" {
		c += " --context " + ctxName
	}
	return c
}

func (b *treeBuilder) describeCmd(cluster, resource, ns, name string) string {
	return b.cmd(cluster, "describe", resource, name, "-n", ns)
}

func (b *treeBuilder) migrationNode(m *mtc.MigMigration) *Node {
	p := Snapshot(m)
	status := string(p.Outcome)
	if p.Phase != "" && !p.Outcome.Terminal() {
		status += " (" + p.Phase
		if l := p.StepLabel(); l != "" {
			status += ", step " + l
		}
		status += ")"
	}
	n := &Node{
		Kind: mtc.KindMigMigration, Name: m.Name, Namespace: m.Namespace, Cluster: b.host.Name, Status: status,
		Problem: p.Outcome == mtc.OutcomeFailed || p.Outcome == mtc.OutcomeBlocked || len(p.Warnings) > 0,
		Commands: []string{
			b.describeCmd(b.host.Name, "migmigrations.migration.openshift.io", m.Namespace, m.Name),
			b.cfg.CLI + " mig diagnose --migration " + m.Name,
		},
	}
	if p.FailedStep != "" {
		n.Details = append(n.Details, "failed step: "+p.FailedStep)
	}
	for _, e := range p.Errors {
		n.Details = append(n.Details, "error: "+e)
	}
	for _, c := range append(p.Blockers, p.Warnings...) {
		n.Details = append(n.Details, fmt.Sprintf("%s (%s): %s", c.Type, c.Category, c.Message))
	}
	return n
}

// velero adds Backups (source) and Restores (destination) and their pod
// volume operations.
func (b *treeBuilder) velero(ctx context.Context, m *mtc.MigMigration) {
	sel := labels.Set{"migmigration": string(m.UID)}.String()
	if b.src != nil {
		b.veleroKind(ctx, b.src, kube.VeleroBackups, "Backup", "backups.velero.io", sel,
			kube.PodVolumeBackups, "PodVolumeBackup", "podvolumebackups.velero.io", "velero.io/backup-name")
	}
	if b.dst != nil {
		b.veleroKind(ctx, b.dst, kube.VeleroRestores, "Restore", "restores.velero.io", sel,
			kube.PodVolumeRestores, "PodVolumeRestore", "podvolumerestores.velero.io", "velero.io/restore-name")
	}
}

func (b *treeBuilder) veleroKind(ctx context.Context, t *cluster.Target, gvr schema.GroupVersionResource, kind, resource, sel string,
	childGVR schema.GroupVersionResource, childKind, childResource, childLabel string) {
	var parents []unstructured.Unstructured
	err := kube.EachPage(ctx, t.Dynamic.Resource(gvr).Namespace(b.ns), metav1.ListOptions{LabelSelector: sel},
		func(items []unstructured.Unstructured) error { parents = append(parents, items...); return nil })
	if err != nil {
		b.partial("list %s on cluster %s: %v", resource, t.Name, err)
		return
	}
	sortByName(parents)
	byName := map[string]*Node{}
	var names []string
	for i := range parents {
		u := &parents[i]
		n := b.veleroNode(t.Name, kind, resource, u)
		b.res.Root.Children = append(b.res.Root.Children, n)
		byName[u.GetName()] = n
		names = append(names, u.GetName())
	}
	if len(names) == 0 {
		return
	}
	req, err := labels.NewRequirement(childLabel, selection.In, names)
	if err != nil {
		b.partial("select %s: %v", childResource, err)
		return
	}
	var children []unstructured.Unstructured
	err = kube.EachPage(ctx, t.Dynamic.Resource(childGVR).Namespace(b.ns), metav1.ListOptions{LabelSelector: req.String()},
		func(items []unstructured.Unstructured) error { children = append(children, items...); return nil })
	if err != nil {
		b.partial("list %s on cluster %s: %v", childResource, t.Name, err)
		return
	}
	sortByName(children)
	for i := range children {
		u := &children[i]
		if parent := byName[u.GetLabels()[childLabel]]; parent != nil {
			parent.Children = append(parent.Children, b.veleroNode(t.Name, childKind, childResource, u))
		}
	}
}

func (b *treeBuilder) veleroNode(clusterName, kind, resource string, u *unstructured.Unstructured) *Node {
	phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
	n := &Node{Kind: kind, Name: u.GetName(), Namespace: u.GetNamespace(), Cluster: clusterName, Status: orText(phase, "New"),
		Commands: []string{b.describeCmd(clusterName, resource, u.GetNamespace(), u.GetName())}}
	switch phase {
	case "Failed", "FailedValidation", "PartiallyFailed":
		n.Problem = true
	}
	if total, ok, _ := unstructured.NestedInt64(u.Object, "status", "progress", "totalItems"); ok && total > 0 {
		done, _, _ := unstructured.NestedInt64(u.Object, "status", "progress", "itemsBackedUp")
		if done == 0 {
			done, _, _ = unstructured.NestedInt64(u.Object, "status", "progress", "itemsRestored")
		}
		n.Details = append(n.Details, fmt.Sprintf("%d/%d items", done, total))
	}
	if total, ok, _ := unstructured.NestedInt64(u.Object, "status", "progress", "totalBytes"); ok && total > 0 {
		done, _, _ := unstructured.NestedInt64(u.Object, "status", "progress", "bytesDone")
		n.Details = append(n.Details, fmt.Sprintf("%d/%d bytes", done, total))
	}
	if msg, _, _ := unstructured.NestedString(u.Object, "status", "message"); msg != "" {
		n.Details = append(n.Details, msg)
	}
	for _, f := range []string{"warnings", "errors"} {
		if c, ok := nestedCount(u.Object, "status", f); ok && c > 0 {
			n.Details = append(n.Details, fmt.Sprintf("%d %s", c, strings.TrimSuffix(f, "s")+"(s)"))
			if f == "errors" {
				n.Problem = true
			}
		}
	}
	if reason, _, _ := unstructured.NestedString(u.Object, "status", "failureReason"); reason != "" {
		n.Details = append(n.Details, "failure: "+reason)
	}
	if errs, _, _ := unstructured.NestedStringSlice(u.Object, "status", "validationErrors"); len(errs) > 0 {
		n.Details = append(n.Details, "validation: "+strings.Join(errs, "; "))
	}
	if pod, _, _ := unstructured.NestedString(u.Object, "spec", "pod", "name"); pod != "" {
		podNS, _, _ := unstructured.NestedString(u.Object, "spec", "pod", "namespace")
		vol, _, _ := unstructured.NestedString(u.Object, "spec", "volume")
		n.Details = append(n.Details, fmt.Sprintf("pod %s/%s volume %s", podNS, pod, vol))
	}
	return n
}

// directVolume adds DVMs, their progress CRs and rsync pods.
func (b *treeBuilder) directVolume(ctx context.Context, m *mtc.MigMigration) {
	dvms, err := kube.List[mtc.DirectVolumeMigration](ctx, b.host.Dynamic.Resource(kube.DirectVolumeMigs).Namespace(b.ns),
		metav1.ListOptions{LabelSelector: labels.Set{"migmigration": string(m.UID)}.String()})
	if err != nil {
		b.partial("list directvolumemigrations on cluster %s: %v", b.host.Name, err)
		return
	}
	if len(dvms) == 0 {
		return
	}
	sort.Slice(dvms, func(i, j int) bool { return dvms[i].Name < dvms[j].Name })
	uids := make([]string, 0, len(dvms))
	nodes := map[types.UID]*Node{}
	for i := range dvms {
		n := b.dvmNode(&dvms[i])
		b.res.Root.Children = append(b.res.Root.Children, n)
		nodes[dvms[i].UID] = n
		uids = append(uids, string(dvms[i].UID))
	}
	req, _ := labels.NewRequirement("directvolumemigration", selection.In, uids)
	dvmps, err := kube.List[mtc.DirectVolumeMigrationProgress](ctx, b.host.Dynamic.Resource(kube.DVMProgresses).Namespace(b.ns),
		metav1.ListOptions{LabelSelector: req.String()})
	if err != nil {
		b.partial("list directvolumemigrationprogresses on cluster %s: %v", b.host.Name, err)
	}
	sort.Slice(dvmps, func(i, j int) bool { return dvmps[i].Name < dvmps[j].Name })
	progress := map[string]*Node{} // "<namespace>/<created-for-pvc>" -> DVMP node
	for i := range dvmps {
		d := &dvmps[i]
		n := b.dvmpNode(d)
		if parent := nodes[types.UID(d.Labels["directvolumemigration"])]; parent != nil {
			parent.Children = append(parent.Children, n)
		}
		progress[d.Spec.PodNamespace+"/"+d.Spec.PodSelector[mtc.RsyncPodIdentityLabel]] = n
	}
	b.rsyncPods(ctx, b.src, req.String(), nodes, progress)
	b.rsyncPods(ctx, b.dst, req.String(), nodes, nil)
}

func (b *treeBuilder) dvmNode(d *mtc.DirectVolumeMigration) *Node {
	status := orText(d.Status.Phase, "Pending")
	if d.Status.Itinerary == mtc.DVMItineraryVolumeMigrationFailed {
		status = "Failed (" + status + ")"
	}
	n := &Node{Kind: mtc.KindDirectVolumeMigration, Name: d.Name, Namespace: d.Namespace, Cluster: b.host.Name,
		Status:   status,
		Commands: []string{b.describeCmd(b.host.Name, "directvolumemigrations.migration.openshift.io", d.Namespace, d.Name)}}
	if desc := d.Status.PhaseDescription; desc != "" && desc != d.Status.Phase {
		n.Details = append(n.Details, desc)
	}
	for _, c := range append(d.Status.Conditions.Blockers(), d.Status.Conditions.Warnings()...) {
		n.Problem = true
		n.Details = append(n.Details, fmt.Sprintf("%s (%s): %s", c.Type, c.Category, c.Message))
	}
	for _, e := range d.Status.Errors {
		n.Problem = true
		n.Details = append(n.Details, "error: "+e)
	}
	return n
}

func (b *treeBuilder) dvmpNode(d *mtc.DirectVolumeMigrationProgress) *Node {
	st := d.Status
	status := orText(string(st.PodPhase), "Unknown")
	if st.TotalProgressPercentage != "" {
		status += " " + st.TotalProgressPercentage
	} else if st.LastObservedProgressPercent != "" {
		status += " " + st.LastObservedProgressPercent
	}
	n := &Node{Kind: mtc.KindDirectVolumeMigrationProgress, Name: d.Name, Namespace: d.Namespace, Cluster: b.host.Name,
		Status:   status,
		Problem:  st.PodPhase == corev1.PodFailed || st.PodPhase == corev1.PodPending,
		Commands: []string{b.describeCmd(b.host.Name, "directvolumemigrationprogresses.migration.openshift.io", d.Namespace, d.Name)}}
	if st.PodName != "" {
		n.Details = append(n.Details, fmt.Sprintf("pod %s/%s", d.Spec.PodNamespace, st.PodName))
	}
	if st.LastObservedTransferRate != "" {
		n.Details = append(n.Details, "transfer rate "+st.LastObservedTransferRate)
	}
	if st.ExitCode != nil {
		n.Details = append(n.Details, fmt.Sprintf("exit code %d", *st.ExitCode))
	}
	if st.LogMessage != "" {
		n.Details = append(n.Details, "log: "+st.LogMessage)
	}
	return n
}

// rsyncPods lists the rsync pods of the DVMs on one cluster (one LIST across
// namespaces) and hangs each under its progress CR (client pods) or its DVM
// (server pods).
func (b *treeBuilder) rsyncPods(ctx context.Context, t *cluster.Target, sel string, dvms map[types.UID]*Node, progress map[string]*Node) {
	if t == nil {
		return
	}
	pods, err := kube.List[corev1.Pod](ctx, t.Dynamic.Resource(corev1.SchemeGroupVersion.WithResource("pods")), metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		b.partial("list rsync pods on cluster %s: %v", t.Name, err)
		return
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name })
	for i := range pods {
		p := &pods[i]
		n := b.podNode(t.Name, p)
		parent := progress[p.Namespace+"/"+p.Labels[mtc.RsyncPodIdentityLabel]]
		if parent == nil {
			parent = dvms[types.UID(p.Labels["directvolumemigration"])]
		}
		if parent != nil {
			parent.Children = append(parent.Children, n)
		}
	}
}

func (b *treeBuilder) podNode(clusterName string, p *corev1.Pod) *Node {
	n := &Node{Kind: "Pod", Name: p.Name, Namespace: p.Namespace, Cluster: clusterName, Status: string(p.Status.Phase),
		Problem: p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodPending || p.Status.Phase == ""}
	for _, c := range p.Status.Conditions {
		if c.Status == corev1.ConditionFalse && c.Message != "" {
			n.Details = append(n.Details, fmt.Sprintf("%s: %s: %s", c.Type, c.Reason, c.Message))
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil:
			n.Details = append(n.Details, strings.TrimSpace(fmt.Sprintf("container %s waiting: %s %s", cs.Name, cs.State.Waiting.Reason, cs.State.Waiting.Message)))
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0:
			n.Details = append(n.Details, fmt.Sprintf("container %s exited %d: %s", cs.Name, cs.State.Terminated.ExitCode, cs.State.Terminated.Reason))
		}
	}
	n.Commands = []string{b.cmd(clusterName, "describe", "pod", p.Name, "-n", p.Namespace)}
	if hasContainer(p, mtc.RsyncContainerName) {
		n.Commands = append(n.Commands, b.cmd(clusterName, "logs", p.Name, "-n", p.Namespace, "-c", mtc.RsyncContainerName))
	} else {
		n.Commands = append(n.Commands, b.cmd(clusterName, "logs", p.Name, "-n", p.Namespace, "--all-containers"))
	}
	return n
}

// directImage adds DIMs and their stream migrations.
func (b *treeBuilder) directImage(ctx context.Context, m *mtc.MigMigration) {
	dims, err := kube.List[mtc.DirectImageMigration](ctx, b.host.Dynamic.Resource(kube.DirectImageMigs).Namespace(b.ns),
		metav1.ListOptions{LabelSelector: labels.Set{"migmigration": string(m.UID)}.String()})
	if err != nil {
		b.partial("list directimagemigrations on cluster %s: %v", b.host.Name, err)
		return
	}
	if len(dims) == 0 {
		return
	}
	sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
	nodes := map[string]*Node{}
	uids := make([]string, 0, len(dims))
	for i := range dims {
		d := &dims[i]
		n := b.imageNode(mtc.KindDirectImageMigration, "directimagemigrations.migration.openshift.io", d.Name, d.Namespace,
			d.Status.Phase, d.Status.Conditions, d.Status.Errors)
		for _, is := range d.Status.FailedISs {
			n.Problem = true
			n.Details = append(n.Details, fmt.Sprintf("image stream %s/%s failed: %s", is.Namespace, is.Name, strings.Join(is.Errors, "; ")))
		}
		b.res.Root.Children = append(b.res.Root.Children, n)
		nodes[string(d.UID)] = n
		uids = append(uids, string(d.UID))
	}
	req, _ := labels.NewRequirement("directimagemigration", selection.In, uids)
	disms, err := kube.List[mtc.DirectImageStreamMigration](ctx, b.host.Dynamic.Resource(kube.DirectImageStream).Namespace(b.ns),
		metav1.ListOptions{LabelSelector: req.String()})
	if err != nil {
		b.partial("list directimagestreammigrations on cluster %s: %v", b.host.Name, err)
		return
	}
	sort.Slice(disms, func(i, j int) bool { return disms[i].Name < disms[j].Name })
	for i := range disms {
		d := &disms[i]
		if parent := nodes[d.Labels["directimagemigration"]]; parent != nil {
			parent.Children = append(parent.Children, b.imageNode(mtc.KindDirectImageStreamMigration,
				"directimagestreammigrations.migration.openshift.io", d.Name, d.Namespace, d.Status.Phase, d.Status.Conditions, d.Status.Errors))
		}
	}
}

func (b *treeBuilder) imageNode(kind, resource, name, ns, phase string, conds mtc.Conditions, errs []string) *Node {
	n := &Node{Kind: kind, Name: name, Namespace: ns, Cluster: b.host.Name, Status: orText(phase, "Pending"),
		Commands: []string{b.describeCmd(b.host.Name, resource, ns, name)}}
	for _, c := range append(conds.Blockers(), conds.Warnings()...) {
		n.Problem = true
		n.Details = append(n.Details, fmt.Sprintf("%s (%s): %s", c.Type, c.Category, c.Message))
	}
	for _, e := range errs {
		n.Problem = true
		n.Details = append(n.Details, "error: "+e)
	}
	return n
}

func hasContainer(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func sortByName(items []unstructured.Unstructured) {
	sort.Slice(items, func(i, j int) bool { return items[i].GetName() < items[j].GetName() })
}

func orText(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// nestedCount reads a count however it was decoded (int64 or float64).
func nestedCount(obj map[string]any, fields ...string) (int64, bool) {
	v, ok, _ := unstructured.NestedFieldNoCopy(obj, fields...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), true
	}
	return 0, false
}
