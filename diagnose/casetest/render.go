package casetest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Layout is a version of the MTC must-gather output.
type Layout int

// Layouts seen in the field.
const (
	// LayoutClusters is must-gather v1.7/1.8: must-gather/clusters/<c>/...
	// and must-gather/migplans/migplan-<plan>/...
	LayoutClusters Layout = iota
	// LayoutLegacy is the older must-gather/<c>/... and
	// must-gather/migplan-<plan>/...
	LayoutLegacy
)

// RenderOptions choose what the rendered must-gather holds.
type RenderOptions struct {
	Layout Layout
	// Now anchors the templates' ago/now (and creation times).
	Now time.Time
	// AppNamespaces adds `oc adm inspect` output for the application
	// namespaces (what support engineers add next to the must-gather); the
	// shipped image inspects only the MTC namespace.
	AppNamespaces bool
	// ClusterScoped adds cluster-scoped objects (PersistentVolumes, ...) as
	// `oc adm inspect pv` would.
	ClusterScoped bool
}

// Full is the must-gather plus inspect of the application namespaces and
// PVs: it holds everything the live backend reads, so findings must match.
func Full(now time.Time) RenderOptions {
	return RenderOptions{Layout: LayoutClusters, Now: now, AppNamespaces: true, ClusterScoped: true}
}

const mtcNamespace = "openshift-migration"

// planTreeKinds go to the migplans tree instead of the cluster tree.
var planTreeKinds = map[string]string{
	"MigPlan": "", "MigMigration": "migmigration", "DirectVolumeMigration": "dvm",
	"DirectVolumeMigrationProgress": "dvmp", "DirectImageMigration": "dim", "DirectImageStreamMigration": "dism",
}

var clusterScopedKinds = map[string]bool{"Namespace": true, "PersistentVolume": true, "Node": true, "CustomResourceDefinition": true, "ClusterRole": true, "ClusterRoleBinding": true, "StorageClass": true}

// FakeUID is the UID a rendered bundle gives an object.
func FakeUID(cluster, kind, ns, name string) string {
	sum := md5.Sum([]byte(cluster + "/" + kind + "/" + ns + "/" + name))
	h := hex.EncodeToString(sum[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

type clusterFacts struct{ Name, URL, CA, CABase64, NodeName string }

type rendered struct {
	cluster string
	obj     *unstructured.Unstructured
}

// WriteMustGather renders the case into dir/must-gather in the chosen layout.
func (c Case) WriteMustGather(dir string, opt RenderOptions) error {
	objs, err := c.renderObjects(opt.Now)
	if err != nil {
		return err
	}
	w := &mgWriter{root: filepath.Join(dir, "must-gather"), opt: opt, lists: map[string][]any{}}
	w.index(objs)
	for _, r := range objs {
		if err := w.object(r); err != nil {
			return err
		}
	}
	if err := w.flushLists(); err != nil {
		return err
	}
	return w.logs(c, opt.Now)
}

// renderObjects executes the templates and decodes every object, adding
// what the test harness creates by itself (namespaces, MigClusters).
func (c Case) renderObjects(now time.Time) ([]rendered, error) {
	type file struct{ cluster, rel string }
	var files []file
	for rel := range c.Files {
		parts := strings.Split(rel, "/")
		if len(parts) == 3 && parts[0] == "clusters" && (strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml")) {
			files = append(files, file{parts[1], rel})
		}
	}
	sort.Slice(files, func(i, j int) bool {
		a, b := path.Base(files[i].rel), path.Base(files[j].rel)
		if a != b {
			return a < b
		}
		return files[i].cluster < files[j].cluster
	})
	var out []rendered
	for _, f := range files {
		text, err := renderTemplate(f.rel, c.Files[f.rel], now)
		if err != nil {
			return nil, err
		}
		objs, err := decode(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.rel, err)
		}
		for _, o := range objs {
			if !clusterScopedKinds[o.GetKind()] && o.GetNamespace() == "" {
				o.SetNamespace("default")
			}
			o.SetUID(typesUID(FakeUID(f.cluster, o.GetKind(), o.GetNamespace(), o.GetName())))
			if ts := o.GetCreationTimestamp(); ts.IsZero() {
				// The loader creates everything within a second or two of
				// now; ties between migrations are broken by their start.
				o.SetCreationTimestamp(metaTime(now))
			}
			out = append(out, rendered{cluster: f.cluster, obj: o})
		}
	}
	out = mergeSame(out)
	defined := map[string]bool{}
	for _, r := range out {
		defined[r.cluster+"/"+r.obj.GetKind()+"/"+r.obj.GetNamespace()+"/"+r.obj.GetName()] = true
	}
	for _, b := range baseObjects(now) {
		if !defined[b.cluster+"/"+b.obj.GetKind()+"/"+b.obj.GetNamespace()+"/"+b.obj.GetName()] {
			out = append(out, b)
		}
	}
	return addNamespaces(out, now), nil
}

func renderTemplate(name, src string, now time.Time) ([]byte, error) {
	facts := map[string]clusterFacts{}
	for _, n := range []string{"host", "source"} {
		facts[n] = clusterFacts{Name: n, URL: "https://api." + n + ".example.com:6443", CA: fakeCA, CABase64: base64.StdEncoding.EncodeToString([]byte(fakeCA)), NodeName: n + "-worker-1"}
	}
	fm := template.FuncMap{
		"uid": func(cluster, kind, ns, name string) string { return FakeUID(cluster, kind, ns, name) },
		"ago": func(d string) (string, error) {
			dur, err := time.ParseDuration(d)
			return now.Add(-dur).Format(time.RFC3339), err
		},
		"agoTime": func(d string) (time.Time, error) {
			dur, err := time.ParseDuration(d)
			return now.Add(-dur), err
		},
		"epochMillis": func(d string) (int64, error) {
			dur, err := time.ParseDuration(d)
			return now.Add(-dur).UnixMilli(), err
		},
		"now":     func() string { return now.Format(time.RFC3339) },
		"nowTime": func() time.Time { return now },
		"md5": func(s ...string) string {
			sum := md5.Sum([]byte(strings.Join(s, "")))
			return hex.EncodeToString(sum[:])
		},
		"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(fm).Parse(src)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = t.Execute(&b, map[string]any{"Clusters": facts})
	return b.Bytes(), err
}

const fakeCA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"

func decode(text []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(text), 4096)
	var out []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		var m map[string]any
		if err := utiljson.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

// baseObjects are what testenv.SetupMTC creates on a pair.
func baseObjects(now time.Time) []rendered {
	ready := []any{map[string]any{"type": "Ready", "status": "True", "category": "Required", "message": "The cluster is ready.", "lastTransitionTime": now.Format(time.RFC3339)}}
	mk := func(name string, spec map[string]any) rendered {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigCluster",
			"metadata": map[string]any{"name": name, "namespace": mtcNamespace},
			"spec":     spec, "status": map[string]any{"conditions": ready},
		}}
		u.SetUID(typesUID(FakeUID("host", "MigCluster", mtcNamespace, name)))
		u.SetCreationTimestamp(metaTime(now))
		return rendered{cluster: "host", obj: u}
	}
	return []rendered{
		mk("host", map[string]any{"isHostCluster": true}),
		mk("source", map[string]any{"isHostCluster": false, "url": "https://api.source.example.com:6443", "insecure": false,
			"caBundle": base64.StdEncoding.EncodeToString([]byte(fakeCA)), "serviceAccountSecretRef": map[string]any{"name": "source-token", "namespace": "openshift-config"}}),
	}
}

// addNamespaces adds a Namespace object for every namespace used without
// one, as the scenario loader creates them.
func addNamespaces(objs []rendered, now time.Time) []rendered {
	have := map[string]bool{}
	for _, r := range objs {
		if r.obj.GetKind() == "Namespace" {
			have[r.cluster+"/"+r.obj.GetName()] = true
		}
	}
	need := map[string]bool{"host/" + mtcNamespace: true, "source/" + mtcNamespace: true}
	for _, r := range objs {
		if ns := r.obj.GetNamespace(); ns != "" {
			need[r.cluster+"/"+ns] = true
		}
	}
	keys := make([]string, 0, len(need))
	for k := range need {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if have[k] {
			continue
		}
		cluster, ns, _ := strings.Cut(k, "/")
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		u.SetUID(typesUID(FakeUID(cluster, "Namespace", "", ns)))
		u.SetCreationTimestamp(metaTime(now))
		objs = append(objs, rendered{cluster: cluster, obj: u})
	}
	return objs
}

func writeYAML(p string, v any) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o600)
}

// mergeSame merges later documents of the same object into the first, as
// the loader's merge patch of an existing object does.
func mergeSame(in []rendered) []rendered {
	idx := map[string]int{}
	var out []rendered
	for _, r := range in {
		k := r.cluster + "/" + r.obj.GetKind() + "/" + r.obj.GetNamespace() + "/" + r.obj.GetName()
		if i, ok := idx[k]; ok {
			mergeInto(out[i].obj.Object, r.obj.Object)
			continue
		}
		idx[k] = len(out)
		out = append(out, r)
	}
	return out
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		sm, ok1 := v.(map[string]any)
		dm, ok2 := dst[k].(map[string]any)
		switch {
		case v == nil:
			delete(dst, k)
		case ok1 && ok2:
			mergeInto(dm, sm)
		default:
			dst[k] = v
		}
	}
}
