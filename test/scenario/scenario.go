// Package scenario loads scenario directories (see test/scenarios/README.md)
// into running test clusters: Go-templated multi-document YAML applied in
// file-name order, statuses written the way controllers write them, and
// container logs handed to each cluster's stand-in kubelet.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Object is one object the scenario created or updated.
type Object struct {
	Cluster   string
	GVK       schema.GroupVersionKind
	Resource  schema.GroupVersionResource
	Namespace string
	Name      string
	UID       types.UID
	File      string // path relative to the scenario directory
}

// Loaded is the result of Load.
type Loaded struct {
	Dir     string
	Objects []Object
	Logs    int // container log files handed to kubelets
	Now     time.Time
}

// UID returns the UID of an object the scenario created.
func (l *Loaded) UID(cluster, kind, namespace, name string) (types.UID, bool) {
	for _, o := range l.Objects {
		if o.Cluster == cluster && o.GVK.Kind == kind && o.Namespace == namespace && o.Name == name {
			return o.UID, true
		}
	}
	return "", false
}

// Dir returns <repo>/test/scenarios/<name>.
func Dir(name string) (string, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "test", "scenarios", name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("scenario %q: %s is not a directory", name, dir)
	}
	return dir, nil
}

// Load applies the scenario in dir to the clusters (keyed by cluster name;
// every clusters/<name> directory of the scenario needs a running cluster).
func Load(ctx context.Context, dir string, clusters map[string]*testenv.Cluster) (*Loaded, error) {
	l, err := newLoader(dir, clusters)
	if err != nil {
		return nil, err
	}
	if err := l.applyFiles(ctx); err != nil {
		return nil, err
	}
	if err := l.loadLogs(ctx); err != nil {
		return nil, err
	}
	return l.result, nil
}

type loader struct {
	dir        string
	clusters   map[string]*testenv.Cluster
	names      []string // cluster directories present, sorted
	data       TemplateData
	result     *Loaded
	namespaces map[string]bool // "<cluster>/<ns>" known to exist
}

func newLoader(dir string, clusters map[string]*testenv.Cluster) (*loader, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(abs, "clusters"))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w (a scenario has clusters/<cluster>/*.yaml)", abs, err)
	}
	l := &loader{
		dir: abs, clusters: clusters, namespaces: map[string]bool{},
		data:   TemplateData{Clusters: map[string]ClusterFacts{}},
		result: &Loaded{Dir: abs, Now: time.Now().UTC().Truncate(time.Second)},
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, ok := clusters[e.Name()]; !ok {
			return nil, fmt.Errorf("scenario %s: clusters/%s has no running cluster (have %s)", abs, e.Name(), strings.Join(clusterNames(clusters), ", "))
		}
		l.names = append(l.names, e.Name())
	}
	for name, c := range clusters {
		l.data.Clusters[name] = ClusterFacts{
			Name: name, URL: c.URL(), CA: string(c.CA()), CABase64: c.CABase64(), NodeName: c.NodeName(),
		}
	}
	return l, nil
}

func clusterNames(m map[string]*testenv.Cluster) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// manifest is one YAML file of one cluster.
type manifest struct {
	cluster string
	path    string // absolute
	rel     string // relative to the scenario directory
}

// manifests lists the YAML files of all clusters ordered by file name, then
// cluster name, so one sequence covers cross-cluster references.
func (l *loader) manifests() ([]manifest, error) {
	var out []manifest
	for _, c := range l.names {
		entries, err := os.ReadDir(filepath.Join(l.dir, "clusters", c))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
				continue
			}
			rel := filepath.Join("clusters", c, e.Name())
			out = append(out, manifest{cluster: c, path: filepath.Join(l.dir, rel), rel: rel})
		}
	}
	slices.SortStableFunc(out, func(a, b manifest) int {
		if x := strings.Compare(filepath.Base(a.path), filepath.Base(b.path)); x != 0 {
			return x
		}
		return strings.Compare(a.cluster, b.cluster)
	})
	return out, nil
}

// applyFiles applies files in order; a file whose template refers (uid) to an
// object that does not exist yet is retried after the others.
func (l *loader) applyFiles(ctx context.Context) error {
	pending, err := l.manifests()
	if err != nil {
		return err
	}
	fm := funcs(ctx, l.result.Now, l.lookupUID)
	for len(pending) > 0 {
		var deferred []manifest
		var reasons []string
		for _, m := range pending {
			err := l.applyFile(ctx, m, fm)
			if errors.Is(err, errMissingRef) {
				deferred = append(deferred, m)
				reasons = append(reasons, fmt.Sprintf("%s: %v", m.rel, err))
				continue
			}
			if err != nil {
				return fmt.Errorf("scenario %s: %s: %w", l.dir, m.rel, err)
			}
		}
		if len(deferred) == len(pending) {
			return fmt.Errorf("scenario %s: unresolved references:\n  %s", l.dir, strings.Join(reasons, "\n  "))
		}
		pending = deferred
	}
	return nil
}

func (l *loader) applyFile(ctx context.Context, m manifest, fm template.FuncMap) error {
	src, err := os.ReadFile(m.path)
	if err != nil {
		return err
	}
	out, err := render(m.rel, src, fm, l.data)
	if err != nil {
		return err
	}
	objs, err := decodeObjects(out)
	if err != nil {
		return err
	}
	applyOrder(objs)
	c := l.clusters[m.cluster]
	for _, obj := range objs {
		if err := l.apply(ctx, c, m, obj); err != nil {
			return fmt.Errorf("%s %s: %w", obj.GetKind(), objName(obj), err)
		}
	}
	return nil
}

func objName(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return u.GetNamespace() + "/" + u.GetName()
}
