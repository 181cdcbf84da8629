package karmada

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Selection says which member objects to take over. Exactly one of the
// three is set.
type Selection struct {
	// Kinds takes over every object of these kinds in the namespace (or in
	// the cluster, for cluster-scoped kinds).
	Kinds []KindSpec `json:"kinds,omitempty"`
	// Resources takes over these named objects: one application.
	Resources []ResourceSpec `json:"resources,omitempty"`
	// AllKinds takes over every object of every namespaced kind in the
	// namespace.
	AllKinds bool `json:"allKinds,omitempty"`
}

// Mode names the selection: "kind", "app" or "all-kinds".
func (s Selection) Mode() string {
	switch {
	case s.AllKinds:
		return "all-kinds"
	case len(s.Resources) > 0:
		return "app"
	default:
		return "kind"
	}
}

func (s Selection) validate() error {
	n := 0
	for _, set := range []bool{len(s.Kinds) > 0, len(s.Resources) > 0, s.AllKinds} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("select exactly one of: kinds, named resources, or all kinds of a namespace")
	}
	return nil
}

// memberKind is one kind read from the member, with its objects.
type memberKind struct {
	mapping Mapping // on the member
	objects []*unstructured.Unstructured
	// byKind records that the user selected the whole kind, so the policy
	// may select it by kind as the documentation's examples do.
	byKind bool
}

// listLimit bounds concurrent LISTs against one API server.
const listLimit = 8

// memberSelection is what selectFromMember found.
type memberSelection struct {
	kinds    []memberKind
	skipped  []Skipped
	problems []string // refusals: nothing may be changed
	warnings []string
}

// selectFromMember reads the selected objects. Objects named with
// --resource that do not exist are problems (refusals); objects a bulk
// selection leaves out are returned as skipped.
func selectFromMember(ctx context.Context, member *Cluster, ns string, sel Selection) (*memberSelection, error) {
	switch {
	case sel.AllKinds:
		return selectAllKinds(ctx, member, ns)
	case len(sel.Resources) > 0:
		return selectNamed(ctx, member, ns, sel.Resources)
	default:
		return selectKinds(ctx, member, ns, sel.Kinds)
	}
}

func selectKinds(ctx context.Context, member *Cluster, ns string, kinds []KindSpec) (*memberSelection, error) {
	var problems []string
	var mappings []Mapping
	seen := map[schema.GroupVersionKind]bool{}
	for _, k := range kinds {
		m, err := member.resolveKind(k)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if !seen[m.GVK] {
			seen[m.GVK] = true
			mappings = append(mappings, m)
		}
	}
	if len(problems) > 0 {
		return &memberSelection{problems: problems}, nil
	}
	out, skipped, err := listKinds(ctx, member, ns, mappings, true, true)
	return &memberSelection{kinds: out, skipped: skipped}, err
}

func selectAllKinds(ctx context.Context, member *Cluster, ns string) (*memberSelection, error) {
	lists, err := member.Discovery.ServerPreferredNamespacedResources()
	var warnings []string
	if err != nil {
		var gdf *discovery.ErrGroupDiscoveryFailed
		if !errors.As(err, &gdf) {
			return nil, fmt.Errorf("discover the kinds %s serves: %w", member.Name, err)
		}
		// Partial discovery (typically an aggregated API such as
		// metrics.k8s.io that is down): the other kinds are still read.
		for gv, gerr := range gdf.Groups {
			warnings = append(warnings, fmt.Sprintf("cannot discover %s on %s, its kinds are not taken over: %v", gv, member.Name, gerr))
		}
		sort.Strings(warnings)
	}
	var mappings []Mapping
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			gr := schema.GroupResource{Group: gv.Group, Resource: r.Name}
			if strings.Contains(r.Name, "/") || !hasVerbs(r.Verbs, "list", "create") || neverTakenOver[gr] != "" {
				continue
			}
			mappings = append(mappings, Mapping{
				GVK:        gv.WithKind(r.Kind),
				Resource:   gv.WithResource(r.Name),
				Namespaced: true,
			})
		}
	}
	out, skipped, err := listKinds(ctx, member, ns, mappings, true, false)
	return &memberSelection{kinds: out, skipped: skipped, warnings: warnings}, err
}

func selectNamed(ctx context.Context, member *Cluster, ns string, specs []ResourceSpec) (*memberSelection, error) {
	var problems []string
	var order []schema.GroupVersionKind
	names := map[schema.GroupVersionKind][]string{}
	mappings := map[schema.GroupVersionKind]Mapping{}
	for _, s := range specs {
		m, err := member.resolveKind(s.KindSpec)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", s, err))
			continue
		}
		if _, ok := mappings[m.GVK]; !ok {
			order = append(order, m.GVK)
			mappings[m.GVK] = m
		}
		if !contains(names[m.GVK], s.Name) {
			names[m.GVK] = append(names[m.GVK], s.Name)
		}
	}
	if len(problems) > 0 {
		return &memberSelection{problems: problems}, nil
	}
	list := make([]Mapping, 0, len(order))
	for _, gvk := range order {
		list = append(list, mappings[gvk])
	}
	// One LIST per kind, then pick the names: cheaper than a GET per object
	// once an application has more than a couple of objects of a kind.
	all, _, err := listKinds(ctx, member, ns, list, false, false)
	if err != nil {
		return nil, err
	}
	byGVK := map[schema.GroupVersionKind]memberKind{}
	for _, k := range all {
		byGVK[k.mapping.GVK] = k
	}
	var out []memberKind
	for _, gvk := range order {
		m := mappings[gvk]
		found := map[string]*unstructured.Unstructured{}
		for _, o := range byGVK[gvk].objects {
			found[o.GetName()] = o
		}
		mk := memberKind{mapping: m}
		for _, name := range names[gvk] {
			o, ok := found[name]
			if !ok {
				where := member.Name
				if m.Namespaced {
					where = fmt.Sprintf("namespace %s on %s", ns, member.Name)
				}
				problems = append(problems, fmt.Sprintf("%s %q not found in %s", KindString(gvk), name, where))
				continue
			}
			mk.objects = append(mk.objects, o)
		}
		if len(mk.objects) > 0 {
			out = append(out, mk)
		}
	}
	return &memberSelection{kinds: out, problems: problems}, nil
}

// listKinds lists every mapping (bounded concurrency, paginated) and keeps
// kinds that have objects. A bulk selection applies the skip rules; byKind
// marks the kinds as selected whole.
func listKinds(ctx context.Context, member *Cluster, ns string, mappings []Mapping, bulk, byKind bool) ([]memberKind, []Skipped, error) {
	results := make([]memberKind, len(mappings))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(listLimit)
	for i, m := range mappings {
		g.Go(func() error {
			mk := memberKind{mapping: m, byKind: byKind}
			err := kube.EachPage(gctx, member.resource(m, ns), metav1.ListOptions{}, func(items []unstructured.Unstructured) error {
				for j := range items {
					o := &items[j]
					o.SetGroupVersionKind(m.GVK)
					mk.objects = append(mk.objects, o)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("list %s on %s: %w", m.Resource.GroupResource(), member.Name, err)
			}
			results[i] = mk
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var out []memberKind
	var skipped []Skipped
	for _, mk := range results {
		if bulk {
			var s []Skipped
			mk.objects, s = applySkips(mk.objects)
			skipped = append(skipped, s...)
		}
		if len(mk.objects) > 0 {
			sortObjects(mk.objects)
			out = append(out, mk)
		}
	}
	return out, skipped, nil
}

func applySkips(objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, []Skipped) {
	kept := objs[:0]
	var skipped []Skipped
	for _, o := range objs {
		if reason := skipReason(o); reason != "" {
			skipped = append(skipped, Skipped{Ref: RefOf(o), Reason: reason})
			continue
		}
		kept = append(kept, o)
	}
	return kept, skipped
}

func sortObjects(objs []*unstructured.Unstructured) {
	sort.Slice(objs, func(i, j int) bool {
		if objs[i].GetNamespace() != objs[j].GetNamespace() {
			return objs[i].GetNamespace() < objs[j].GetNamespace()
		}
		return objs[i].GetName() < objs[j].GetName()
	})
}

func hasVerbs(have []string, want ...string) bool {
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
