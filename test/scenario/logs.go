package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// loadLogs hands clusters/<c>/logs/<ns>/<pod>/<container>[.previous].log to
// the cluster's kubelet. Files containing "{{" are templated like manifests.
func (l *loader) loadLogs(ctx context.Context) error {
	fm := funcs(ctx, l.result.Now, l.lookupUID)
	for _, cname := range l.names {
		root := filepath.Join(l.dir, "clusters", cname, "logs")
		files, err := logFiles(root)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", l.dir, err)
		}
		c := l.clusters[cname]
		for _, f := range files {
			rel, _ := filepath.Rel(l.dir, f.path)
			if err := l.loadLog(ctx, c, f, rel, fm); err != nil {
				return fmt.Errorf("scenario %s: %s: %w", l.dir, rel, err)
			}
			l.result.Logs++
		}
	}
	return nil
}

type logFile struct {
	path                      string
	namespace, pod, container string
	previous                  bool
}

func logFiles(root string) ([]logFile, error) {
	var out []logFile
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 3 || !strings.HasSuffix(parts[2], ".log") {
			return fmt.Errorf("log %s: want logs/<namespace>/<pod>/<container>.log or <container>.previous.log", rel)
		}
		f := logFile{path: path, namespace: parts[0], pod: parts[1], container: strings.TrimSuffix(parts[2], ".log")}
		if c, ok := strings.CutSuffix(f.container, ".previous"); ok {
			f.container, f.previous = c, true
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

func (l *loader) loadLog(ctx context.Context, c *testenv.Cluster, f logFile, rel string, fm template.FuncMap) error {
	pod, err := c.Client().CoreV1().Pods(f.namespace).Get(ctx, f.pod, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("log for pod %s/%s on cluster %s: %w", f.namespace, f.pod, c.Name(), err)
	}
	if !hasContainer(pod, f.container) {
		return fmt.Errorf("pod %s/%s has no container %q", f.namespace, f.pod, f.container)
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return err
	}
	if bytes.Contains(data, []byte("{{")) {
		if data, err = render(rel, data, fm, l.data); err != nil {
			return err
		}
	}
	r := bytes.NewReader(data)
	if f.previous {
		return c.Kubelet().SetPreviousLog(f.namespace, f.pod, f.container, r)
	}
	return c.Kubelet().SetLog(f.namespace, f.pod, f.container, r)
}

func hasContainer(p *corev1.Pod, name string) bool {
	match := func(c corev1.Container) bool { return c.Name == name }
	return slices.ContainsFunc(p.Spec.Containers, match) || slices.ContainsFunc(p.Spec.InitContainers, match)
}
