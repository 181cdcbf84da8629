package snapshot

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// BundleConfig configures reading a saved bundle.
type BundleConfig struct {
	// Path is a directory or a .tar.gz/.tar file.
	Path   string
	Limits Limits
	// Concurrency bounds parallel log reads from a directory.
	Concurrency int
}

// Bundle is a Snapshot read from a must-gather, an oc adm inspect directory
// or a kubectl-mig gather bundle.
type Bundle struct {
	*store
	cfg    BundleConfig
	walker walker
}

// OpenBundle reads every object of the bundle into memory (objects are
// small next to logs) and indexes its logs, which are only read later by
// StreamLogs. Objects are found by content (apiVersion/kind, Lists
// expanded), logs by their path, so the several layout versions in the field
// all work.
func OpenBundle(ctx context.Context, cfg BundleConfig) (*Bundle, error) {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	w, kind, err := openWalker(cfg.Path, cfg.Limits)
	if err != nil {
		return nil, err
	}
	b := &Bundle{store: newStore(DefaultHost), cfg: cfg, walker: w}
	b.source = Source{Type: "bundle", Path: cfg.Path}
	b.absent = b.absentPolicy
	ld := &loader{b: b, lim: cfg.Limits}
	if err := walkNested(ctx, w, cfg.Limits, ld.visit); err != nil {
		return nil, err
	}
	if len(b.clusters) == 0 && len(b.logs) == 0 {
		return nil, fmt.Errorf("bundle %s (%s): no Kubernetes objects or logs found; is this a must-gather, an oc adm inspect directory or a kubectl-mig bundle?", cfg.Path, kind)
	}
	b.cluster(DefaultHost)
	b.finish(ld)
	b.taken = newestTime(b)
	return b, nil
}

// walkNested walks w and, one level deep, the must-gather.tar.gz archives
// it contains (the MTC must-gather image leaves its output as such a file
// inside the directory oc adm must-gather writes).
func walkNested(ctx context.Context, w walker, lim Limits, fn func(entry, io.Reader) error) error {
	return w.walk(ctx, func(e entry, r io.Reader) error {
		if !isNestedArchive(e.name) {
			return fn(e, r)
		}
		inner := archiveWalker{gz: true, lim: lim, prefix: e.name}
		if r != nil {
			inner.reader = func() (io.ReadCloser, error) { return io.NopCloser(r), nil }
		} else {
			inner.reader = e.open
		}
		return inner.walk(ctx, fn)
	})
}

func isNestedArchive(name string) bool {
	return !strings.Contains(name, "!/") && path.Base(name) == "must-gather.tar.gz"
}

type loader struct {
	b      *Bundle
	lim    Limits
	layout map[string]bool
	notes  []string
}

func (l *loader) visit(e entry, r io.Reader) error {
	if skipFile(e.name) {
		return nil
	}
	inner := e.name
	if i := strings.LastIndex(inner, "!/"); i >= 0 {
		inner = inner[i+2:]
	}
	info := classifyPath(inner)
	l.noteLayout(inner)
	switch ext := path.Ext(inner); {
	case info.log != nil:
		ref := *info.log
		ref.Path = e.name
		ref.Compressed = strings.HasSuffix(inner, ".gz")
		l.b.logs = append(l.b.logs, ref)
	case ext == ".yaml" || ext == ".yml" || ext == ".json":
		return l.objects(e, r, info.cluster)
	case path.Base(inner) == "login_error.txt":
		l.notes = append(l.notes, fmt.Sprintf("cluster %q could not be gathered (%s)", info.cluster, e.name))
	}
	return nil
}

func (l *loader) noteLayout(name string) {
	if l.layout == nil {
		l.layout = map[string]bool{}
	}
	switch {
	case name == "manifest.json" || strings.HasSuffix(name, "/manifest.json") && !strings.Contains(name, "namespaces/"):
		l.layout["kubectl-mig"] = true
	case strings.Contains(name, "migplan-") || strings.Contains(name, "/logs/") && strings.Contains(name, "namespaces/"):
		l.layout["must-gather"] = true
	case strings.Contains(name, "/pods/") || strings.HasPrefix(name, "namespaces/"):
		l.layout["inspect"] = true
	}
}

func (l *loader) objects(e entry, r io.Reader, cluster string) error {
	if e.size > l.lim.MaxObjectFile {
		return fmt.Errorf("bundle entry %s is %d bytes, more than the %d-byte limit for object files", e.name, e.size, l.lim.MaxObjectFile)
	}
	if r == nil {
		rc, err := e.open()
		if err != nil {
			return fmt.Errorf("read %s: %w", e.name, err)
		}
		defer rc.Close()
		r = rc
	}
	objs, lists, err := decodeObjects(io.LimitReader(r, l.lim.MaxObjectFile+1))
	if err != nil {
		l.notes = append(l.notes, fmt.Sprintf("%s: not readable as Kubernetes objects: %v", e.name, err))
	}
	if cluster == "" {
		cluster = DefaultHost // the plan tree holds host objects
	}
	for _, gk := range lists {
		l.b.cluster(cluster).listed[gk] = true
	}
	for _, u := range objs {
		l.b.add(cluster, u)
		if u.GetKind() == "Pod" || u.GetKind() == "Event" || u.GetNamespace() != "" && !isCR(u.GroupVersionKind().GroupKind()) {
			l.b.cluster(cluster).inspected[u.GetNamespace()] = true
		}
	}
	return nil
}

// finish classifies pod logs with the pods' labels, attributes Velero logs
// to the cluster holding their Backup or Restore, and records the layout.
func (b *Bundle) finish(l *loader) {
	for i := range b.logs {
		ref := &b.logs[i]
		if ref.Pod != "" && ref.Component == "" {
			var labels map[string]string
			if p := b.find(ref.Cluster, Pod, ref.Namespace, ref.Pod); p != nil {
				labels = p.GetLabels()
			}
			ref.Component = componentOf(ref.Pod, ref.Container, labels)
		}
		if ref.Component == "" {
			ref.Component = Other
		}
		if ref.Cluster == "" && ref.Owner != "" {
			kind := Backup
			if ref.Component == VeleroRestore {
				kind = Restore
			}
			ref.Cluster = b.clusterHolding(kind, ref.Owner)
		}
	}
	sort.SliceStable(b.logs, func(i, j int) bool { return b.logs[i].Path < b.logs[j].Path })
	var layouts []string
	for k := range l.layout {
		layouts = append(layouts, k)
	}
	sort.Strings(layouts)
	b.source.Layout = strings.Join(layouts, "+")
	b.source.Notes = l.notes
}

func (s *store) find(cluster string, kind Kind, ns, name string) *unstructured.Unstructured {
	c, ok := s.clusters[cluster]
	if !ok {
		return nil
	}
	return c.objects[kind.GroupKind()][objKey{ns, name}]
}

func (s *store) clusterHolding(kind Kind, name string) string {
	for _, c := range s.order {
		for k := range s.clusters[c].objects[kind.GroupKind()] {
			if k.name == name {
				return c
			}
		}
	}
	return ""
}

// absentPolicy: the MTC must-gather dumps every migration and Velero CR of a
// cluster, so none of a kind among others means none; namespaced kinds are
// there for inspected namespaces (checked by rules through Inspected);
// anything else missing was not collected.
func (b *Bundle) absentPolicy(cluster string, c *clusterData, k Kind) error {
	gk := k.GroupKind()
	switch {
	case c.listed[gk]:
		return nil
	case isCR(gk) && c.anyCR:
		return nil
	case k.Namespaced && !isCR(gk) && len(c.inspected) > 0:
		return nil
	case k == Namespace && len(c.inspected) > 0:
		return nil
	}
	return &UnavailableError{Cluster: cluster, What: k.String(), Reason: "not in the bundle"}
}

// StreamLogs reads the requested logs. A directory is read concurrently; an
// archive in one sequential pass.
func (b *Bundle) StreamLogs(ctx context.Context, refs []LogRef, fn func(LogRef, io.Reader) error) []LogError {
	want := make(map[string]LogRef, len(refs))
	for _, r := range refs {
		want[r.Path] = r
	}
	var mu sync.Mutex
	var errs []LogError
	fail := func(ref LogRef, err error) {
		mu.Lock()
		errs = append(errs, LogError{Ref: ref, Err: err})
		mu.Unlock()
	}
	if _, isDir := b.walker.(dirWalker); isDir {
		b.streamDir(ctx, want, fn, fail)
	} else {
		err := walkNested(ctx, b.walker, b.cfg.Limits, func(e entry, r io.Reader) error {
			ref, ok := want[e.name]
			if !ok {
				return nil
			}
			delete(want, e.name)
			if err := readLog(ref, r, fn); err != nil {
				fail(ref, err)
			}
			return nil
		})
		if err != nil {
			for _, ref := range want {
				fail(ref, err)
			}
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Ref.Path < errs[j].Ref.Path })
	return errs
}

func (b *Bundle) streamDir(ctx context.Context, want map[string]LogRef, fn func(LogRef, io.Reader) error, fail func(LogRef, error)) {
	// Logs inside a nested archive are read in one pass over it; plain
	// files concurrently.
	nested := map[string]bool{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.cfg.Concurrency)
	root := b.walker.(dirWalker).root
	for name, ref := range want {
		if i := strings.Index(name, "!/"); i >= 0 {
			nested[name[:i]] = true
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				fail(ref, err)
				return nil
			}
			rc, err := dirWalker{root: root}.openFile(name)
			if err != nil {
				fail(ref, err)
				return nil
			}
			defer rc.Close()
			if err := readLog(ref, rc, fn); err != nil {
				fail(ref, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	for outer := range nested {
		inner := archiveWalker{gz: true, lim: b.cfg.Limits, prefix: outer, reader: func() (io.ReadCloser, error) {
			return dirWalker{root: root}.openFile(outer)
		}}
		err := inner.walk(ctx, func(e entry, r io.Reader) error {
			if ref, ok := want[e.name]; ok {
				if err := readLog(ref, r, fn); err != nil {
					fail(ref, err)
				}
			}
			return nil
		})
		if err != nil {
			for name, ref := range want {
				if strings.HasPrefix(name, outer+"!/") {
					fail(ref, err)
				}
			}
		}
	}
}

// readLog hands one log to fn, decompressing rotated .gz logs.
func readLog(ref LogRef, r io.Reader, fn func(LogRef, io.Reader) error) error {
	if ref.Compressed {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("log %s: broken gzip data: %w", ref.Path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := fn(ref, r); err != nil {
		if errors.Is(err, errTooBig) {
			return fmt.Errorf("log %s: archive budget exceeded", ref.Path)
		}
		return fmt.Errorf("log %s: %w", ref.Path, err)
	}
	return nil
}
