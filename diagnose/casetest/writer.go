package casetest

import (
	"fmt"
	"os"

	"path/filepath"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

func typesUID(s string) types.UID      { return types.UID(s) }
func metaTime(t time.Time) metav1.Time { return metav1.NewTime(t) }

// mgWriter writes objects where the MTC must-gather puts them.
type mgWriter struct {
	root  string
	opt   RenderOptions
	lists map[string][]any // inspect List files by path
	// migName maps a MigMigration/DVM UID to its name, planOf a migration
	// name to its plan, for the plan tree.
	migName, dvmName, dvmMig, planOf map[string]string
	inspected                        map[string]bool // cluster/ns
	podLabels                        map[string]map[string]string
}

func (w *mgWriter) clusterDir(c string) string {
	if w.opt.Layout == LayoutLegacy {
		return filepath.Join(w.root, c)
	}
	return filepath.Join(w.root, "clusters", c)
}

func (w *mgWriter) plansDir() string {
	if w.opt.Layout == LayoutLegacy {
		return w.root
	}
	return filepath.Join(w.root, "migplans")
}

func (w *mgWriter) index(objs []rendered) {
	w.migName, w.dvmName, w.dvmMig, w.planOf = map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	w.inspected, w.podLabels = map[string]bool{}, map[string]map[string]string{}
	for _, r := range objs {
		o := r.obj
		switch o.GetKind() {
		case "MigMigration":
			w.migName[string(o.GetUID())] = o.GetName()
			p, _, _ := unstructured.NestedString(o.Object, "spec", "migPlanRef", "name")
			w.planOf[o.GetName()] = p
		case "DirectVolumeMigration":
			w.dvmName[string(o.GetUID())] = o.GetName()
			w.dvmMig[o.GetName()] = w.migName[o.GetLabels()["migmigration"]]
		case "Pod":
			w.podLabels[r.cluster+"/"+o.GetNamespace()+"/"+o.GetName()] = o.GetLabels()
		}
	}
}

func (w *mgWriter) inspects(cluster, ns string) bool {
	return ns == mtcNamespace || w.opt.AppNamespaces
}

func (w *mgWriter) object(r rendered) error {
	o := r.obj
	gvk := o.GroupVersionKind()
	if prefix, ok := planTreeKinds[gvk.Kind]; ok && gvk.Group == "migration.openshift.io" {
		return writeYAML(w.planTreePath(o, prefix), o.Object)
	}
	if gvk.Group == "migration.openshift.io" || gvk.Group == "velero.io" {
		res := strings.ToLower(gvk.Kind) + "s." + gvk.Group
		if o.GetNamespace() == "" {
			return writeYAML(filepath.Join(w.clusterDir(r.cluster), "cluster-scoped-resources", res, o.GetName()+".yaml"), o.Object)
		}
		return writeYAML(filepath.Join(w.clusterDir(r.cluster), "namespaces", o.GetNamespace(), "crs", res, o.GetName()+".yaml"), o.Object)
	}
	switch {
	case gvk.Kind == "Namespace":
		if w.inspects(r.cluster, o.GetName()) {
			return writeYAML(filepath.Join(w.clusterDir(r.cluster), "namespaces", o.GetName(), o.GetName()+".yaml"), o.Object)
		}
		return nil
	case o.GetNamespace() == "":
		if w.opt.ClusterScoped {
			p := filepath.Join(w.clusterDir(r.cluster), "cluster-scoped-resources", groupDir(gvk.Group), resourceOf(gvk.Kind)+".yaml")
			w.lists[p] = append(w.lists[p], o.Object)
		}
		return nil
	case !w.inspects(r.cluster, o.GetNamespace()):
		return nil
	}
	if gvk.Kind == "Secret" {
		elide(o)
	}
	p := filepath.Join(w.clusterDir(r.cluster), "namespaces", o.GetNamespace(), groupDir(gvk.Group), resourceOf(gvk.Kind)+".yaml")
	w.lists[p] = append(w.lists[p], o.Object)
	return nil
}

func (w *mgWriter) planTreePath(o *unstructured.Unstructured, prefix string) string {
	base := w.plansDir()
	switch o.GetKind() {
	case "MigPlan":
		return filepath.Join(base, "migplan-"+o.GetName(), o.GetName()+".yml")
	case "MigMigration":
		plan := w.planOf[o.GetName()]
		return filepath.Join(base, "migplan-"+plan, "migmigration-"+o.GetName(), "migmigration-"+o.GetName()+".yml")
	case "DirectVolumeMigration":
		mig := w.dvmMig[o.GetName()]
		return filepath.Join(base, "migplan-"+w.planOf[mig], "migmigration-"+mig, "dvm-"+o.GetName(), "dvm-"+o.GetName()+".yml")
	case "DirectVolumeMigrationProgress":
		dvm := w.dvmName[o.GetLabels()["directvolumemigration"]]
		mig := w.dvmMig[dvm]
		return filepath.Join(base, "migplan-"+w.planOf[mig], "migmigration-"+mig, "dvm-"+dvm, "dvmp-"+o.GetName()+".yml")
	}
	return filepath.Join(base, "other", prefix+"-"+o.GetName()+".yml")
}

func (w *mgWriter) flushLists() error {
	if w.opt.ClusterScoped {
		// inspect of PVs writes a typed list, even an empty one.
		for _, c := range []string{"host", "source"} {
			p := filepath.Join(w.clusterDir(c), "cluster-scoped-resources", "core", "persistentvolumes.yaml")
			if _, ok := w.lists[p]; !ok {
				w.lists[p] = []any{}
			}
		}
	}
	for p, items := range w.lists {
		kind := "List"
		if strings.HasSuffix(p, "/cluster-scoped-resources/core/persistentvolumes.yaml") {
			kind = "PersistentVolumeList"
		}
		if err := writeYAML(p, map[string]any{"apiVersion": "v1", "kind": kind, "items": items}); err != nil {
			return err
		}
	}
	return nil
}

// logs writes pod logs where the must-gather image does: every container
// of pods in the MTC namespace and of MTC helper pods elsewhere in one
// namespaces/<ns>/logs/<pod>/current.log; other pods' logs only through
// inspect of application namespaces (pods/<pod>/<c>/<c>/logs/current.log).
func (w *mgWriter) logs(c Case, now time.Time) error {
	type key struct{ cluster, ns, pod string }
	merged := map[key]map[bool][]string{}
	var order []key
	rels := make([]string, 0, len(c.Files))
	for rel := range c.Files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		parts := strings.Split(rel, "/")
		if len(parts) != 6 || parts[0] != "clusters" || parts[2] != "logs" {
			continue
		}
		cluster, ns, pod, file := parts[1], parts[3], parts[4], parts[5]
		container := strings.TrimSuffix(file, ".log")
		prev := false
		if cn, ok := strings.CutSuffix(container, ".previous"); ok {
			container, prev = cn, true
		}
		text := c.Files[rel]
		if strings.Contains(text, "{{") {
			b, err := renderTemplate(rel, text, now)
			if err != nil {
				return err
			}
			text = string(b)
		}
		labels := w.podLabels[cluster+"/"+ns+"/"+pod]
		if ns == mtcNamespace || labels["app.kubernetes.io/part-of"] == "openshift-migration" {
			k := key{cluster, ns, pod}
			if merged[k] == nil {
				merged[k] = map[bool][]string{}
				order = append(order, k)
			}
			merged[k][prev] = append(merged[k][prev], text)
			continue
		}
		if !w.opt.AppNamespaces {
			continue
		}
		name := "current.log"
		if prev {
			name = "previous.log"
		}
		p := filepath.Join(w.clusterDir(cluster), "namespaces", ns, "pods", pod, container, container, "logs", name)
		if err := writeFile(p, text); err != nil {
			return err
		}
	}
	for _, k := range order {
		for prev, texts := range merged[k] {
			name := "current.log"
			if prev {
				name = "previous.log"
			}
			p := filepath.Join(w.clusterDir(k.cluster), "namespaces", k.ns, "logs", k.pod, name)
			if err := writeFile(p, strings.Join(texts, "")); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(p, text string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(text), 0o600)
}

func groupDir(g string) string {
	if g == "" {
		return "core"
	}
	return g
}

func resourceOf(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "s"):
		return k + "es"
	case strings.HasSuffix(k, "y"):
		return strings.TrimSuffix(k, "y") + "ies"
	}
	return k + "s"
}

// elide replaces secret values as oc adm inspect does.
func elide(o *unstructured.Unstructured) {
	data, _, _ := unstructured.NestedMap(o.Object, "data")
	for k, v := range data {
		s, _ := v.(string)
		data[k] = fmt.Sprintf("%d bytes long", len(s))
	}
	if data != nil {
		_ = unstructured.SetNestedMap(o.Object, data, "data")
	}
	unstructured.RemoveNestedField(o.Object, "stringData")
}
