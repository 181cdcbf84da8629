package mustgather

import (
	"reflect"
	"testing"
)

// The expectations below are the paths `oc adm inspect` writes (openshift/oc
// pkg/cli/admin/inspect util.go dirPathForInfo/filenameForInfo and pod.go),
// which omc hard-codes; they must not drift.
func TestInspectCompatiblePaths(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"namespace object", NamespaceObject("openshift-migration"), "namespaces/openshift-migration/openshift-migration.yaml"},
		{"core list", NamespacedList("openshift-migration", "", "secrets"), "namespaces/openshift-migration/core/secrets.yaml"},
		{"group list", NamespacedList("openshift-migration", "apps", "deployments"), "namespaces/openshift-migration/apps/deployments.yaml"},
		{"custom list", NamespacedList("openshift-migration", "migration.openshift.io", "migplans"), "namespaces/openshift-migration/migration.openshift.io/migplans.yaml"},
		{"single namespaced", NamespacedObject("ns", "", "configmaps", "cm"), "namespaces/ns/core/configmaps/cm.yaml"},
		{"cluster scoped core", ClusterScopedObject("", "persistentvolumes", "pv-1"), "cluster-scoped-resources/core/persistentvolumes/pv-1.yaml"},
		{"cluster scoped list", ClusterScopedList("config.openshift.io", "clusterversions"), "cluster-scoped-resources/config.openshift.io/clusterversions.yaml"},
		{"crd", CRDObject("migplans", "migration.openshift.io"), "cluster-scoped-resources/apiextensions.k8s.io/customresourcedefinitions/migplans.migration.openshift.io.yaml"},
		{"pod object", PodObject("ns", "p"), "namespaces/ns/pods/p/p.yaml"},
		{"current log, container doubled", PodLog("openshift-migration", "migration-controller-1", "mtc", CurrentLog), "namespaces/openshift-migration/pods/migration-controller-1/mtc/mtc/logs/current.log"},
		{"previous log", PodLog("ns", "p", "c", PreviousLog), "namespaces/ns/pods/p/c/c/logs/previous.log"},
		{"legacy MTC log", LegacyPodLog("ns", "p", CurrentLog), "namespaces/ns/logs/p/current.log"},
		{"in cluster", InCluster("host", NamespaceObject("ns")), "clusters/host/namespaces/ns/ns.yaml"},
		{"velero log", VeleroLog("openshift-migration", "backups", "b-1"), "velero/openshift-migration/backups/b-1/b-1.log"},
		{"velero results", VeleroResults("openshift-migration", "restores", "r"), "velero/openshift-migration/restores/r/r-results.json"},
		{"controller metrics", ControllerMetrics("openshift-migration"), "metrics/mig-controller/openshift-migration.prom"},
		{"prometheus query", PrometheusQuery("mtc_client_request_count"), "metrics/prometheus/mtc_client_request_count.json"},
		{"plan index", MigPlanIndex("openshift-migration", "p1"), "migplans/openshift-migration/p1.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestSegmentNeverEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a/b", "a_b"},
		{"..", "_.._"},
		{".", "_._"},
		{"", "__"},
		{`a\b`, "a_b"},
		{"a\x00b", "a_b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Segment(tt.in); got != tt.want {
				t.Errorf("Segment(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := NamespacedList("../../etc", "", "x"); got != "namespaces/.._.._etc/core/x.yaml" {
		t.Errorf("traversal not neutralised: %q", got)
	}
}

func TestCleanEntry(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"a/b.yaml", "a/b.yaml", false},
		{"./a//b.yaml", "a/b.yaml", false},
		{"/etc/passwd", "", true},
		{"a/../../x", "", true},
		{"", "", true},
		{".", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CleanEntry(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("CleanEntry(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDetectRoot(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		want    Root
		wantErr bool
	}{
		{
			name: "ours",
			names: []string{"mig-gather-1/manifest.json", "mig-gather-1/version",
				"mig-gather-1/clusters/host/namespaces/ns/ns.yaml", "mig-gather-1/clusters/source/namespaces/ns/core/pods.yaml"},
			want: Root{Prefix: "mig-gather-1", Flavor: FlavorMig, Clusters: []string{"host", "source"}},
		},
		{
			name:  "ours at root",
			names: []string{"manifest.json", "clusters/host/cluster-scoped-resources/core/nodes/n.yaml"},
			want:  Root{Prefix: "", Flavor: FlavorMig, Clusters: []string{"host"}},
		},
		{
			name: "MTC must-gather",
			names: []string{"must-gather/timestamp", "must-gather/clusters/host/namespaces/openshift-migration/openshift-migration.yaml",
				"must-gather/migplans/migplan-p/p.yml"},
			want: Root{Prefix: "must-gather", Flavor: FlavorMustGather, Clusters: []string{"host"}},
		},
		{
			name:  "inspect",
			names: []string{"inspect.local.1/timestamp", "inspect.local.1/namespaces/ns/ns.yaml"},
			want:  Root{Prefix: "inspect.local.1", Flavor: FlavorInspect, Clusters: []string{""}},
		},
		{
			name:    "not a bundle",
			names:   []string{"README.md", "src/main.go"},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectRoot(tt.names)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRootClusterPath(t *testing.T) {
	mig := Root{Prefix: "b", Flavor: FlavorMig}
	if got := mig.ClusterPath("host", PodLog("ns", "p", "c", CurrentLog)); got != "b/clusters/host/namespaces/ns/pods/p/c/c/logs/current.log" {
		t.Errorf("mig: %q", got)
	}
	insp := Root{Prefix: "i", Flavor: FlavorInspect}
	if got := insp.ClusterPath("", NamespaceObject("ns")); got != "i/namespaces/ns/ns.yaml" {
		t.Errorf("inspect: %q", got)
	}
}
