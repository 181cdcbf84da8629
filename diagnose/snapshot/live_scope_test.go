package snapshot

import (
	"fmt"
	"reflect"
	"testing"
)

func nsSet(names ...string) *namespaceSet {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return newNamespaceSet(m)
}

func numbered(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s-%03d", prefix, i))
	}
	return out
}

func TestWideListing(t *testing.T) {
	system := []string{"default", "kube-system", "kube-public", "kube-node-lease", "openshift-migration"}
	bench := numbered("bench", 100)
	all := append(append([]string{}, system...), bench...)
	tests := []struct {
		name    string
		mode    NamespaceListing
		inScope *namespaceSet
		cluster []string
		known   bool
		want    bool
	}{
		{"benchmark sandbox: 100 plan namespaces of 105", ListAuto, nsSet(bench...), all, true, true},
		{"one plan namespace", ListAuto, nsSet("app"), append(system, "app"), true, false},
		{"plans hold exactly half", ListAuto, nsSet(numbered("app", 5)...), append(system, numbered("app", 5)...), true, true},
		{"plans hold less than half", ListAuto, nsSet(numbered("app", 4)...), append(system, numbered("app", 4)...), true, false},
		{"large cluster, small plans", ListAuto, nsSet(numbered("app", 20)...), append(system, numbered("other", 5000)...), true, false},
		{"destination namespaces not created yet", ListAuto, nsSet(bench...), system, true, true},
		{"namespaces could not be listed", ListAuto, nsSet(bench...), nil, false, false},
		{"forced per namespace", ListPerNamespace, nsSet(bench...), all, true, false},
		{"forced cluster-wide", ListClusterWide, nsSet("app"), append(system, numbered("other", 5000)...), true, true},
		{"forced cluster-wide, nothing in scope", ListClusterWide, nsSet(), all, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wideListing(tt.mode, tt.inScope, tt.cluster, tt.known); got != tt.want {
				t.Fatalf("wideListing = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWideJobsStandForNamespaceJobs: a cluster-wide job per kind, and its
// fallback is exactly the per-namespace jobs of its namespaces.
func TestWideJobsStandForNamespaceJobs(t *testing.T) {
	nss := nsSet("b", "a", "c")
	wide := wideJobs("src", nss)
	if len(wide) != len(namespaceKinds()) {
		t.Fatalf("%d cluster-wide jobs, want one per kind (%d)", len(wide), len(namespaceKinds()))
	}
	var fallback []listJob
	for _, j := range wide {
		if j.namespace != "" || j.within != nss || j.cluster != "src" {
			t.Fatalf("bad cluster-wide job %+v", j)
		}
		fallback = append(fallback, fallbackJobs(j)...)
	}
	want := map[listJob]bool{}
	for _, ns := range nss.names {
		for _, j := range namespaceJobs("src", ns) {
			want[j] = true
		}
	}
	got := map[listJob]bool{}
	for _, j := range fallback {
		got[j] = true
	}
	if len(fallback) != len(want) || !reflect.DeepEqual(got, want) {
		t.Fatalf("fallback jobs differ from the per-namespace jobs:\ngot  %+v\nwant %+v", fallback, want)
	}
}
