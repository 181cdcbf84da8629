package snapshot

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// LiveConfig configures reading live clusters.
type LiveConfig struct {
	// Host is the cluster holding the MTC resources.
	Host *rest.Config
	// HostName names it in reports (default "host").
	HostName string
	// Remote returns the configuration of a non-host MigCluster (by name):
	// engine/cluster builds it from the MigCluster's URL, token and CA.
	Remote func(ctx context.Context, migCluster string) (*rest.Config, error)
	// Namespace is the MTC namespace (default openshift-migration).
	Namespace string
	// Plan or Migration narrow what is read to one plan's namespaces and
	// clusters; both empty reads every plan.
	Plan, Migration string
	// LogTail is the number of lines read from each container log.
	LogTail int64
	// Concurrency bounds parallel requests per cluster.
	Concurrency int
	// PageSize is the LIST page size.
	PageSize int64
	// NamespaceListing chooses between per-namespace and cluster-wide LISTs
	// of the plans' namespaces (default ListAuto, see wideListing); the
	// snapshot holds the same objects either way.
	NamespaceListing NamespaceListing
}

// Live is a Snapshot read from live clusters. Reading happens in OpenLive;
// afterwards only logs (StreamLogs) and TLS probes reach the servers.
type Live struct {
	*store
	cfg      LiveConfig
	requests atomic.Int64
	clients  map[string]*liveClients
	logPods  map[string]bool
	mu       sync.Mutex
}

type liveClients struct {
	dyn  dynamic.Interface
	meta metadata.Interface
	kube kubernetes.Interface
}

// Requests is the number of API requests made so far (LISTs, pages, logs).
func (l *Live) Requests() int64 { return l.requests.Load() }

// OpenLive lists what the rules need: one paginated LIST per kind on the
// MTC namespace of each cluster, and per namespace of the plans in scope
// (or, where the plans hold most of a cluster's namespaces, once per kind
// across the cluster, keeping only their namespaces: see wideListing), in
// parallel with bounded concurrency. The number of requests depends on the
// plans in scope and their namespaces, never on unrelated migrations.
func OpenLive(ctx context.Context, cfg LiveConfig) (*Live, error) {
	if cfg.HostName == "" {
		cfg.HostName = DefaultHost
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "openshift-migration"
	}
	if cfg.LogTail <= 0 {
		cfg.LogTail = 2000
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 500
	}
	l := &Live{store: newStore(cfg.HostName), cfg: cfg, clients: map[string]*liveClients{}, logPods: map[string]bool{}}
	l.source = Source{Type: "live"}
	l.taken = time.Now()
	l.absent = l.absentPolicy
	if err := l.connect(cfg.HostName, cfg.Host); err != nil {
		return nil, err
	}
	l.cluster(cfg.HostName)
	if err := l.readHost(ctx); err != nil {
		return nil, err
	}
	plan := l.scope()
	if err := l.readClusters(ctx, plan); err != nil {
		return nil, err
	}
	l.indexLogs()
	return l, nil
}

// connect builds counting clients for a cluster.
func (l *Live) connect(name string, cfg *rest.Config) error {
	c := rest.CopyConfig(cfg)
	c.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingRT{rt: rt, n: &l.requests} })
	dyn, err := dynamic.NewForConfig(c)
	if err != nil {
		return fmt.Errorf("cluster %q: %w", name, err)
	}
	meta, err := metadata.NewForConfig(c)
	if err != nil {
		return fmt.Errorf("cluster %q: %w", name, err)
	}
	kube, err := kubernetes.NewForConfig(c)
	if err != nil {
		return fmt.Errorf("cluster %q: %w", name, err)
	}
	l.clients[name] = &liveClients{dyn: dyn, meta: meta, kube: kube}
	return nil
}

type countingRT struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

// RoundTrip counts one request per API call: a call the server throttled
// (429, retried by client-go after Retry-After) is counted once, when it is
// answered.
func (c countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		return resp, nil
	}
	c.n.Add(1)
	return resp, err
}

// listJob is one paginated LIST.
type listJob struct {
	cluster   string
	kind      Kind
	namespace string // "" for cluster-wide
	selector  string
	fields    string
	metaOnly  bool
	// none: the scope holds nothing of this kind; mark it read, ask nothing.
	none bool
	// within makes a cluster-wide LIST (namespace "") of a namespaced kind
	// that keeps only the objects of these namespaces and stands for their
	// per-namespace jobs (see wideJobs).
	within *namespaceSet
}

// readHost lists the MTC and Velero kinds, pods and events in the MTC
// namespace of the host. A failure to list MigPlans or MigMigrations is
// fatal: nothing can be scoped without them.
func (l *Live) readHost(ctx context.Context) error {
	var jobs []listJob
	for _, k := range []Kind{MigCluster, MigStorage, MigHook, MigrationController, BackupStorageLocation} {
		jobs = append(jobs, listJob{cluster: l.host, kind: k, namespace: l.cfg.Namespace})
	}
	jobs = append(jobs, l.mtcNamespaceJobs(l.host)...)
	jobs = append(jobs, l.scopeJobs(ctx)...)
	l.runJobs(ctx, jobs)
	for _, k := range []Kind{MigPlan, MigMigration} {
		if _, err := l.Objects(l.host, k); err != nil {
			return fmt.Errorf("read %s in namespace %s on the host cluster: %w", k, l.cfg.Namespace, err)
		}
	}
	return nil
}

// scopeJobs list the plans and migrations in scope: all of them, or only
// the named plan (or the named migration's plan) and that plan's migrations
// (by the migplan-name label the controller puts on every MigMigration), so
// that other plans' migrations cost nothing.
func (l *Live) scopeJobs(ctx context.Context) []listJob {
	plan := l.cfg.Plan
	if l.cfg.Migration != "" {
		mig, err := l.list(ctx, listJob{cluster: l.host, kind: MigMigration, namespace: l.cfg.Namespace, fields: "metadata.name=" + l.cfg.Migration})
		if err != nil || len(mig) == 0 {
			// Let the full lists below report what is there.
			return []listJob{{cluster: l.host, kind: MigPlan, namespace: l.cfg.Namespace}, {cluster: l.host, kind: MigMigration, namespace: l.cfg.Namespace}}
		}
		plan, _, _ = unstructured.NestedString(mig[0].Object, "spec", "migPlanRef", "name")
		l.add(l.host, mig[0])
	}
	if plan == "" {
		return []listJob{{cluster: l.host, kind: MigPlan, namespace: l.cfg.Namespace}, {cluster: l.host, kind: MigMigration, namespace: l.cfg.Namespace}}
	}
	return []listJob{
		{cluster: l.host, kind: MigPlan, namespace: l.cfg.Namespace, fields: "metadata.name=" + plan},
		{cluster: l.host, kind: MigMigration, namespace: l.cfg.Namespace, selector: migPlanNameLabel + "=" + plan},
	}
}

// migPlanNameLabel is the label the controller puts on every MigMigration.
const migPlanNameLabel = "migration.openshift.io/migplan-name"

// mtcNamespaceJobs are the pods of the MTC namespace (controller, Velero,
// restic/node-agent, hook pods: their logs matter). Its events are not read:
// no rule needs them, and they grow with every migration.
func (l *Live) mtcNamespaceJobs(cluster string) []listJob {
	return []listJob{{cluster: cluster, kind: Pod, namespace: l.cfg.Namespace}}
}

// planScope is what the rules will look at beyond the MTC namespace.
type planScope struct {
	// namespaces per MigCluster name.
	namespaces map[string]map[string]bool
	clusters   []string // MigCluster names
	// migrations are the UIDs of the migrations in scope; nil means all.
	// Objects MTC creates per migration (DVMs, Backups, Restores, hook
	// Jobs) are listed by their correlation label, so unrelated migrations
	// cost no request and no page.
	migrations []string
}

// scope picks the plans in scope and their clusters and namespaces.
func (l *Live) scope() planScope {
	s := planScope{namespaces: map[string]map[string]bool{}}
	plans, _ := l.Objects(l.host, MigPlan)
	migs, _ := l.Objects(l.host, MigMigration)
	want := map[string]bool{}
	switch {
	case l.cfg.Migration != "":
		for _, m := range migs {
			if m.GetName() == l.cfg.Migration {
				p, _, _ := unstructured.NestedString(m.Object, "spec", "migPlanRef", "name")
				want[p] = true
			}
		}
	case l.cfg.Plan != "":
		want[l.cfg.Plan] = true
	}
	if len(want) > 0 || l.cfg.Migration != "" {
		s.migrations = []string{}
		for _, m := range migs {
			p, _, _ := unstructured.NestedString(m.Object, "spec", "migPlanRef", "name")
			if m.GetName() == l.cfg.Migration || l.cfg.Migration == "" && want[p] {
				s.migrations = append(s.migrations, string(m.GetUID()))
			}
		}
		sort.Strings(s.migrations)
	}
	add := func(cluster, ns string) {
		if cluster == "" {
			return
		}
		if s.namespaces[cluster] == nil {
			s.namespaces[cluster] = map[string]bool{}
			s.clusters = append(s.clusters, cluster)
		}
		if ns != "" {
			s.namespaces[cluster][ns] = true
		}
	}
	for _, p := range plans {
		if len(want) > 0 && !want[p.GetName()] {
			continue
		}
		src, _, _ := unstructured.NestedString(p.Object, "spec", "srcMigClusterRef", "name")
		dst, _, _ := unstructured.NestedString(p.Object, "spec", "destMigClusterRef", "name")
		nss, _, _ := unstructured.NestedStringSlice(p.Object, "spec", "namespaces")
		for _, n := range nss {
			srcNS, dstNS, ok := strings.Cut(n, ":")
			if !ok {
				dstNS = srcNS
			}
			add(src, srcNS)
			add(dst, dstNS)
		}
		add(src, "")
		add(dst, "")
	}
	if len(want) == 0 {
		cls, _ := l.Objects(l.host, MigCluster)
		for _, c := range cls {
			add(c.GetName(), "")
		}
	}
	sort.Strings(s.clusters)
	return s
}

// readClusters connects to each MigCluster in scope and lists what the
// rules need there. An unreachable cluster is recorded, not fatal.
// Namespaces (and PVs) are listed first: how the plans' namespaces are
// listed on a cluster depends on how many other namespaces it has.
func (l *Live) readClusters(ctx context.Context, s planScope) error {
	cls, _ := l.Objects(l.host, MigCluster)
	isHost := map[string]bool{}
	for _, c := range cls {
		if h, _, _ := unstructured.NestedBool(c.Object, "spec", "isHostCluster"); h {
			isHost[c.GetName()] = true
		}
	}
	var jobs, clusterJobs []listJob
	done := map[string]bool{}
	names := []string{l.host}
	var read []string // clusters whose plan namespaces are listed, in order
	inScope := map[string]map[string]bool{}
	for _, mc := range s.clusters {
		name := mc
		if isHost[mc] {
			name = l.host
		} else if !done[name] {
			if err := l.connectRemote(ctx, mc); err != nil {
				l.source.Notes = append(l.source.Notes, err.Error())
				continue
			}
			jobs = append(jobs, listJob{cluster: name, kind: BackupStorageLocation, namespace: l.cfg.Namespace},
				listJob{cluster: name, kind: MigrationController, namespace: l.cfg.Namespace})
			jobs = append(jobs, l.mtcNamespaceJobs(name)...)
			names = append(names, name)
		}
		if !done[name] {
			clusterJobs = append(clusterJobs, listJob{cluster: name, kind: Namespace}, listJob{cluster: name, kind: PersistentVolume})
			done[name] = true
			read = append(read, name)
			inScope[name] = map[string]bool{}
		}
		for ns := range s.namespaces[mc] {
			inScope[name][ns] = true
		}
	}
	l.runJobs(ctx, clusterJobs)
	for _, name := range read {
		jobs = append(jobs, l.namespaceJobsFor(name, newNamespaceSet(inScope[name]))...)
	}
	jobs = append(jobs, l.migrationJobs(names, s.migrations)...)
	fallback := l.runJobs(ctx, dedupeJobs(jobs))
	l.runJobs(ctx, append(dedupeJobs(fallback), l.podVolumeJobs(names, s.migrations)...))
	return ctx.Err()
}

// migrationJobs list what MTC creates per migration, by correlation label
// when the scope is known: DVMs on the host; Backups, Restores and hook
// Jobs on every cluster.
func (l *Live) migrationJobs(clusters, uids []string) []listJob {
	sel := func(key string) (string, bool) {
		if uids == nil {
			return "", true
		}
		if len(uids) == 0 {
			return "", false
		}
		return key + " in (" + strings.Join(uids, ",") + ")", true
	}
	var jobs []listJob
	add := func(cluster string, k Kind, key string) {
		selector, any := sel(key)
		jobs = append(jobs, listJob{cluster: cluster, kind: k, namespace: l.cfg.Namespace, selector: selector, none: !any})
	}
	add(l.host, DirectVolume, "migmigration")
	if uids == nil {
		add(l.host, DirectVolumeProg, "")
		add(l.host, DirectImage, "")
	}
	for _, c := range clusters {
		add(c, Backup, "migmigration")
		add(c, Restore, "migmigration")
		add(c, Job, "owner")
	}
	return jobs
}

// podVolumeJobs list the PodVolumeBackups/Restores of the Backups and
// Restores read before (all of them when the scope is everything).
func (l *Live) podVolumeJobs(clusters, uids []string) []listJob {
	var jobs []listJob
	for _, c := range clusters {
		for _, pair := range []struct {
			owner, kind Kind
			label       string
		}{{Backup, PodVolumeBackup, "velero.io/backup-name"}, {Restore, PodVolumeRestore, "velero.io/restore-name"}} {
			j := listJob{cluster: c, kind: pair.kind, namespace: l.cfg.Namespace}
			if uids != nil {
				owners, _ := l.Objects(c, pair.owner)
				var names []string
				for _, o := range owners {
					names = append(names, o.GetName())
				}
				sort.Strings(names)
				j.none = len(names) == 0
				j.selector = pair.label + " in (" + strings.Join(names, ",") + ")"
			}
			jobs = append(jobs, j)
		}
	}
	return jobs
}

func dedupeJobs(jobs []listJob) []listJob {
	seen := map[listJob]bool{}
	var out []listJob
	for _, j := range jobs {
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out
}

func (l *Live) connectRemote(ctx context.Context, name string) error {
	if l.cfg.Remote == nil {
		return fmt.Errorf("cluster %q: no way to reach it (no remote access configured)", name)
	}
	cfg, err := l.cfg.Remote(ctx, name)
	if err != nil {
		return fmt.Errorf("cluster %q could not be reached; its data is missing from the diagnosis: %w", name, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.connect(name, cfg); err != nil {
		return err
	}
	l.cluster(name)
	return nil
}

// runJobs runs LISTs concurrently; failures mark the kind unavailable. It
// returns the per-namespace jobs that stand for the cluster-wide jobs that
// failed (refused to a user with rights in some namespaces only, or any
// other error but a kind the server does not serve), for the caller to run
// next: what they record is then exactly what the per-namespace path
// records, failures included.
func (l *Live) runJobs(ctx context.Context, jobs []listJob) []listJob {
	var fallback []listJob
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.cfg.Concurrency)
	for _, j := range jobs {
		g.Go(func() error {
			var items []*unstructured.Unstructured
			var err error
			if !j.none {
				items, err = l.list(gctx, j)
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			c := l.cluster(j.cluster)
			gk := j.kind.GroupKind()
			switch {
			case err != nil && (apierrors.IsNotFound(err) || isNoMatch(err)):
				// The server does not serve this kind (no Routes on plain
				// Kubernetes, no MTC CRDs): there are none of it.
			case err != nil && j.within != nil && ctx.Err() == nil:
				fallback = append(fallback, fallbackJobs(j)...)
				return nil
			case err != nil:
				c.unavailable[gk] = listFailure(j, err)
				if j.kind == Pod && (j.namespace != "" || j.within != nil) {
					l.source.Notes = append(l.source.Notes, fmt.Sprintf("cluster %q: %s", j.cluster, listFailure(j, err)))
				}
				return nil
			}
			c.listed[gk] = true
			if j.kind == Pod {
				if j.namespace != "" {
					c.inspected[j.namespace] = true
				}
				if j.within != nil {
					for _, ns := range j.within.names {
						c.inspected[ns] = true
					}
				}
			}
			for _, u := range items {
				l.add(j.cluster, u)
			}
			return nil
		})
	}
	_ = g.Wait()
	return fallback
}

func listFailure(j listJob, err error) string {
	where := "cluster-wide"
	if j.namespace != "" {
		where = "in namespace " + j.namespace
	}
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("forbidden to list %s %s", j.kind, where)
	case apierrors.IsNotFound(err), isNoMatch(err):
		return fmt.Sprintf("the server does not serve %s", j.kind)
	}
	return fmt.Sprintf("listing %s %s failed: %v", j.kind, where, err)
}

func isNoMatch(err error) bool {
	return err != nil && strings.Contains(err.Error(), "the server could not find the requested resource")
}

// list reads every page of one LIST. A cluster-wide job with a namespace
// set (within) drops the objects of other namespaces page by page, so they
// are never held beyond their page.
func (l *Live) list(ctx context.Context, j listJob) ([]*unstructured.Unstructured, error) {
	c := l.clients[j.cluster]
	opts := metav1.ListOptions{Limit: l.cfg.PageSize, LabelSelector: j.selector, FieldSelector: j.fields}
	var out []*unstructured.Unstructured
	gvr := j.kind.GroupVersionResource()
	keep := func(ns string) bool { return j.within == nil || j.within.has(ns) }
	for {
		if j.metaOnly {
			list, err := c.meta.Resource(gvr).Namespace(j.namespace).List(ctx, opts)
			if err != nil {
				return nil, err
			}
			for i := range list.Items {
				if keep(list.Items[i].Namespace) {
					out = append(out, metaToUnstructured(j.kind, &list.Items[i]))
				}
			}
			if opts.Continue = list.GetContinue(); opts.Continue == "" {
				return out, nil
			}
			continue
		}
		var ri dynamic.ResourceInterface = c.dyn.Resource(gvr)
		if j.namespace != "" {
			ri = c.dyn.Resource(gvr).Namespace(j.namespace)
		}
		list, err := ri.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			u := list.Items[i] // a copy: the page's array is not kept alive
			if !keep(u.GetNamespace()) {
				continue
			}
			if u.GetKind() == "" {
				u.SetAPIVersion(gvr.GroupVersion().String())
				u.SetKind(j.kind.Kind)
			}
			out = append(out, &u)
		}
		if opts.Continue = list.GetContinue(); opts.Continue == "" {
			return out, nil
		}
	}
}

func metaToUnstructured(k Kind, m *metav1.PartialObjectMetadata) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(k.GroupVersionResource().GroupVersion().String())
	u.SetKind(k.Kind)
	u.SetName(m.Name)
	u.SetNamespace(m.Namespace)
	u.SetLabels(m.Labels)
	u.SetAnnotations(m.Annotations)
	u.SetResourceVersion(m.ResourceVersion)
	u.SetCreationTimestamp(m.CreationTimestamp)
	u.SetUID(m.UID)
	return u
}

// absentPolicy: a kind listed on a cluster is complete; anything else was
// not collected.
func (l *Live) absentPolicy(cluster string, c *clusterData, k Kind) error {
	if c.listed[k.GroupKind()] {
		return nil
	}
	return &UnavailableError{Cluster: cluster, What: k.String(), Reason: "not read from the cluster (outside the diagnosed scope)"}
}

// indexLogs picks the pods whose logs matter: the migration controller,
// Velero and restic/node-agent in the MTC namespace, and the helper pods
// (rsync, stunnel, stage, hooks) in the namespaces in scope.
func (l *Live) indexLogs() {
	for _, cluster := range l.order {
		pods, err := l.Objects(cluster, Pod)
		if err != nil {
			continue
		}
		for _, u := range pods {
			var p corev1.Pod
			if err := fromUnstructured(u, &p); err != nil {
				continue
			}
			for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
				comp := componentOf(p.Name, cs.Name, p.Labels)
				if !l.wantLog(p.Namespace, comp, cs.Name) {
					continue
				}
				l.addLog(cluster, &p, cs.Name, comp, false)
				if cs.RestartCount > 0 {
					l.addLog(cluster, &p, cs.Name, comp, true)
				}
			}
		}
	}
}

func (l *Live) wantLog(ns string, c Component, container string) bool {
	switch c {
	case Controller:
		return ns == l.cfg.Namespace && container != "discovery"
	case Velero, NodeAgent:
		return ns == l.cfg.Namespace
	case Rsync, Stage, Hook:
		return true
	}
	return false
}

func (l *Live) addLog(cluster string, p *corev1.Pod, container string, c Component, prev bool) {
	path := fmt.Sprintf("%s/pods/%s/%s/%s", cluster, p.Namespace, p.Name, container)
	if prev {
		path += "/previous"
	}
	l.logs = append(l.logs, LogRef{Cluster: cluster, Namespace: p.Namespace, Pod: p.Name, Container: container, Previous: prev, Component: c, Path: path})
}

// StreamLogs reads the last LogTail lines of each log, concurrently.
func (l *Live) StreamLogs(ctx context.Context, refs []LogRef, fn func(LogRef, io.Reader) error) []LogError {
	var mu sync.Mutex
	var errs []LogError
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(l.cfg.Concurrency)
	for _, ref := range refs {
		g.Go(func() error {
			if err := l.streamOne(gctx, ref, fn); err != nil {
				mu.Lock()
				errs = append(errs, LogError{Ref: ref, Err: err})
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	sort.Slice(errs, func(i, j int) bool { return errs[i].Ref.Path < errs[j].Ref.Path })
	return errs
}

func (l *Live) streamOne(ctx context.Context, ref LogRef, fn func(LogRef, io.Reader) error) error {
	c, ok := l.clients[ref.Cluster]
	if !ok {
		return fmt.Errorf("log %s: cluster %q not connected", ref.Path, ref.Cluster)
	}
	tail := l.cfg.LogTail
	rc, err := c.kube.CoreV1().Pods(ref.Namespace).GetLogs(ref.Pod, &corev1.PodLogOptions{
		Container: ref.Container, TailLines: &tail, Previous: ref.Previous,
	}).Stream(ctx)
	if err != nil {
		return fmt.Errorf("log %s on cluster %q: %w", ref.Path, ref.Cluster, err)
	}
	defer rc.Close()
	if err := fn(ref, rc); err != nil {
		return fmt.Errorf("log %s: %w", ref.Path, err)
	}
	return nil
}

// ProbeTLS dials url and verifies its certificate against caBundle (or the
// system roots when the bundle is empty), as the MTC controller would.
func (l *Live) ProbeTLS(ctx context.Context, rawURL string, caBundle []byte, insecure bool) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("invalid URL %q", rawURL)
	}
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "443")
	}
	cfg := &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // mirrors the MigCluster's own insecure setting
	if len(caBundle) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caBundle) {
			return errors.New("the caBundle holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return conn.Close()
}
