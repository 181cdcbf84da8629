package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/casetest"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/test/scenario"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Shape of the many-namespace setup: enough plan namespaces that the plans
// hold most of each cluster's namespaces, so ListAuto lists cluster-wide.
const (
	scopePlans        = 4
	scopePlanNSs      = 5
	outsiderNamespace = "outsider"
)

// namespacedKinds are the kinds listed per plan namespace (or cluster-wide).
var namespacedKinds = append([]snapshot.Kind{snapshot.Pod, snapshot.Event, snapshot.PersistentVolumeClaim,
	snapshot.Service, snapshot.Route, snapshot.ConfigMap, snapshot.Secret}, snapshot.WorkloadKinds...)

// TestNamespaceListing: with many plan namespaces, listing each namespaced
// kind once per cluster gives exactly the findings of the per-namespace
// LISTs for fewer requests; objects of namespaces outside the plans never
// enter the snapshot; and a user who may list only in the plans' namespaces
// gets the same findings through the per-namespace fallback.
func TestNamespaceListing(t *testing.T) {
	p := testenv.TwoClusters(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir, err := scenario.Dir("failed-dvm-rsync-pending")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Load(ctx, dir, p.Clusters()); err != nil {
		t.Fatalf("load: %v", err)
	}
	srcNSs, dstNSs, err := addScopePlans(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*testenv.Cluster{p.Source, p.Host} {
		if err := fillNamespace(ctx, c, outsiderNamespace, true); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	admin := func(string) *rest.Config { return nil }
	perNS, perNSRep := diagnoseAll(t, ctx, p, admin, snapshot.ListPerNamespace, now)
	if n := count(perNSRep, "MIG0009"); n != scopePlans+1 {
		t.Fatalf("want MIG0009 for the scenario's plan and the %d added plans, got %d: %v", scopePlans, n, perNSRep.Findings)
	}
	wide, wideRep := diagnoseAll(t, ctx, p, admin, snapshot.ListClusterWide, now)
	auto, autoRep := diagnoseAll(t, ctx, p, admin, snapshot.ListAuto, now)
	t.Logf("API requests, all plans: %d per namespace, %d cluster-wide, %d auto", perNS.Requests(), wide.Requests(), auto.Requests())

	t.Run("cluster-wide gives the per-namespace findings", func(t *testing.T) {
		sameReport(t, "cluster-wide", perNSRep, wideRep)
		sameReport(t, "auto", perNSRep, autoRep)
		if wide.Requests() >= perNS.Requests() {
			t.Errorf("cluster-wide LISTs took %d requests, per namespace %d: no saving", wide.Requests(), perNS.Requests())
		}
		if auto.Requests() != wide.Requests() {
			t.Errorf("auto took %d requests, cluster-wide %d: auto should list cluster-wide here", auto.Requests(), wide.Requests())
		}
	})

	t.Run("namespaces outside the plans never enter the snapshot", func(t *testing.T) {
		allowed := map[string]map[string]bool{
			testenv.SourceName: set(append(srcNSs, "inventory", testenv.MigrationNamespace)...),
			testenv.HostName:   set(append(dstNSs, "inventory", testenv.MigrationNamespace)...),
		}
		for name, live := range map[string]*snapshot.Live{"per-namespace": perNS, "cluster-wide": wide, "auto": auto} {
			for cluster, nss := range allowed {
				for _, k := range namespacedKinds {
					objs, err := live.Objects(cluster, k)
					if err != nil {
						t.Errorf("%s: %s on %s: %v", name, k, cluster, err)
					}
					for _, o := range objs {
						if !nss[o.GetNamespace()] {
							t.Errorf("%s: %s %s/%s on %s is outside the plans", name, k.Kind, o.GetNamespace(), o.GetName(), cluster)
						}
					}
				}
			}
		}
	})

	t.Run("a user limited to the plans' namespaces falls back to per-namespace LISTs", func(t *testing.T) {
		limited := map[string]*rest.Config{}
		for cluster, nss := range map[string][]string{testenv.SourceName: srcNSs, testenv.HostName: dstNSs} {
			cfg, err := namespaceLimitedUser(ctx, p.Clusters()[cluster], append(nss, "inventory", testenv.MigrationNamespace))
			if err != nil {
				t.Fatal(err)
			}
			limited[cluster] = cfg
		}
		live, rep := diagnoseAll(t, ctx, p, func(c string) *rest.Config { return limited[c] }, snapshot.ListAuto, now)
		sameReport(t, "limited user", perNSRep, rep)
		// The limited user pays the per-namespace LISTs plus one refused
		// cluster-wide LIST per namespaced kind on each of the two clusters.
		refused := int64(2 * len(namespacedKinds))
		if live.Requests() != perNS.Requests()+refused {
			t.Errorf("limited user: %d requests, want per-namespace %d + %d refused cluster-wide LISTs", live.Requests(), perNS.Requests(), refused)
		}
	})
}

// diagnoseAll diagnoses every plan, as cfgFor's user (nil: the admin).
func diagnoseAll(t *testing.T, ctx context.Context, p *testenv.Pair, cfgFor func(string) *rest.Config, mode snapshot.NamespaceListing, now time.Time) (*snapshot.Live, *rules.Report) {
	t.Helper()
	clusterCfg := func(name string) *rest.Config {
		if c := cfgFor(name); c != nil {
			return c
		}
		return p.Clusters()[name].Config()
	}
	live, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{
		Host: clusterCfg(testenv.HostName), PageSize: 10, NamespaceListing: mode,
		Remote: func(_ context.Context, name string) (*rest.Config, error) {
			if name != testenv.SourceName {
				return nil, fmt.Errorf("unknown cluster %q", name)
			}
			return clusterCfg(name), nil
		},
	})
	if err != nil {
		t.Fatalf("open live snapshot: %v", err)
	}
	rep, err := rules.Run(ctx, live, rules.Config{Now: now}, rules.Catalogue())
	if err != nil {
		t.Fatalf("run rules: %v", err)
	}
	return live, rep
}

// sameReport compares everything the rules made of the data: findings with
// their evidence, skipped rules, logs read, notes.
func sameReport(t *testing.T, what string, want, got *rules.Report) {
	t.Helper()
	type view struct {
		Findings []rules.Finding
		Skipped  []rules.Skipped
		Logs     rules.LogStats
		Notes    []string
	}
	enc := func(r *rules.Report) string {
		b, err := json.MarshalIndent(view{r.Findings, r.Skipped, r.Logs, r.Source.Notes}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if w, g := enc(want), enc(got); w != g {
		t.Errorf("%s: the report differs from the per-namespace one\nwant: %s\ngot:  %s", what, w, g)
	}
}

func count(rep *rules.Report, id string) int {
	n := 0
	for _, f := range rep.Findings {
		if f.ID == id {
			n++
		}
	}
	return n
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// addScopePlans adds plans scope-<i> (source -> host) of scopePlanNSs
// namespaces each, each with a failed last migration and, in every
// namespace, a quiesced Deployment and DVM leftovers: MIG0009 and MIG0010
// evidence spread over all the namespaces.
func addScopePlans(ctx context.Context, p *testenv.Pair) (src, dst []string, err error) {
	dyn := p.Host.Dynamic()
	for i := range scopePlans {
		name := fmt.Sprintf("scope-%d", i)
		var nss []any
		for j := range scopePlanNSs {
			s, d := fmt.Sprintf("scope-%d-%d", i, j), fmt.Sprintf("scope-%d-%d-dst", i, j)
			if err := fillNamespace(ctx, p.Source, s, true); err != nil {
				return nil, nil, err
			}
			if err := fillNamespace(ctx, p.Host, d, false); err != nil {
				return nil, nil, err
			}
			src, dst = append(src, s), append(dst, d)
			nss = append(nss, s+":"+d)
		}
		plan := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": name, "namespace": casetest.NS},
			"spec": map[string]any{
				"srcMigClusterRef":  map[string]any{"name": testenv.SourceName, "namespace": casetest.NS},
				"destMigClusterRef": map[string]any{"name": testenv.HostName, "namespace": casetest.NS},
				"migStorageRef":     map[string]any{"name": "replication-repo", "namespace": casetest.NS},
				"namespaces":        nss,
			},
		}}
		if _, err := dyn.Resource(planGVR).Namespace(casetest.NS).Create(ctx, plan, metav1.CreateOptions{}); err != nil {
			return nil, nil, err
		}
		mig := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigMigration",
			"metadata": map[string]any{"name": name, "namespace": casetest.NS, "labels": map[string]any{"migration.openshift.io/migplan-name": name}},
			"spec":     map[string]any{"migPlanRef": map[string]any{"name": name, "namespace": casetest.NS}, "stage": false, "quiescePods": true},
			"status": map[string]any{"phase": "Completed", "conditions": []any{map[string]any{
				"type": "Failed", "status": "True", "category": "Advisory", "reason": "DirectVolumeMigrationFailed",
				"message": "The migration has failed.  See: Errors.", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}}},
		}}
		if _, err := dyn.Resource(migGVR).Namespace(casetest.NS).Create(ctx, mig, metav1.CreateOptions{}); err != nil {
			return nil, nil, err
		}
	}
	return src, dst, nil
}

// fillNamespace creates ns with an application pod, an event, a Secret, a
// DVM leftover ConfigMap and Service and, on a source, a Deployment MTC
// scaled down.
func fillNamespace(ctx context.Context, c *testenv.Cluster, ns string, source bool) error {
	if err := c.EnsureNamespace(ctx, ns); err != nil {
		return err
	}
	kube := c.Client()
	meta := func(name string, labels map[string]string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
	}
	leftover := map[string]string{mtc.DVMAppLabel: mtc.DVMAppValue}
	app := map[string]string{"app": "web"}
	create := []func() error{
		func() error {
			_, err := kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: meta("web-0", app),
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example.com/web:1"}}}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := kube.CoreV1().Events(ns).Create(ctx, &corev1.Event{ObjectMeta: meta("web-0.1", nil),
				InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web-0"},
				Reason:         "Scheduled", Message: "assigned", Type: corev1.EventTypeNormal}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := kube.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: meta("web-creds", nil),
				StringData: map[string]string{"password": "not-a-real-password"}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := kube.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: meta("crane2-rsync-config", leftover),
				Data: map[string]string{"rsyncd.conf": "[data]"}}, metav1.CreateOptions{})
			return err
		},
		func() error {
			_, err := kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: meta("crane2-rsync", leftover),
				Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 2222}}}}, metav1.CreateOptions{})
			return err
		},
	}
	if source {
		create = append(create, func() error {
			zero := int32(0)
			d := &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, Annotations: map[string]string{mtc.PreQuiesceReplicasAnnotation: "2"}},
				Spec: appsv1.DeploymentSpec{Replicas: &zero, Selector: &metav1.LabelSelector{MatchLabels: app},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: app},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example.com/web:1"}}}}},
			}
			_, err := kube.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
			return err
		})
	}
	for _, f := range create {
		if err := f(); err != nil {
			return fmt.Errorf("cluster %s namespace %s: %w", c.Name(), ns, err)
		}
	}
	return nil
}

// namespaceLimitedUser is a service account that may list Namespaces and
// PersistentVolumes cluster-wide, and read everything (logs included) only
// in namespaces: its cluster-wide LISTs of namespaced kinds are refused.
func namespaceLimitedUser(ctx context.Context, c *testenv.Cluster, namespaces []string) (*rest.Config, error) {
	roles := []*rbacv1.ClusterRole{
		{ObjectMeta: metav1.ObjectMeta{Name: "diagnose-cluster-read"}, Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""}, Resources: []string{"namespaces", "persistentvolumes"}, Verbs: []string{"get", "list"}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "diagnose-namespace-read"}, Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list"}}}},
	}
	for _, r := range roles {
		if _, err := c.Client().RbacV1().ClusterRoles().Create(ctx, r, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	}
	if err := c.EnsureServiceAccount(ctx, "default", "namespace-support", "diagnose-cluster-read"); err != nil {
		return nil, err
	}
	for _, ns := range namespaces {
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "namespace-support", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "diagnose-namespace-read"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "default", Name: "namespace-support"}},
		}
		if _, err := c.Client().RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("cluster %s: bind in %s: %w", c.Name(), ns, err)
		}
	}
	token, err := c.ServiceAccountToken(ctx, "default", "namespace-support", time.Hour)
	if err != nil {
		return nil, err
	}
	cfg := c.Config()
	cfg.BearerToken, cfg.CertData, cfg.KeyData, cfg.Username, cfg.Password = token, nil, nil, "", ""
	return cfg, nil
}
