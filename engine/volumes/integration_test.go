package volumes

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// TestOnAPIServer runs the engine against a real kube-apiserver with the MTC
// CRDs. The MTC controller does not run: the tests write what it would
// write (spec.persistentVolumes, status.destStorageClasses, conditions),
// with full-object updates as it does.
func TestOnAPIServer(t *testing.T) {
	c := testenv.NewCluster(t, "volumes")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mtcCRDs, err := crds.MTC()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InstallCRDs(ctx, mtcCRDs...); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureNamespace(ctx, testenv.MigrationNamespace); err != nil {
		t.Fatal(err)
	}
	plans := c.Dynamic().Resource(kube.MigPlans).Namespace(testenv.MigrationNamespace)
	env := &apiEnv{ctx: ctx, plans: plans}

	t.Run("listing", env.testListing)
	t.Run("not discovered", env.testNotDiscovered)
	t.Run("refusals change nothing", env.testRefusals)
	t.Run("set changes only the selection", env.testSetOnlySelection)
	t.Run("set racing a controller write", env.testRace)
	t.Run("dry run changes nothing", env.testDryRun)
	t.Run("defaults once discovered", env.testDefaults)
	t.Run("closed and suspended plans", env.testNotWritable)
}

type apiEnv struct {
	ctx   context.Context
	plans dynamic.ResourceInterface
}

// create stores p as the controller would have left it (MTC CRDs have no
// status subresource, so status is stored with the object).
func (e *apiEnv) create(t *testing.T, p *mtc.MigPlan) *mtc.MigPlan {
	t.Helper()
	u, err := kube.ToUnstructured(p)
	if err != nil {
		t.Fatal(err)
	}
	created, err := e.plans.Create(e.ctx, u, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := kube.FromUnstructured[mtc.MigPlan](created)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *apiEnv) get(t *testing.T, name string) *mtc.MigPlan {
	t.Helper()
	p, err := kube.Get[mtc.MigPlan](e.ctx, e.plans, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// controllerWrite plays one reconcile of the MTC controller: read the whole
// plan, change it, and update the whole object (a PUT with the
// resourceVersion it read), retrying on conflict as controller-runtime's
// requeue does.
func (e *apiEnv) controllerWrite(name string, change func(*mtc.MigPlan)) error {
	for range 5 {
		u, err := e.plans.Get(e.ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		p, err := kube.FromUnstructured[mtc.MigPlan](u)
		if err != nil {
			return err
		}
		change(p)
		nu, err := kube.ToUnstructured(p)
		if err != nil {
			return err
		}
		if _, err = e.plans.Update(e.ctx, nu, metav1.UpdateOptions{}); err == nil {
			return nil
		}
	}
	return errors.New("controller write kept conflicting")
}

func (e *apiEnv) testListing(t *testing.T) {
	p := fixturePlan("listing")
	p.Status.Conditions = append(p.Status.Conditions,
		cond(mtc.ConditionPvInvalidStorageClass, mtc.CategoryError, "PV in `persistentVolumes` [pv-raw] has an unsupported `storageClass`."),
		cond(mtc.ConditionPvNoStorageClassSelection, mtc.CategoryWarn, "PV in `persistentVolumes` [pv-host] has no `Selected.StorageClass`."))
	e.create(t, p)
	l, err := List(e.ctx, e.plans, "listing")
	if err != nil {
		t.Fatal(err)
	}
	if !l.Discovered || len(l.Volumes) != 4 || len(l.DestinationStorageClasses) != 3 {
		t.Fatalf("listing = %+v", l)
	}
	got := map[string]Volume{}
	for _, v := range l.Volumes {
		got[v.PV] = v
	}
	if v := got[pvRaw]; len(v.Conditions) != 1 || v.Conditions[0].Type != mtc.ConditionPvInvalidStorageClass {
		t.Errorf("pv-raw conditions = %+v", v.Conditions)
	}
	if v := got[pvNFS]; v.PVC.Mapping() != "shop/data -> shop-new/data-new" || v.Capacity != "10Gi" ||
		strings.Join(v.Supported.Actions, ",") != "skip,copy,move" {
		t.Errorf("pv-nfs = %+v", v)
	}
	if _, err := List(e.ctx, e.plans, "nope"); err == nil || !strings.Contains(err.Error(), "read MigPlan nope") {
		t.Errorf("missing plan: err = %v", err)
	}
}

func (e *apiEnv) testNotDiscovered(t *testing.T) {
	p := fixturePlan("undiscovered")
	p.Spec.PersistentVolumes = nil
	p.Status = mtc.MigPlanStatus{Conditions: mtc.Conditions{
		cond(mtc.ConditionSourceClusterNotReady, mtc.CategoryCritical, "The referenced `srcMigClusterRef` does not have a `Ready` condition, subject: openshift-migration/source"),
	}}
	e.create(t, p)
	l, err := List(e.ctx, e.plans, "undiscovered")
	if err != nil {
		t.Fatal(err)
	}
	if l.Discovered || l.NotDiscovered == nil || len(l.NotDiscovered.Conditions) != 1 {
		t.Fatalf("listing = %+v", l)
	}
	_, err = Set(e.ctx, e.plans, "undiscovered", Request{Selector: Selector{All: true}, Change: Change{Action: "copy"}})
	if !errors.Is(err, ErrNotDiscovered) || !strings.Contains(err.Error(), "SourceClusterNotReady") {
		t.Fatalf("Set on an undiscovered plan: err = %v", err)
	}
}

func (e *apiEnv) testRefusals(t *testing.T) {
	p := fixturePlan("refusals")
	pvByName(p, pvDB).Supported.CopyMethods = []string{"filesystem", "block"}
	before := e.create(t, p)
	tests := []struct {
		name   string
		req    Request
		reason string
	}{
		{"move of a non-NFS volume", Request{Selector: Selector{PVCs: []string{"shop/db"}}, Change: Change{Action: "move"}},
			"cannot move: MTC offers move only for volumes both clusters can reach"},
		{"snapshot where unsupported", Request{Selector: Selector{PVs: []string{pvDB}}, Change: Change{CopyMethod: "snapshot"}},
			"copy method snapshot is not supported for this volume"},
		{"unknown storage class", Request{Selector: Selector{StorageClassFrom: "gp2-csi"}, Change: Change{StorageClass: "gold"}},
			`storage class "gold" does not exist on the destination cluster`},
		{"access mode not offered", Request{Selector: Selector{PVs: []string{pvDB}}, Change: Change{AccessMode: rwx}},
			"does not offer access mode ReadWriteMany for Filesystem volumes"},
		{"copy settings on a moved volume", Request{Selector: Selector{PVs: []string{pvNFS}}, Change: Change{Action: "move", Verify: ptr(true)}},
			"verification applies only to copied volumes"},
		{"one bad volume among good ones", Request{Selector: Selector{All: true}, Change: Change{Action: "move"}},
			"PV pv-db (PVC shop/db): cannot move"},
		{"unknown volume", Request{Selector: Selector{PVs: []string{"pv-gone"}}, Change: Change{Action: "copy"}},
			"has no PV pv-gone among its discovered volumes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Set(e.ctx, e.plans, "refusals", tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want %q", err, tt.reason)
			}
			if after := e.get(t, "refusals"); after.ResourceVersion != before.ResourceVersion {
				t.Fatalf("a refused change wrote the plan (resourceVersion %s -> %s)", before.ResourceVersion, after.ResourceVersion)
			}
		})
	}
	var refused *RefusedError
	_, err := Set(e.ctx, e.plans, "refusals", Request{Selector: Selector{All: true}, Change: Change{Action: "move"}})
	if !errors.As(err, &refused) || len(refused.Refusals) != 3 {
		t.Fatalf("err = %v; want a RefusedError listing pv-db, pv-host and pv-raw", err)
	}
}

func (e *apiEnv) testSetOnlySelection(t *testing.T) {
	before := e.create(t, fixturePlan("only-selection"))
	res, err := Set(e.ctx, e.plans, "only-selection", Request{
		Selector: Selector{PVCs: []string{"shop/data"}, PVs: []string{pvDB}},
		Change:   Change{Verify: ptr(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 2 || res.Attempts != 1 || res.Plan.ResourceVersion == before.ResourceVersion {
		t.Fatalf("result = %+v (attempts %d)", res, res.Attempts)
	}
	after := e.get(t, "only-selection")
	want := before.DeepCopy()
	pvByName(want, pvDB).Selection.Verify = true
	pvByName(want, pvNFS).Selection.Verify = true
	if !equality.Semantic.DeepEqual(want.Spec, after.Spec) || !equality.Semantic.DeepEqual(want.Status, after.Status) {
		t.Fatalf("set changed more than the selections:\nwant %+v\ngot  %+v", want.Spec, after.Spec)
	}

	again, err := Set(e.ctx, e.plans, "only-selection", Request{Selector: Selector{PVs: []string{pvDB}}, Change: Change{Verify: ptr(true)}})
	if err != nil || len(again.Changed) != 0 || len(again.Unchanged) != 1 {
		t.Fatalf("repeating a set must change nothing: %+v, %v", again, err)
	}
	if e.get(t, "only-selection").ResourceVersion != after.ResourceVersion {
		t.Fatal("an idempotent set wrote the plan")
	}
}

// racingPlans lets the controller write the plan right after our first
// read, i.e. between the read our patch is computed from and the patch.
type racingPlans struct {
	dynamic.ResourceInterface
	once sync.Once
	race func()
}

func (r *racingPlans) Get(ctx context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error) {
	u, err := r.ResourceInterface.Get(ctx, name, opts, sub...)
	r.once.Do(r.race)
	return u, err
}

func (e *apiEnv) testRace(t *testing.T) {
	e.create(t, fixturePlan("race"))
	var raceErr error
	ri := &racingPlans{ResourceInterface: e.plans, race: func() {
		// PV discovery finds a new volume, which sorts first and shifts
		// every index, and refreshes pv-nfs's capacity.
		raceErr = e.controllerWrite("race", func(p *mtc.MigPlan) {
			pvs := append([]mtc.PV{fixturePV("pv-aaa", "gp2-csi", "shop", "cache", []string{"skip", "copy"}, fs,
				nil, mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "filesystem"})}, p.Spec.PersistentVolumes...)
			p.Spec.PersistentVolumes = pvs
			pvByName(p, pvNFS).Capacity = resource.MustParse("20Gi")
		})
	}}
	res, err := Set(e.ctx, ri, "race", Request{Selector: Selector{PVs: []string{pvNFS}}, Change: Change{Action: "move"}})
	if err != nil || raceErr != nil {
		t.Fatalf("set: %v; controller: %v", err, raceErr)
	}
	if res.Attempts != 2 {
		t.Fatalf("attempts = %d, want 2: the patch computed before the controller's write must be refused once", res.Attempts)
	}
	after := e.get(t, "race")
	if len(after.Spec.PersistentVolumes) != 5 || after.Spec.PersistentVolumes[0].Name != "pv-aaa" {
		t.Fatalf("the controller's new volume was lost: %+v", after.Spec.PersistentVolumes)
	}
	nfs := pvByName(after, pvNFS)
	if nfs.Selection.Action != "move" || nfs.Capacity.String() != "20Gi" {
		t.Fatalf("pv-nfs = %+v: want our action and the controller's capacity", nfs)
	}
	if a := pvByName(after, "pv-aaa").Selection.Action; a != "copy" {
		t.Fatalf("the volume now at pv-nfs's old index was changed: action %s", a)
	}
	if a := pvByName(after, pvDB).Selection.Action; a != "copy" {
		t.Fatalf("pv-db was changed: action %s", a)
	}
}

func (e *apiEnv) testDryRun(t *testing.T) {
	before := e.create(t, fixturePlan("dry-run"))
	for _, dry := range []DryRun{DryRunClient, DryRunServer} {
		res, err := Set(e.ctx, e.plans, "dry-run", Request{
			Selector: Selector{PVs: []string{pvNFS}}, Change: Change{Action: "move"}, DryRun: dry,
		})
		if err != nil {
			t.Fatalf("dry run %d: %v", dry, err)
		}
		if len(res.Changed) != 1 || pvByName(res.Plan, pvNFS).Selection.Action != "move" {
			t.Fatalf("dry run %d result = %+v", dry, res)
		}
		after := e.get(t, "dry-run")
		if after.ResourceVersion != before.ResourceVersion || pvByName(after, pvNFS).Selection.Action != "copy" {
			t.Fatalf("dry run %d changed the plan", dry)
		}
	}
	_, err := Set(e.ctx, e.plans, "dry-run", Request{Selector: Selector{PVs: []string{pvDB}}, Change: Change{Action: "move"}, DryRun: DryRunServer})
	if err == nil || !strings.Contains(err.Error(), "cannot move") {
		t.Fatalf("a dry run must refuse what a real run refuses: %v", err)
	}
}

// testDefaults plays plan create: the plan is created without volumes, the
// controller discovers them a moment later, and the defaults are applied
// once WaitDiscovered sees PvsDiscovered.
func (e *apiEnv) testDefaults(t *testing.T) {
	p := fixturePlan("defaults")
	p.Spec.PersistentVolumes, p.Status = nil, mtc.MigPlanStatus{}
	e.create(t, p)
	discovery := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		discovery <- e.controllerWrite("defaults", func(p *mtc.MigPlan) {
			full := fixturePlan("defaults")
			p.Spec.PersistentVolumes, p.Status = full.Spec.PersistentVolumes, full.Status
		})
	}()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if _, err := WaitDiscovered(ctx, e.plans, "defaults", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := <-discovery; err != nil {
		t.Fatal(err)
	}
	res, err := ApplyDefaults(e.ctx, e.plans, "defaults", Defaults{Action: "move", CopyMethod: "snapshot", StorageClass: "gp3-csi"})
	if err != nil {
		t.Fatal(err)
	}
	after := e.get(t, "defaults")
	want := map[string]string{
		pvDB:   "copy/snapshot/gp3-csi",
		pvHost: "skip//",
		pvNFS:  "move/filesystem/cephfs",
		pvRaw:  "copy/snapshot/gp3-csi",
	}
	for _, pv := range after.Spec.PersistentVolumes {
		s := pv.Selection
		if got := s.Action + "/" + s.CopyMethod + "/" + s.StorageClass; got != want[pv.Name] {
			t.Errorf("%s = %s, want %s", pv.Name, got, want[pv.Name])
		}
	}
	if len(res.Skipped) != 3 || len(res.Changed) != 3 {
		t.Errorf("changed %d, skipped %v; want 3 changed and the move skipped for pv-db, pv-host, pv-raw", len(res.Changed), res.Skipped)
	}

	_, err = ApplyDefaults(e.ctx, e.plans, "defaults", Defaults{StorageClass: "gold"})
	if err == nil || !strings.Contains(err.Error(), "no defaults were applied") {
		t.Fatalf("unknown default class: err = %v", err)
	}

	t.Run("times out with the reason", func(t *testing.T) {
		p := fixturePlan("never-discovered")
		p.Spec.PersistentVolumes, p.Status = nil, mtc.MigPlanStatus{}
		e.create(t, p)
		ctx, cancel := context.WithTimeout(e.ctx, 300*time.Millisecond)
		defer cancel()
		_, err := WaitDiscovered(ctx, e.plans, "never-discovered", 50*time.Millisecond)
		if !errors.Is(err, ErrNotDiscovered) || !strings.Contains(err.Error(), "has not reconciled the plan yet") {
			t.Fatalf("err = %v", err)
		}
	})
}

func (e *apiEnv) testNotWritable(t *testing.T) {
	closed := fixturePlan("closed")
	closed.Spec.Closed = true
	e.create(t, closed)
	suspended := fixturePlan("suspended")
	suspended.Status.Conditions = append(suspended.Status.Conditions, cond(mtc.ConditionSuspended, mtc.CategoryAdvisory, "suspended"))
	e.create(t, suspended)
	for name, want := range map[string]string{"closed": "is closed", "suspended": "is suspended"} {
		_, err := Set(e.ctx, e.plans, name, Request{Selector: Selector{All: true}, Change: Change{Action: "skip"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}
