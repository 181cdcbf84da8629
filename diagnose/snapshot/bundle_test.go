package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// writeTree writes files (slash paths) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// tarGz builds an archive from entries (name -> content) in order.
func tarGz(t *testing.T, names []string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		body := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

const migYAML = `apiVersion: migration.openshift.io/v1alpha1
kind: MigMigration
metadata: {name: mig1, namespace: openshift-migration, resourceVersion: "7"}
spec: {migPlanRef: {name: plan1}}
`

const podList = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: velero-7f9c4, namespace: openshift-migration, labels: {component: velero}}
- apiVersion: v1
  kind: Pod
  metadata: {name: node-agent-x1, namespace: openshift-migration, labels: {name: node-agent}}
`

// mustGather is the v1.8 layout: clusters/<c>/..., migplans/, logs/<pod>/.
var mustGather = map[string]string{
	"must-gather/clusters/host/namespaces/openshift-migration/openshift-migration.yaml":        "apiVersion: v1\nkind: Namespace\nmetadata: {name: openshift-migration}\n",
	"must-gather/clusters/host/namespaces/openshift-migration/core/pods.yaml":                  podList,
	"must-gather/clusters/host/namespaces/openshift-migration/logs/velero-7f9c4/current.log":   "level=info msg=ok\n",
	"must-gather/clusters/host/namespaces/openshift-migration/logs/node-agent-x1/current.log":  "level=error msg=x\n",
	"must-gather/clusters/source/namespaces/openshift-migration/crs/backups.velero.io/b1.yaml": "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: b1, namespace: openshift-migration}\n",
	"must-gather/migplans/migplan-plan1/migmigration-mig1/migmigration-mig1.yml":               migYAML,
	"must-gather/migplans/migplan-plan1/migmigration-mig1/backup-b1/backup-b1.log":             "level=info msg=backup\n",
	"must-gather/migplans/migplan-plan1/migmigration-mig1/restore-r1/restore-describe-r1.txt":  "Phase: PartiallyFailed\n",
	"must-gather/timestamp":                                                  "x",
	"must-gather/clusters/host/aggregated-discovery-api.yaml":                "apiVersion: apidiscovery.k8s.io/v2\nkind: APIGroupDiscoveryList\nitems: []\n",
	"must-gather/README.random":                                              "unknown extra file\n",
	"must-gather/clusters/host/namespaces/openshift-migration/core/bad.yaml": "a: [b\n",
}

func checkMustGather(t *testing.T, b *Bundle) {
	t.Helper()
	if got := b.Clusters(); strings.Join(got, ",") != "host,source" {
		t.Fatalf("clusters = %v", got)
	}
	migs, err := b.Objects("host", MigMigration)
	if err != nil || len(migs) != 1 || migs[0].GetName() != "mig1" {
		t.Fatalf("MigMigrations on host = %v, %v (plan tree objects belong to the host)", migs, err)
	}
	backups, err := b.Objects("source", Backup)
	if err != nil || len(backups) != 1 {
		t.Fatalf("Backups on source = %v, %v", backups, err)
	}
	restores, err := b.Objects("source", Restore)
	if err != nil || len(restores) != 0 {
		t.Fatalf("Restores on source: want none (not an error), got %v %v", restores, err)
	}
	if _, err := b.Objects("source", PersistentVolume); !IsUnavailable(err) {
		t.Fatalf("PVs are not in a must-gather: want unavailable, got %v", err)
	}
	comps := map[string]Component{}
	for _, l := range b.Logs() {
		comps[l.Pod+l.Owner] = l.Component
	}
	want := map[string]Component{"velero-7f9c4": Velero, "node-agent-x1": NodeAgent, "b1": VeleroBackup, "r1": VeleroRestore}
	for k, c := range want {
		if comps[k] != c {
			t.Errorf("log %s: component %q, want %q (all: %v)", k, comps[k], c, comps)
		}
	}
	if b.Logs()[0].Cluster == "" && b.Logs()[0].Component == VeleroBackup {
		t.Errorf("backup log not attributed to the cluster holding its Backup")
	}
	if !b.Inspected("host", "openshift-migration") || b.Inspected("host", "app") {
		t.Errorf("Inspected: MTC namespace yes, app no")
	}
	if len(b.Describe().Notes) == 0 {
		t.Errorf("an unreadable YAML file should be noted")
	}
}

func TestOpenBundleLayouts(t *testing.T) {
	ctx := context.Background()
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, mustGather)
		b, err := OpenBundle(ctx, BundleConfig{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		checkMustGather(t, b)
	})
	t.Run("tar.gz", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "must-gather.tar.gz")
		if err := os.WriteFile(p, tarGz(t, sortedKeys(mustGather), mustGather), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := OpenBundle(ctx, BundleConfig{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		checkMustGather(t, b)
		assertStreams(t, b, 4)
	})
	t.Run("nested tar.gz in the oc adm must-gather directory", func(t *testing.T) {
		dir := t.TempDir()
		inner := tarGz(t, sortedKeys(mustGather), mustGather)
		writeTree(t, dir, map[string]string{"must-gather.local.123/quay-io-image-sha256/must-gather.tar.gz": string(inner)})
		b, err := OpenBundle(ctx, BundleConfig{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		checkMustGather(t, b)
		assertStreams(t, b, 4)
	})
	t.Run("legacy layout", func(t *testing.T) {
		legacy := map[string]string{}
		for k, v := range mustGather {
			k = strings.Replace(k, "must-gather/clusters/", "must-gather/", 1)
			k = strings.Replace(k, "must-gather/migplans/", "must-gather/", 1)
			legacy[k] = v
		}
		dir := t.TempDir()
		writeTree(t, dir, legacy)
		b, err := OpenBundle(ctx, BundleConfig{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		checkMustGather(t, b)
	})
}

func assertStreams(t *testing.T, b *Bundle, n int) {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]string{}
	errs := b.StreamLogs(context.Background(), b.Logs(), func(ref LogRef, r io.Reader) error {
		data, err := io.ReadAll(r)
		mu.Lock()
		seen[ref.Path] = string(data)
		mu.Unlock()
		return err
	})
	if len(errs) != 0 || len(seen) != n {
		t.Fatalf("streamed %d logs (%v), errors %v", len(seen), seen, errs)
	}
}

func TestOpenInspectAndOurLayout(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		// plain oc adm inspect: one tree at the root = the host
		"inspect.local.42/namespaces/app/app.yaml":                                         "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n",
		"inspect.local.42/namespaces/app/apps/deployments.yaml":                            "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: web, namespace: app}\n  spec: {replicas: 0}\n",
		"inspect.local.42/namespaces/app/pods/rsync-abc/rsync/rsync/logs/current.log":      "No route to host\n",
		"inspect.local.42/namespaces/app/pods/rsync-abc/rsync/rsync/logs/previous.log":     "earlier\n",
		"inspect.local.42/namespaces/app/pods/rsync-abc/rsync/rsync/logs/rotated/0.log.gz": gz(t, "rotated line\n"),
	})
	b, err := OpenBundle(context.Background(), BundleConfig{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	deps, err := b.Objects(DefaultHost, Deployment)
	if err != nil || len(deps) != 1 || deps[0].GetKind() != "Deployment" {
		t.Fatalf("items of a typed List inherit its kind: %v %v", deps, err)
	}
	if r, _, _ := nestedInt(deps[0].Object, "spec", "replicas"); r != 0 {
		t.Fatalf("replicas = %v", r)
	}
	var prev, rotated bool
	for _, l := range b.Logs() {
		if l.Component != Rsync || l.Namespace != "app" || l.Pod != "rsync-abc" || l.Container != "rsync" {
			t.Errorf("log %+v", l)
		}
		prev = prev || l.Previous
		rotated = rotated || l.Compressed
	}
	if !prev || !rotated || len(b.Logs()) != 3 {
		t.Fatalf("logs = %+v", b.Logs())
	}
	got := map[string]string{}
	var mu sync.Mutex
	b.StreamLogs(context.Background(), b.Logs(), func(ref LogRef, r io.Reader) error {
		d, _ := io.ReadAll(r)
		mu.Lock()
		got[filepath.Base(ref.Path)] = string(d)
		mu.Unlock()
		return nil
	})
	if got["0.log.gz"] != "rotated line\n" {
		t.Fatalf("rotated .gz log not decompressed: %q", got)
	}

	// kubectl-mig gather: velero/<ns>/<restores>/<name>/<name>.log
	dir2 := t.TempDir()
	writeTree(t, dir2, map[string]string{
		"manifest.json": "{}",
		"clusters/host/velero/openshift-migration/restores/r1/r1.log":          "level=info\n",
		"clusters/host/namespaces/openshift-migration/velero.io/restores.yaml": "apiVersion: velero.io/v1\nkind: RestoreList\nitems:\n- metadata: {name: r1, namespace: openshift-migration}\n",
	})
	b2, err := OpenBundle(context.Background(), BundleConfig{Path: dir2})
	if err != nil {
		t.Fatal(err)
	}
	l := b2.Logs()
	if len(l) != 1 || l[0].Component != VeleroRestore || l[0].Owner != "r1" || l[0].Cluster != "host" {
		t.Fatalf("gather velero log = %+v", l)
	}
	if !strings.Contains(b2.Describe().Layout, "kubectl-mig") {
		t.Fatalf("layout = %q", b2.Describe().Layout)
	}
}

func gz(t *testing.T, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func nestedInt(obj map[string]any, fields ...string) (int64, bool, error) {
	var cur any = obj
	for _, f := range fields {
		cur = cur.(map[string]any)[f]
	}
	v, ok := cur.(int64)
	return v, ok, nil
}

func TestHostileBundles(t *testing.T) {
	ctx := context.Background()
	write := func(t *testing.T, data []byte) string {
		p := filepath.Join(t.TempDir(), "bundle.tar.gz")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := tarGz(t, []string{"must-gather/migplans/migplan-p/p.yml"}, map[string]string{"must-gather/migplans/migplan-p/p.yml": migYAML})
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"path traversal", tarGz(t, []string{"../../etc/evil.yaml"}, map[string]string{"../../etc/evil.yaml": migYAML}), Limits{}, "path traversal"},
		{"absolute path", tarGz(t, []string{"/etc/evil.yaml"}, map[string]string{"/etc/evil.yaml": migYAML}), Limits{}, "absolute path"},
		{"broken gzip", append([]byte{0x1f, 0x8b}, bytes.Repeat([]byte{0xff}, 100)...), Limits{}, "gzip"},
		{"truncated archive", valid[:len(valid)/2], Limits{}, "truncated or corrupt"},
		{"decompression bomb", tarGz(t, []string{"a.log"}, map[string]string{"a.log": strings.Repeat("x", 1<<20)}), Limits{MaxObjectFile: 1 << 20, MaxTotal: 64 << 10, MaxEntries: 10}, "refusing"},
		{"expands past the budget", tarGz(t, []string{"a.log", "b.log", "c.log"}, map[string]string{"a.log": strings.Repeat("x", 40<<10), "b.log": strings.Repeat("y", 40<<10), "c.log": "z"}), Limits{MaxObjectFile: 1 << 20, MaxTotal: 64 << 10, MaxEntries: 10}, "decompression bomb"},
		{"absurd object file", tarGz(t, []string{"big.yaml"}, map[string]string{"big.yaml": strings.Repeat("#", 4096)}), Limits{MaxObjectFile: 1024, MaxTotal: 1 << 30, MaxEntries: 10}, "more than the 1024-byte limit"},
		{"too many entries", tarGz(t, []string{"a.txt", "b.txt", "c.txt"}, map[string]string{"a.txt": "", "b.txt": "", "c.txt": ""}), Limits{MaxObjectFile: 1 << 20, MaxTotal: 1 << 30, MaxEntries: 2}, "more than 2 entries"},
		{"not an archive", []byte("hello, this is plain text and no archive at all"), Limits{}, "not a directory, a .tar.gz or a .tar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenBundle(ctx, BundleConfig{Path: write(t, tt.data), Limits: tt.lim})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	t.Run("empty directory", func(t *testing.T) {
		_, err := OpenBundle(ctx, BundleConfig{Path: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "no Kubernetes objects or logs") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing path", func(t *testing.T) {
		_, err := OpenBundle(ctx, BundleConfig{Path: filepath.Join(t.TempDir(), "nope")})
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("symlink out of the bundle is not followed", func(t *testing.T) {
		outside := t.TempDir()
		writeTree(t, outside, map[string]string{"secret.yaml": migYAML})
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"must-gather/migplans/migplan-p/p.yml": strings.Replace(migYAML, "mig1", "mig0", 1)})
		if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "must-gather", "link.yaml")); err != nil {
			t.Skip(err)
		}
		b, err := OpenBundle(ctx, BundleConfig{Path: dir})
		if err != nil {
			t.Fatal(err)
		}
		migs, _ := b.Objects(DefaultHost, MigMigration)
		if len(migs) != 1 || migs[0].GetName() != "mig0" {
			t.Fatalf("objects read through a symlink: %v", migs)
		}
	})
}
