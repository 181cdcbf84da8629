package collect_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
	"github.com/kubectl-mig/kubectl-mig/gather/collect"
	"github.com/kubectl-mig/kubectl-mig/gather/gathertest"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// bundlePatterns are every kind of file a bundle may hold. A file matching
// none of them is a layout bug.
var bundlePatterns = []*regexp.Regexp{
	regexp.MustCompile(`^(version|manifest\.json|errors\.json|summary\.md)$`),
	regexp.MustCompile(`^migplans/[^/]+/[^/]+\.json$`),
	regexp.MustCompile(`^diagnose/findings\.(json|txt)$`),
	regexp.MustCompile(`^metrics/prometheus/[^/]+\.json$`),
	regexp.MustCompile(`^clusters/[^/]+/timestamp$`),
	regexp.MustCompile(`^clusters/[^/]+/namespaces/([^/]+)/([^/]+)\.yaml$`),   // namespaces/<ns>/<ns>.yaml
	regexp.MustCompile(`^clusters/[^/]+/namespaces/[^/]+/[^/]+/[^/]+\.yaml$`), // <group>/<resource>.yaml
	regexp.MustCompile(`^clusters/[^/]+/namespaces/[^/]+/pods/[^/]+/([^/]+)/([^/]+)/logs/(current|previous)\.log$`),
	regexp.MustCompile(`^clusters/[^/]+/cluster-scoped-resources/[^/]+/[^/]+/[^/]+\.yaml$`),
	regexp.MustCompile(`^clusters/[^/]+/velero/[^/]+/(backups|restores)/([^/]+)/[^/]+(\.log|-results\.json)$`),
	regexp.MustCompile(`^clusters/[^/]+/metrics/mig-controller/[^/]+\.prom$`),
}

// TestLayout checks a bundle of the healthy-final scenario file by file
// against the live clusters: every file is of a known kind, every expected
// file is there, lists hold exactly the live objects, logs are the logs,
// List files are byte-identical to what `oc adm inspect`'s printer writes,
// modes are private and the manifest's checksums hold. A stand-in Velero
// serves the backup's log and results; the restore's signed URL leads
// nowhere.
func TestLayout(t *testing.T) {
	env := scenario.Start(t, "healthy-final")
	backupLog := `time="2024-05-01T10:00:00Z" level=info msg="Backing up item" backup=openshift-migration/shop-final-initial-5qz8k logSource="pkg/backup/item_backupper.go:1"` + "\n" +
		`time="2024-05-01T10:00:01Z" level=info msg="uploading" url="https://s3.example.com/b?X-Amz-Credential=AKIAEXAMPLEINLOG0001%2F2024&X-Amz-Signature=feedbeef" backup=openshift-migration/shop-final-initial-5qz8k` + "\n"
	velero := gathertest.StartVelero(t, env.Clusters(), map[string]string{
		"BackupLog/shop-final-initial-5qz8k":     backupLog,
		"BackupResults/shop-final-initial-5qz8k": `{"errors":{},"warnings":{"namespaces":{"shop":["a warning"]}}}`,
		"RestoreResults/shop-final-final-m2x7d":  `{"errors":{},"warnings":{}}`,
	}, map[string]bool{"RestoreLog/shop-final-final-m2x7d": true})
	res, a := gatherPair(t, env.Pair, nil)

	t.Run("every file is of a known kind", func(t *testing.T) {
		for p := range a.files {
			if !slices.ContainsFunc(bundlePatterns, func(re *regexp.Regexp) bool { return re.MatchString(p) }) {
				t.Errorf("unexpected file %s", p)
			}
		}
		for _, re := range []*regexp.Regexp{bundlePatterns[7]} {
			for p := range a.files {
				if m := re.FindStringSubmatch(p); m != nil && m[1] != m[2] {
					t.Errorf("%s: container directory not doubled", p)
				}
			}
		}
	})
	t.Run("modes", func(t *testing.T) {
		for p, m := range a.modes {
			if m != 0o600 {
				t.Errorf("%s: mode %v", p, m)
			}
		}
		for p, m := range a.dirs {
			if m != 0o700 {
				t.Errorf("%s/: mode %v", p, m)
			}
		}
	})
	t.Run("manifest", func(t *testing.T) { checkManifest(t, a, res.Manifest) })
	t.Run("version file", func(t *testing.T) {
		if got := a.must(t, "version"); got != "kubectl-mig gather\ntest\n" {
			t.Errorf("version = %q", got)
		}
	})
	for name, c := range env.Clusters() {
		t.Run("cluster "+name, func(t *testing.T) { checkCluster(t, a, c, res.Manifest) })
	}
	t.Run("velero", func(t *testing.T) { checkVelero(t, a, res.Manifest, velero) })
	t.Run("diagnose findings", func(t *testing.T) {
		var doc struct {
			APIVersion string            `json:"apiVersion"`
			Findings   []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal([]byte(a.must(t, mustgather.DiagnoseJSON)), &doc); err != nil || doc.APIVersion == "" || doc.Findings == nil {
			t.Errorf("findings.json: %v %+v", err, doc)
		}
		if a.must(t, mustgather.DiagnoseText) == "" {
			t.Error("empty findings.txt")
		}
	})
	t.Run("lists across namespaces agree with lists per namespace", func(t *testing.T) {
		quick := func(scope collect.ListScope) func(*collect.Config) {
			return func(c *collect.Config) { c.ListScope, c.Diagnose, c.Metrics.Enabled = scope, false, false }
		}
		resNS, perNS := gatherPair(t, env.Pair, quick(collect.ListScopeNamespace))
		resAll, across := gatherPair(t, env.Pair, quick(collect.ListScopeCluster))
		for name, c := range env.Clusters() {
			t.Run("cluster "+name, func(t *testing.T) { checkCluster(t, across, c, resAll.Manifest) })
		}
		if len(resNS.Manifest.Faults)+len(resAll.Manifest.Faults) != 2*len(res.Manifest.Faults) {
			t.Errorf("faults: %d per namespace, %d across, %d in the full gather", len(resNS.Manifest.Faults), len(resAll.Manifest.Faults), len(res.Manifest.Faults))
		}
		listRV := regexp.MustCompile(`(?m)^metadata:\n  resourceVersion: .*\n`)
		namespaced := bundlePatterns[6]
		for p, want := range perNS.files {
			if !namespaced.MatchString(p) {
				continue
			}
			got, ok := across.files[p]
			if !ok {
				t.Errorf("%s: written per namespace, missing across namespaces", p)
				continue
			}
			if listRV.ReplaceAllString(got, "") != listRV.ReplaceAllString(want, "") {
				t.Errorf("%s differs:\nacross:\n%s\nper namespace:\n%s", p, got, want)
			}
		}
		for p := range across.files {
			if _, ok := perNS.files[p]; namespaced.MatchString(p) && !ok {
				t.Errorf("%s: written across namespaces only", p)
			}
		}
	})
	t.Run("plan index", func(t *testing.T) {
		var idx mustgather.PlanIndex
		if err := json.Unmarshal([]byte(a.must(t, "migplans/openshift-migration/shop-plan.json")), &idx); err != nil {
			t.Fatal(err)
		}
		if idx.Source.Cluster != testenv.SourceName || idx.Destination.Cluster != testenv.HostName || len(idx.Migrations) == 0 {
			t.Errorf("index: %+v", idx)
		}
		refs := []mustgather.ObjectRef{idx.Plan}
		for _, m := range idx.Migrations {
			refs = append(refs, m.ObjectRef)
			for _, b := range append(m.Backups, m.Restores...) {
				refs = append(refs, b.ObjectRef)
			}
			for _, d := range m.DirectVolumeMigrations {
				refs = append(append(refs, d.ObjectRef), d.Progress...)
			}
		}
		for _, r := range refs {
			if !listHolds(t, a.must(t, r.File), r.Name) {
				t.Errorf("%s does not hold %s %s", r.File, r.Resource, r.Name)
			}
		}
	})
}

func checkManifest(t *testing.T, a *archive, m mustgather.Manifest) {
	if m.Schema != mustgather.ManifestSchema || m.Tool.Version != "test" || len(m.Clusters) != 2 || len(m.Steps) == 0 {
		t.Errorf("manifest header: schema %d tool %+v clusters %d steps %d", m.Schema, m.Tool, len(m.Clusters), len(m.Steps))
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
		content, ok := a.files[f.Path]
		sum := sha256.Sum256([]byte(content))
		if !ok || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(content)) {
			t.Errorf("%s: manifest says %d bytes %s, archive has %v %d bytes", f.Path, f.Size, f.SHA256, ok, len(content))
		}
	}
	for p := range a.files {
		if p != mustgather.ManifestFile && !listed[p] {
			t.Errorf("%s not in the manifest", p)
		}
	}
	var faults []mustgather.Fault
	if err := json.Unmarshal([]byte(a.must(t, "errors.json")), &faults); err != nil || len(faults) != len(m.Faults) {
		t.Errorf("errors.json: %d faults (%v), manifest %d", len(faults), err, len(m.Faults))
	}
	if m.Partial != (len(m.Faults) > 0) {
		t.Errorf("partial = %v with %d faults", m.Partial, len(m.Faults))
	}
}

// checkCluster compares one cluster's tree with the live cluster.
func checkCluster(t *testing.T, a *archive, c *testenv.Cluster, m mustgather.Manifest) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var info mustgather.ClusterInfo
	for _, ci := range m.Clusters {
		if ci.Name == c.Name() {
			info = ci
		}
	}
	if !info.Reachable || info.Version == "" || !slices.Equal(info.MTCNamespaces, []string{"openshift-migration"}) ||
		!slices.Contains(info.Namespaces, "shop") {
		t.Fatalf("cluster info %+v", info)
	}
	root := mustgather.Cluster(c.Name()) + "/"
	a.must(t, root+mustgather.TimestampFile)
	for _, ns := range info.Namespaces {
		a.must(t, root+mustgather.NamespaceObject(ns))
		for _, kind := range []struct{ group, resource string }{
			{"", "pods"}, {"", "secrets"}, {"", "configmaps"}, {"", "events"}, {"", "services"}, {"", "persistentvolumeclaims"},
			{"", "endpoints"}, {"apps", "deployments"}, {"apps", "replicasets"}, {"apps", "statefulsets"}, {"apps", "daemonsets"},
			{"batch", "jobs"}, {"batch", "cronjobs"}, {"networking.k8s.io", "ingresses"}, {"networking.k8s.io", "networkpolicies"},
			{"policy", "poddisruptionbudgets"}, {"discovery.k8s.io", "endpointslices"},
		} {
			path := root + mustgather.NamespacedList(ns, kind.group, kind.resource)
			checkList(t, a, c, path, schema.GroupVersionResource{Group: kind.group, Version: "v1", Resource: kind.resource}, ns)
		}
		checkLogs(t, ctx, a, c, root, ns)
	}
	// Every MTC and Velero object, in per-namespace lists, with its CRD.
	for _, gvr := range []schema.GroupVersionResource{
		{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migplans"},
		{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migmigrations"},
		{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "migclusters"},
		{Group: "migration.openshift.io", Version: "v1alpha1", Resource: "directvolumemigrations"},
		{Group: "velero.io", Version: "v1", Resource: "backups"},
		{Group: "velero.io", Version: "v1", Resource: "restores"},
		{Group: "velero.io", Version: "v1", Resource: "backupstoragelocations"},
	} {
		list, err := c.Dynamic().Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		byNS := map[string][]string{}
		for _, o := range list.Items {
			byNS[o.GetNamespace()] = append(byNS[o.GetNamespace()], o.GetName())
		}
		for ns, names := range byNS {
			file := a.must(t, root+mustgather.NamespacedList(ns, gvr.Group, gvr.Resource))
			for _, n := range names {
				if !listHolds(t, file, n) {
					t.Errorf("%s/%s %s missing from the bundle", gvr.Resource, ns, n)
				}
			}
		}
		if len(list.Items) > 0 {
			a.must(t, root+mustgather.CRDObject(gvr.Resource, gvr.Group))
		}
	}
	// PVs bound to gathered PVCs, storage classes and nodes.
	pvs, err := c.Client().CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range pvs.Items {
		if pv.Spec.ClaimRef != nil && slices.Contains(info.Namespaces, pv.Spec.ClaimRef.Namespace) {
			a.must(t, root+mustgather.ClusterScopedObject("", "persistentvolumes", pv.Name))
		}
	}
	a.must(t, root+mustgather.ClusterScopedObject("", "nodes", c.NodeName()))
}

// checkVelero: the backup's log and results were fetched through the
// DownloadRequest protocol (from both clusters, which both hold the backup)
// and redacted; the restore's unreachable URL is a fault naming the host,
// never the signed URL; its results still came.
func checkVelero(t *testing.T, a *archive, m mustgather.Manifest, v *gathertest.Velero) {
	for _, cl := range []string{testenv.HostName, testenv.SourceName} {
		log := a.must(t, mustgather.InCluster(cl, mustgather.VeleroLog("openshift-migration", "backups", "shop-final-initial-5qz8k")))
		if !strings.Contains(log, "Backing up item") || strings.Contains(log, "AKIAEXAMPLEINLOG0001") || strings.Contains(log, "feedbeef") {
			t.Errorf("%s backup log not fetched or not redacted: %q", cl, log)
		}
		a.must(t, mustgather.InCluster(cl, mustgather.VeleroResults("openshift-migration", "backups", "shop-final-initial-5qz8k")))
	}
	a.must(t, mustgather.InCluster(testenv.HostName, mustgather.VeleroResults("openshift-migration", "restores", "shop-final-final-m2x7d")))
	if _, ok := a.files[mustgather.InCluster(testenv.HostName, mustgather.VeleroLog("openshift-migration", "restores", "shop-final-final-m2x7d"))]; ok {
		t.Error("a log was written for the unreachable restore")
	}
	found := false
	for _, f := range m.Faults {
		if f.Step == "velero" && strings.Contains(f.Object, "RestoreLog") {
			found = true
			if f.Kind != mustgather.FaultUnreachable || !strings.Contains(f.Message, "127.0.0.1:1") || strings.Contains(f.Message, "X-Amz-Signature") {
				t.Errorf("restore log fault: %+v", f)
			}
		}
	}
	if !found {
		t.Errorf("no fault for the unreachable restore log: %+v", m.Faults)
	}
	if v.Signed < 5 {
		t.Errorf("only %d DownloadRequests answered", v.Signed)
	}
	var idx mustgather.PlanIndex
	if err := json.Unmarshal([]byte(a.must(t, "migplans/openshift-migration/shop-plan.json")), &idx); err == nil {
		for _, b := range idx.Migrations[0].Backups {
			if b.Log == "" || a.files[b.Log] == "" {
				t.Errorf("plan index: backup %s/%s has no log (%q)", b.Cluster, b.Name, b.Log)
			}
		}
	}
}

// checkList compares a List file with the live objects, and, for kinds the
// redactor leaves alone, with the bytes inspect's YAML printer writes.
func checkList(t *testing.T, a *archive, c *testenv.Cluster, path string, gvr schema.GroupVersionResource, ns string) {
	t.Helper()
	got, ok := a.files[path]
	if !ok {
		t.Errorf("missing %s", path)
		return
	}
	live, err := c.Dynamic().Resource(gvr).Namespace(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range live.Items {
		if !listHolds(t, got, o.GetName()) {
			t.Errorf("%s misses %s", path, o.GetName())
		}
	}
	if gvr.Resource == "secrets" || gvr.Resource == "configmaps" || gvr.Resource == "pods" {
		return // redacted: compared by name only
	}
	var buf bytes.Buffer
	if err := (&printers.YAMLPrinter{}).PrintObj(live, &buf); err != nil {
		t.Fatal(err)
	}
	if norm(got) != norm(buf.String()) {
		t.Errorf("%s differs from inspect's output:\n--- bundle\n%s\n--- inspect printer\n%s", path, got, buf.String())
	}
}

// norm drops the List's own resourceVersion, which moves between two LISTs.
var listRV = regexp.MustCompile(`(?m)^metadata:\n  resourceVersion: "\d+"\n`)

func norm(s string) string { return listRV.ReplaceAllString(s, "metadata: {}\n") }

func listHolds(t *testing.T, file, name string) bool {
	t.Helper()
	var list struct {
		Kind  string                      `json:"kind"`
		Items []unstructured.Unstructured `json:"items"`
	}
	if err := yaml.Unmarshal([]byte(file), &list); err != nil {
		t.Errorf("not a YAML List: %v", err)
		return false
	}
	if !strings.HasSuffix(list.Kind, "List") {
		t.Errorf("kind %q is not a List", list.Kind)
	}
	for _, it := range list.Items {
		if it.GetName() == name {
			return true
		}
	}
	return false
}

// checkLogs expects the current log of every started container (and the
// previous one of restarted containers) with the content the kubelet
// serves.
func checkLogs(t *testing.T, ctx context.Context, a *archive, c *testenv.Cluster, root, ns string) {
	pods, err := c.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	since := metav1.NewTime(time.Now().Add(-72 * time.Hour))
	for _, pod := range pods.Items {
		for _, cs := range pod.Status.ContainerStatuses {
			if cs.State.Running == nil && cs.State.Terminated == nil {
				continue
			}
			path := root + mustgather.PodLog(ns, pod.Name, cs.Name, mustgather.CurrentLog)
			got, ok := a.files[path]
			if !ok {
				t.Errorf("missing %s", path)
				continue
			}
			want := fetchLog(t, ctx, c, &pod, cs.Name, &since)
			if !strings.Contains(got, "<redacted>") && got != want {
				t.Errorf("%s: %d bytes, live log %d bytes", path, len(got), len(want))
			}
		}
	}
}

func fetchLog(t *testing.T, ctx context.Context, c *testenv.Cluster, pod *corev1.Pod, container string, since *metav1.Time) string {
	rc, err := c.Client().CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: container, Timestamps: true, SinceTime: since}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
