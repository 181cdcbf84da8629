package karmada

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-mig/kubectl-mig/engine/api/karmada"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
var services = schema.GroupVersionResource{Version: "v1", Resource: "services"}

// TestKarmada runs every scenario against one Karmada/member pair; each
// scenario has its own namespace.
func TestKarmada(t *testing.T) {
	p := newPair(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *pair)
	}{
		{"migrate by kind", testMigrateByKind},
		{"migrate by application", testMigrateByApp},
		{"migrate all kinds of a namespace", testMigrateAllKinds},
		{"dry runs write nothing", testDryRuns},
		{"refusals", testRefusals},
		{"namespace takeover warns", testNamespaceWarning},
		{"pods restarted are reported", testPodsChanged},
		{"migrate rerun after interruption", testMigrateRerun},
		{"rollback order and preserved members", testRollbackOrder},
		{"rollback waits for karmada and reruns", testRollbackFrozen},
		{"rollback rerun after interruption", testRollbackRerun},
		{"status", testStatus},
		{"cluster-scoped objects via a ClusterPropagationPolicy", testClusterScoped},
		{"existing template left alone", testExistingTemplate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, p)
		})
	}
}

func migrateConfig(ns string, sel Selection, policy string) MigrateConfig {
	return MigrateConfig{Cluster: memberName, Namespace: ns, Selection: sel, PolicyName: policy, PreserveResourcesOnDeletion: true}
}

// migrate plans, applies and follows a migration to completion.
func migrate(t *testing.T, p *pair, cfg MigrateConfig) (*MigrationPlan, *FollowReport) {
	t.Helper()
	ctx := testCtx(t)
	plan, err := PlanMigration(ctx, p.k, p.m, cfg)
	if err != nil {
		t.Fatalf("PlanMigration: %v", err)
	}
	if _, err := ApplyMigration(ctx, p.k, plan, DryRunNone, nil); err != nil {
		t.Fatalf("ApplyMigration: %v", err)
	}
	fctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	rep, err := Follow(fctx, p.k, p.m, plan, FollowOptions{Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Follow: %v; last report: %+v", err, rep)
	}
	return plan, rep
}

func testMigrateByKind(t *testing.T, p *pair) {
	ns := "bykind"
	p.app(t, ns, "nginx")
	p.app(t, ns, "api")
	ctx := testCtx(t)
	before, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kind, _ := ParseKind("apps/v1/Deployment")
	plan, rep := migrate(t, p, migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp"))

	if len(plan.Templates) != 2 || len(plan.Policies) != 1 {
		t.Fatalf("plan: %d templates, %d policies; want 2 and 1", len(plan.Templates), len(plan.Policies))
	}
	pp, err := kube.Get[policyv1alpha1.PropagationPolicy](ctx, p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns), "deployments-pp")
	if err != nil {
		t.Fatal(err)
	}
	sel := pp.Spec.ResourceSelectors
	if len(sel) != 1 || sel[0].APIVersion != "apps/v1" || sel[0].Kind != "Deployment" || sel[0].Name != "" {
		t.Errorf("selectors = %+v, want one kind selector apps/v1 Deployment", sel)
	}
	if pp.Spec.ConflictResolution != policyv1alpha1.ConflictOverwrite || !pp.Spec.PreservesResourcesOnDeletion() ||
		strings.Join(pp.Spec.TargetClusterNames(), ",") != memberName {
		t.Errorf("policy spec = %+v", pp.Spec)
	}
	if !rep.Complete() || !rep.PodsUnchanged() {
		t.Errorf("report: %+v", rep)
	}
	for _, r := range rep.Resources {
		if r.Pods == nil || r.Pods.Pods != 2 || !r.Pods.Unchanged {
			t.Errorf("%s: pods = %+v, want 2 unchanged", r.Ref, r.Pods)
		}
	}
	// The template is the pruned member object.
	tmpl, err := p.k.Dynamic.Resource(deployments).Namespace(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := tmpl.GetAnnotations(); a["deployment.kubernetes.io/revision"] != "" || a[karmada.ConflictResolutionAnnotation] != "overwrite" {
		t.Errorf("template annotations = %v", a)
	}
	after, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != before.UID || !equality.Semantic.DeepEqual(after.Spec, before.Spec) || after.Labels[karmada.ManagedLabel] != "true" {
		t.Errorf("member deployment: uid %s->%s, spec changed %v, labels %v", before.UID, after.UID, !equality.Semantic.DeepEqual(after.Spec, before.Spec), after.Labels)
	}
	for _, r := range rep.Resources {
		if r.Message != "" {
			t.Errorf("%s: %s", r.Ref, r.Message)
		}
	}
	// Services were not selected.
	svc, err := p.member.Client().CoreV1().Services(ns).Get(ctx, "nginx-svc", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Labels[karmada.ManagedLabel] != "" {
		t.Error("the Service was taken over though only Deployments were selected")
	}
	// The namespace was created on Karmada without auto-propagation.
	nsObj, err := p.karmada.Client().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if nsObj.Labels[karmada.NamespaceSkipAutoPropagationLabel] != "true" {
		t.Errorf("namespace labels on Karmada = %v", nsObj.Labels)
	}
}

func testMigrateByApp(t *testing.T, p *pair) {
	ns := "byapp"
	p.app(t, ns, "nginx")
	p.app(t, ns, "other")
	ctx := testCtx(t)
	svcBefore, err := p.member.Client().CoreV1().Services(ns).Get(ctx, "nginx-svc", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ParseResource("apps/v1/Deployment/nginx")
	s, _ := ParseResource("v1/Service/nginx-svc")
	_, rep := migrate(t, p, migrateConfig(ns, Selection{Resources: []ResourceSpec{d, s}}, "nginx-pp"))
	if len(rep.Resources) != 2 || !rep.Complete() {
		t.Fatalf("report: %+v", rep)
	}
	pp, err := kube.Get[policyv1alpha1.PropagationPolicy](ctx, p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns), "nginx-pp")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range pp.Spec.ResourceSelectors {
		got = append(got, s.APIVersion+"/"+s.Kind+"/"+s.Name)
	}
	if strings.Join(got, " ") != "apps/v1/Deployment/nginx v1/Service/nginx-svc" {
		t.Errorf("selectors = %v", got)
	}
	svcAfter, err := p.member.Client().CoreV1().Services(ns).Get(ctx, "nginx-svc", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svcAfter.Spec.ClusterIP != svcBefore.Spec.ClusterIP || svcAfter.Labels[karmada.ManagedLabel] != "true" {
		t.Errorf("member service: clusterIP %s -> %s, labels %v", svcBefore.Spec.ClusterIP, svcAfter.Spec.ClusterIP, svcAfter.Labels)
	}
	other, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, "other", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if other.Labels[karmada.ManagedLabel] != "" {
		t.Error("another application was taken over")
	}
}

func testMigrateAllKinds(t *testing.T, p *pair) {
	ns := "allkinds"
	p.app(t, ns, "shop")
	ctx := testCtx(t)
	// What a member's controller-manager would have created in the
	// namespace, next to the application's own ConfigMap.
	for _, name := range []string{"settings", "kube-root-ca.crt"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: map[string]string{"k": "v"}}
		if _, err := p.member.Client().CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}}
	if _, err := p.member.Client().CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	plan, err := PlanMigration(ctx, p.k, p.m, migrateConfig(ns, Selection{AllKinds: true}, ns+"-pp"))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, tm := range plan.Templates {
		refs = append(refs, tm.Ref.String())
	}
	sort.Strings(refs)
	want := "configmap allkinds/settings,deployment.apps allkinds/shop,service allkinds/shop-svc"
	if strings.Join(refs, ",") != want {
		t.Errorf("templates = %v, want %s (pods, the default ServiceAccount and kube-root-ca.crt left out)", refs, want)
	}
	skipped := map[string]string{}
	for _, s := range plan.Skipped {
		skipped[s.Ref.String()] = s.Reason
	}
	if !strings.Contains(skipped["serviceaccount allkinds/default"], "controller-manager") ||
		!strings.Contains(skipped["configmap allkinds/kube-root-ca.crt"], "controller-manager") {
		t.Errorf("skipped = %v", skipped)
	}
	for _, pol := range plan.Policies {
		for _, s := range pol.Spec.ResourceSelectors {
			if s.Name == "" {
				t.Errorf("--all-kinds selector without a name: %+v", s)
			}
		}
	}
}

func testDryRuns(t *testing.T, p *pair) {
	ns := "dryrun"
	p.app(t, ns, "nginx")
	ctx := testCtx(t)
	kind, _ := ParseKind("apps/v1/Deployment")
	for _, dry := range []DryRun{DryRunClient, DryRunServer} {
		plan, err := PlanMigration(ctx, p.k, p.m, migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := ApplyMigration(ctx, p.k, plan, dry, nil)
		if err != nil {
			t.Fatalf("%s dry run: %v", dry, err)
		}
		if len(res.Changes) != 3 { // namespace, template, policy
			t.Errorf("%s dry run changes = %+v", dry, res.Changes)
		}
		objs, err := plan.Objects()
		if err != nil || len(objs) != 3 || objs[2].GetKind() != "PropagationPolicy" {
			t.Errorf("%s dry run objects = %d (%v)", dry, len(objs), err)
		}
	}
	if _, err := p.karmada.Client().CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a dry run created namespace %s on Karmada (err %v)", ns, err)
	}
	// With the namespace in place, a server dry run reaches the server.
	if err := p.karmada.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	plan, err := PlanMigration(ctx, p.k, p.m, migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyMigration(ctx, p.k, plan, DryRunServer, nil); err != nil {
		t.Fatal(err)
	}
	list, err := p.k.Dynamic.Resource(deployments).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("server dry run left %d templates (%v)", len(list.Items), err)
	}
	pps, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(pps.Items) != 0 {
		t.Errorf("server dry run left %d policies (%v)", len(pps.Items), err)
	}
}

func testRefusals(t *testing.T, p *pair) {
	ns := "refusals"
	p.app(t, ns, "nginx")
	ctx := testCtx(t)
	widgetCRD := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.com", Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptrTo(true)}}}},
		},
	}
	if err := p.member.InstallCRDs(ctx, widgetCRD); err != nil {
		t.Fatal(err)
	}
	widgets := schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
	w := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1", "namespace": ns}, "spec": map[string]any{"size": 3}}}
	if _, err := p.member.Dynamic().Resource(widgets).Namespace(ns).Create(ctx, w, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Another policy already claims the Service template.
	if err := p.karmada.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	claimed := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "nginx-svc", "namespace": ns,
			"annotations": map[string]any{karmada.PropagationPolicyNameAnnotation: "legacy", karmada.PropagationPolicyNamespaceAnnotation: ns}},
		"spec": map[string]any{"ports": []any{map[string]any{"port": int64(80)}}}}}
	if _, err := p.k.Dynamic.Resource(services).Namespace(ns).Create(ctx, claimed, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A catch-all policy selects every Deployment of the namespace.
	catchAll := &Policy{Ref: PolicyRef{Kind: policyv1alpha1.KindPropagationPolicy, Namespace: ns, Name: "catch-all"},
		Spec: PolicySpec("member2", false, []policyv1alpha1.ResourceSelector{{APIVersion: "apps/v1", Kind: "Deployment"}})}
	obj, _ := catchAll.Object()
	obj.SetLabels(nil)
	if _, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	res := func(s string) ResourceSpec {
		r, err := ParseResource(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name string
		cfg  MigrateConfig
		want []string
	}{
		{"kind not served by karmada", migrateConfig(ns, Selection{Resources: []ResourceSpec{res("example.com/v1/Widget/w1")}}, "w-pp"),
			[]string{"does not serve example.com/v1/Widget", "install its CRD on Karmada"}},
		{"name not found", migrateConfig(ns, Selection{Resources: []ResourceSpec{res("apps/v1/Deployment/nginx"), res("apps/v1/Deployment/nope")}}, "x-pp"),
			[]string{`deployment.apps "nope" not found in namespace refusals on member1`}},
		{"claimed by another policy", migrateConfig(ns, Selection{Resources: []ResourceSpec{res("v1/Service/nginx-svc")}}, "svc-pp"),
			[]string{"already claimed by PropagationPolicy refusals/legacy"}},
		{"competing policy", migrateConfig(ns, Selection{Resources: []ResourceSpec{res("apps/v1/Deployment/nginx")}}, "nginx-pp"),
			[]string{"PropagationPolicy refusals/catch-all already selects deployment.apps refusals/nginx"}},
		{"kube-system", migrateConfig("kube-system", Selection{AllKinds: true}, "sys-pp"),
			[]string{"does not propagate resources in kube-* namespaces"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PlanMigration(ctx, p.k, p.m, tt.cfg)
			var refusal *RefusalError
			if !errors.As(err, &refusal) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not say %q", err, w)
				}
			}
		})
	}
	// Nothing of ours was written.
	list, err := p.k.Dynamic.Resource(deployments).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("refusals left %d templates (%v)", len(list.Items), err)
	}
}

func ptrTo[T any](v T) *T { return &v }

func testNamespaceWarning(t *testing.T, p *pair) {
	ns := "nswarn"
	p.app(t, ns, "web")
	ctx := testCtx(t)
	r, _ := ParseResource("v1/Namespace/" + ns)
	plan, err := PlanMigration(ctx, p.k, p.m, migrateConfig(ns, Selection{Resources: []ResourceSpec{r}}, "ns-pp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Policies) != 1 || !plan.Policies[0].Ref.Cluster() {
		t.Fatalf("policies = %+v, want one ClusterPropagationPolicy", plan.Policies)
	}
	if len(plan.Warnings) == 0 || !strings.Contains(plan.Warnings[0], "deletes the namespace on member1") {
		t.Errorf("warnings = %v", plan.Warnings)
	}
}

func testPodsChanged(t *testing.T, p *pair) {
	ns := "podschanged"
	p.app(t, ns, "nginx")
	kind, _ := ParseKind("apps/v1/Deployment")
	plan, _ := migrate(t, p, migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp"))
	ctx := testCtx(t)
	pod, err := p.member.Client().CoreV1().Pods(ns).Get(ctx, "nginx-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.ContainerStatuses[0].RestartCount++
	if _, err := p.member.Client().CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := Observe(ctx, p.k, p.m, plan)
	if err != nil {
		t.Fatal(err)
	}
	if rep.PodsUnchanged() || !strings.Contains(rep.Resources[0].Pods.Detail, "pod nginx-0 restarted (restarts 0 -> 1)") {
		t.Errorf("pods = %+v", rep.Resources[0].Pods)
	}
}

func testMigrateRerun(t *testing.T, p *pair) {
	ns := "migrerun"
	p.app(t, ns, "a")
	p.app(t, ns, "b")
	ctx := testCtx(t)
	kind, _ := ParseKind("apps/v1/Deployment")
	cfg := migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp")
	plan, err := PlanMigration(ctx, p.k, p.m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Interrupt right after the first template is written.
	ictx, cancel := context.WithCancel(ctx)
	_, err = ApplyMigration(ictx, p.k, plan, DryRunNone, func(c Change) {
		if c.What == "resource template" {
			cancel()
		}
	})
	cancel()
	if err == nil {
		t.Fatal("the interrupted apply succeeded")
	}
	if _, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).Get(ctx, "deployments-pp", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the policy was written by an interrupted run (err %v)", err)
	}
	plan, rep := migrate(t, p, cfg)
	if !plan.Templates[0].Exists || plan.Templates[1].Exists {
		t.Errorf("rerun plan: exists = %v, %v; want true, false", plan.Templates[0].Exists, plan.Templates[1].Exists)
	}
	if !rep.Complete() {
		t.Errorf("rerun report: %+v", rep)
	}
	// A third run changes nothing.
	plan, err = PlanMigration(ctx, p.k, p.m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ApplyMigration(ctx, p.k, plan, DryRunNone, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Changes {
		if c.Result == Created {
			t.Errorf("a rerun after success created %s", c.Object)
		}
	}
}

// recorder watches the policy and the templates and records, in etcd
// revision order, what happened to them.
type recorder struct {
	mu     sync.Mutex
	events []recorded
}

type recorded struct {
	rv       int64
	what     string
	preserve bool
}

func (r *recorder) watch(t *testing.T, ctx context.Context, ri interface {
	Watch(context.Context, metav1.ListOptions) (watch.Interface, error)
}, rv string) {
	t.Helper()
	w, err := ri.Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			// A single etcd orders every write: its revision is the
			// resourceVersion, so events of the two watches compare.
			rvn, _ := strconv.ParseInt(u.GetResourceVersion(), 10, 64)
			preserve, _, _ := unstructured.NestedBool(u.Object, "spec", "preserveResourcesOnDeletion")
			r.mu.Lock()
			r.events = append(r.events, recorded{rv: rvn, what: string(ev.Type) + " " + u.GetKind() + " " + u.GetName(), preserve: preserve})
			r.mu.Unlock()
		}
	}()
}

func (r *recorder) snapshot() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.events...)
}

func testRollbackOrder(t *testing.T, p *pair) {
	ns := "rborder"
	p.app(t, ns, "nginx")
	d, _ := ParseResource("apps/v1/Deployment/nginx")
	s, _ := ParseResource("v1/Service/nginx-svc")
	cfg := migrateConfig(ns, Selection{Resources: []ResourceSpec{d, s}}, "nginx-pp")
	cfg.PreserveResourcesOnDeletion = false // the rollback must turn it on first
	migrate(t, p, cfg)
	ctx := testCtx(t)
	podsBefore, err := p.member.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}

	rec := &recorder{}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	ppList, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.watch(t, wctx, p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns), ppList.GetResourceVersion())
	rec.watch(t, wctx, p.k.Dynamic.Resource(deployments).Namespace(ns), ppList.GetResourceVersion())
	rec.watch(t, wctx, p.k.Dynamic.Resource(services).Namespace(ns), ppList.GetResourceVersion())

	rcfg := RollbackConfig{Policy: "nginx-pp", Namespace: ns, Wait: true, Interval: 50 * time.Millisecond, Timeout: time.Minute}
	plan, err := PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Templates) != 2 || len(plan.Policies) != 1 || plan.Policies[0].Preserve {
		t.Fatalf("rollback plan = %+v", plan)
	}
	// Check, at the moment each template is deleted, that every binding
	// and Work already preserved the member objects.
	var unsafe []string
	rcfg.Progress = func(e RollbackEvent) {
		if e.Step == StepDeleteTemplate {
			unsafe = append(unsafe, unpreserved(t, p, ns)...)
		}
	}
	res, err := ApplyRollback(ctx, p.k, p.members, plan, rcfg)
	if err != nil {
		t.Fatalf("ApplyRollback: %v; events %+v", err, res.Events)
	}
	if len(unsafe) > 0 {
		t.Errorf("templates deleted while not preserved: %v; events %+v", unsafe, res.Events)
	}
	eventually(t, "watch events", func(context.Context) (bool, error) {
		return countDeleted(rec.snapshot()) >= 3, nil // 2 templates and the policy
	})
	events := rec.snapshot()
	var preserveRV, firstDelete int64 = -1, -1
	for _, e := range events {
		if strings.HasPrefix(e.what, "MODIFIED PropagationPolicy") && e.preserve && preserveRV < 0 {
			preserveRV = e.rv
		}
		if strings.HasPrefix(e.what, "DELETED") && !strings.Contains(e.what, "PropagationPolicy") && (firstDelete < 0 || e.rv < firstDelete) {
			firstDelete = e.rv
		}
	}
	if preserveRV < 0 || firstDelete < 0 || preserveRV > firstDelete {
		t.Errorf("preserve update at revision %d, first template deletion at %d; events: %+v", preserveRV, firstDelete, events)
	}
	var policyDeleteRV int64
	for _, e := range events {
		if strings.HasPrefix(e.what, "DELETED PropagationPolicy") {
			policyDeleteRV = e.rv
		}
		if strings.HasPrefix(e.what, "DELETED") && !strings.Contains(e.what, "PropagationPolicy") && e.rv > policyDeleteRV && policyDeleteRV != 0 {
			t.Errorf("template deleted after the policy: %+v", events)
		}
	}

	// Member objects kept, released, pods untouched; leftovers reported.
	if len(res.Members) != 2 {
		t.Fatalf("member checks = %+v", res.Members)
	}
	for _, m := range res.Members {
		if !m.Exists {
			t.Errorf("%s is gone", m.Ref)
		}
		if m.Pods != nil && !m.Pods.Unchanged {
			t.Errorf("%s pods: %s", m.Ref, m.Pods.Detail)
		}
		if strings.Join(m.Leftovers, ",") != "annotation work.karmada.io/conflict-resolution=overwrite" {
			t.Errorf("%s leftovers = %v", m.Ref, m.Leftovers)
		}
	}
	dep, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Labels[karmada.ManagedLabel] != "" {
		t.Errorf("member deployment still managed: %v", dep.Labels)
	}
	podsAfter, err := p.member.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(podsAfter.Items) != len(podsBefore.Items) {
		t.Errorf("pods: %d before, %d after", len(podsBefore.Items), len(podsAfter.Items))
	}
	// A rerun finds nothing left to do.
	plan, err = PlanRollback(ctx, p.k, rcfg)
	if err != nil || len(plan.Policies) != 0 {
		t.Errorf("rerun plan = %+v, %v", plan, err)
	}
}

func countDeleted(events []recorded) int {
	n := 0
	for _, e := range events {
		if strings.HasPrefix(e.what, "DELETED") {
			n++
		}
	}
	return n
}

// unpreserved lists the bindings and Works in ns (and the member's
// execution namespace) that would not preserve the member objects.
func unpreserved(t *testing.T, p *pair, ns string) []string {
	t.Helper()
	ctx := testCtx(t)
	var out []string
	rbs, err := kube.List[workv1alpha2.ResourceBinding](ctx, p.k.Dynamic.Resource(ResourceBindings).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		t.Error(err)
	}
	for _, rb := range rbs {
		if !rb.Spec.PreservesResourcesOnDeletion() {
			out = append(out, "ResourceBinding "+rb.Name)
		}
	}
	works, err := kube.List[workv1alpha1.Work](ctx, p.k.Dynamic.Resource(Works).Namespace(workv1alpha1.ExecutionNamespace(memberName)), metav1.ListOptions{})
	if err != nil {
		t.Error(err)
	}
	for _, w := range works {
		if w.Annotations[karmada.ResourceBindingNamespaceAnnotation] == ns && !w.Spec.PreservesResourcesOnDeletion() {
			out = append(out, "Work "+w.Name)
		}
	}
	return out
}

func testRollbackFrozen(t *testing.T, p *pair) {
	ns := "rbfrozen"
	p.app(t, ns, "nginx")
	kind, _ := ParseKind("apps/v1/Deployment")
	cfg := migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp")
	cfg.PreserveResourcesOnDeletion = false
	migrate(t, p, cfg)
	ctx := testCtx(t)

	p.ctrl.Freeze(ns) // karmada-controller-manager "down"
	rcfg := RollbackConfig{Policy: "deployments-pp", Namespace: ns, Interval: 50 * time.Millisecond, Timeout: time.Second}
	plan, err := PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ApplyRollback(ctx, p.k, p.members, plan, rcfg)
	if err == nil || !strings.Contains(err.Error(), "No template was deleted") {
		t.Fatalf("err = %v, want a refusal to delete", err)
	}
	if _, err := p.k.Dynamic.Resource(deployments).Namespace(ns).Get(ctx, "nginx", metav1.GetOptions{}); err != nil {
		t.Fatalf("template deleted while bindings were not preserved: %v", err)
	}
	pp, err := kube.Get[policyv1alpha1.PropagationPolicy](ctx, p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns), "deployments-pp")
	if err != nil || !pp.Spec.PreservesResourcesOnDeletion() {
		t.Fatalf("policy after the first attempt: %+v, %v", pp, err)
	}

	p.ctrl.Thaw(ns)
	rcfg.Timeout, rcfg.Wait = time.Minute, true
	plan, err = PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ApplyRollback(ctx, p.k, p.members, plan, rcfg)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if len(res.Members) != 1 || !res.Members[0].Exists {
		t.Errorf("members = %+v", res.Members)
	}
}

func testRollbackRerun(t *testing.T, p *pair) {
	ns := "rbrerun"
	p.app(t, ns, "a")
	p.app(t, ns, "b")
	kind, _ := ParseKind("apps/v1/Deployment")
	migrate(t, p, migrateConfig(ns, Selection{Kinds: []KindSpec{kind}}, "deployments-pp"))
	ctx := testCtx(t)

	rcfg := RollbackConfig{Policy: "deployments-pp", Namespace: ns, Interval: 50 * time.Millisecond, Timeout: time.Minute}
	plan, err := PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	ictx, cancel := context.WithCancel(ctx)
	rcfg.Progress = func(e RollbackEvent) {
		if e.Step == StepDeleteTemplate {
			cancel() // interrupted after the first template
		}
	}
	_, err = ApplyRollback(ictx, p.k, p.members, plan, rcfg)
	cancel()
	if err == nil {
		t.Fatal("the interrupted rollback succeeded")
	}
	if _, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).Get(ctx, "deployments-pp", metav1.GetOptions{}); err != nil {
		t.Fatalf("the policy is gone after an interrupted rollback: %v", err)
	}

	rcfg.Progress, rcfg.Wait = nil, true
	plan, err = PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Templates) != 1 {
		t.Fatalf("rerun plan templates = %+v, want the one left", plan.Templates)
	}
	if _, err := ApplyRollback(ctx, p.k, p.members, plan, rcfg); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	for _, name := range []string{"a", "b"} {
		d, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("member deployment %s: %v", name, err)
		}
		eventually(t, "release of "+name, func(ctx context.Context) (bool, error) {
			d, err = p.member.Client().AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			return err == nil && d.Labels[karmada.ManagedLabel] == "", err
		})
	}
	if _, err := p.k.Dynamic.Resource(PropagationPolicies).Namespace(ns).Get(ctx, "deployments-pp", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("policy after the rerun: %v", err)
	}
}

func testStatus(t *testing.T, p *pair) {
	ns := "status"
	p.app(t, ns, "nginx")
	d, _ := ParseResource("apps/v1/Deployment/nginx")
	s, _ := ParseResource("v1/Service/nginx-svc")
	migrate(t, p, migrateConfig(ns, Selection{Resources: []ResourceSpec{d, s}}, "nginx-pp"))
	ctx := testCtx(t)
	for _, cfg := range []StatusConfig{{Policy: "nginx-pp", Namespace: ns}, {Namespace: ns}} {
		rep, err := Status(ctx, p.k, p.members, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 2 {
			t.Fatalf("rows = %+v", rep.Rows)
		}
		for _, r := range rep.Rows {
			if r.Scheduled != "True" || r.FullyApplied != "True" || r.Applied != "True" || r.Adopted != "Y" || !r.Preserve || r.Cluster != memberName {
				t.Errorf("row = %+v", r)
			}
		}
	}
	_, err := Status(ctx, p.k, p.members, StatusConfig{Policy: "nope", Namespace: ns})
	if !errors.Is(err, ErrNoPolicy) {
		t.Errorf("status of a missing policy: %v", err)
	}
}

func testClusterScoped(t *testing.T, p *pair) {
	ns := "clusterscoped"
	p.app(t, ns, "web")
	ctx := testCtx(t)
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "web-reader"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}},
	}
	if _, err := p.member.Client().RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, _ := ParseResource("apps/v1/Deployment/web")
	r, _ := ParseResource("rbac.authorization.k8s.io/v1/ClusterRole/web-reader")
	plan, rep := migrate(t, p, migrateConfig(ns, Selection{Resources: []ResourceSpec{d, r}}, "web-pp"))
	if len(plan.Policies) != 2 || plan.Policies[0].Ref.Cluster() || !plan.Policies[1].Ref.Cluster() {
		t.Fatalf("policies = %+v, want a PropagationPolicy and a ClusterPropagationPolicy", plan.Policies)
	}
	var crb string
	for _, r := range rep.Resources {
		if r.Ref.Kind == "ClusterRole" {
			crb = r.Binding
		}
	}
	if crb != "web-reader-clusterrole" {
		t.Errorf("ClusterResourceBinding = %q", crb)
	}
	rcfg := RollbackConfig{Policy: "web-pp", Namespace: ns, Wait: true, Interval: 50 * time.Millisecond, Timeout: time.Minute}
	rplan, err := PlanRollback(ctx, p.k, rcfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rplan.Policies) != 2 || len(rplan.Templates) != 2 {
		t.Fatalf("rollback plan = %+v", rplan)
	}
	res, err := ApplyRollback(ctx, p.k, p.members, rplan, rcfg)
	if err != nil {
		t.Fatalf("ApplyRollback: %v", err)
	}
	for _, m := range res.Members {
		if !m.Exists {
			t.Errorf("%s is gone", m.Ref)
		}
		if m.Ref.Kind == "ClusterRole" {
			// What Karmada leaves on cluster-scoped objects (not in its
			// clean-up lists).
			got := strings.Join(m.Leftovers, ",")
			for _, want := range []string{"annotation clusterresourcebinding.karmada.io/name=web-reader-clusterrole",
				"label clusterresourcebinding.karmada.io/permanent-id=", "annotation work.karmada.io/conflict-resolution=overwrite"} {
				if !strings.Contains(got, want) {
					t.Errorf("ClusterRole leftovers %q lack %q", got, want)
				}
			}
		}
	}
	if _, err := p.k.Dynamic.Resource(ClusterPropagationPolicies).Get(ctx, "web-pp", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ClusterPropagationPolicy after rollback: %v", err)
	}
}

func testExistingTemplate(t *testing.T, p *pair) {
	ns := "existing"
	p.app(t, ns, "nginx")
	ctx := testCtx(t)
	if err := p.karmada.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	// Someone applied the manifests to Karmada already, with 3 replicas.
	dep, err := p.member.Client().AppsV1().Deployments(ns).Get(ctx, "nginx", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	three := int32(3)
	tmpl := dep.DeepCopy()
	tmpl.ObjectMeta = metav1.ObjectMeta{Name: "nginx", Namespace: ns}
	tmpl.Spec.Replicas = &three
	tmpl.Status = appsv1.DeploymentStatus{}
	if _, err := p.karmada.Client().AppsV1().Deployments(ns).Create(ctx, tmpl, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, _ := ParseResource("apps/v1/Deployment/nginx")
	plan, err := PlanMigration(ctx, p.k, p.m, migrateConfig(ns, Selection{Resources: []ResourceSpec{d}}, "nginx-pp"))
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Templates[0].Exists || !plan.Templates[0].Differs {
		t.Fatalf("template = %+v, want existing and different", plan.Templates[0])
	}
	res, err := ApplyMigration(ctx, p.k, plan, DryRunServer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Changes[0]; c.Result != LeftAlone || !strings.Contains(c.Note, "Karmada will overwrite the member object") {
		t.Errorf("change = %+v", c)
	}
}
