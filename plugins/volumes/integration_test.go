package volumes

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// shopPlan is the README's application as the MTC controller leaves it after
// discovery: an NFS volume (shop/data, ReadWriteMany; MTC offers copy and
// move) and a block-storage volume (shop/db on the EBS CSI driver; copy
// only). The controller's default for the NFS volume is a copy onto the
// default class gp3-csi, which offers no ReadWriteMany for filesystems,
// hence its PvWarnAccessModeUnavailable warning.
const shopPlan = `
apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata:
  name: shop
  namespace: openshift-migration
spec:
  namespaces: [shop]
  srcMigClusterRef: {name: source, namespace: openshift-migration}
  destMigClusterRef: {name: host, namespace: openshift-migration}
  migStorageRef: {name: s3, namespace: openshift-migration}
  persistentVolumes:
  - name: pv-db
    capacity: 20Gi
    storageClass: gp2-csi
    supported: {actions: [skip, copy], copyMethods: [filesystem, block, snapshot]}
    selection: {action: copy, storageClass: gp3-csi, copyMethod: filesystem}
    pvc: {namespace: shop, name: db, accessModes: [ReadWriteOnce], volumeMode: Filesystem, ownerType: StatefulSet}
  - name: pv-nfs-data
    capacity: 100Gi
    proposedCapacity: 120Gi
    storageClass: nfs
    supported: {actions: [skip, copy, move], copyMethods: [filesystem, block, snapshot]}
    selection: {action: copy, storageClass: gp3-csi, copyMethod: filesystem}
    pvc: {namespace: shop, name: data, accessModes: [ReadWriteMany], volumeMode: Filesystem, ownerType: Deployment}
status:
  conditions:
  - {type: Ready, status: "True", category: Required, message: The migration plan is ready., lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: PvsDiscovered, status: "True", category: Required, reason: Done, message: The persistentVolumes list has been updated with discovered PVs., lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: PvWarnAccessModeUnavailable, status: "True", category: Warn, message: "AccessMode for PVC in persistentVolumes [pv-nfs-data] unavailable in chosen storage class.", lastTransitionTime: "2025-01-01T00:00:00Z"}
  destStorageClasses:
  - name: gp3-csi
    provisioner: ebs.csi.aws.com
    default: true
    volumeAccessModes:
    - {volumeMode: Filesystem, accessModes: [ReadWriteOnce]}
    - {volumeMode: Block, accessModes: [ReadWriteOnce, ReadWriteMany]}
  - name: efs-sc
    provisioner: efs.csi.aws.com
    volumeAccessModes:
    - {volumeMode: Filesystem, accessModes: [ReadWriteMany, ReadWriteOnce]}
`

// coldPlan has never been discovered: its source cluster is not Ready.
const coldPlan = `
apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata:
  name: cold
  namespace: openshift-migration
spec:
  namespaces: [shop]
status:
  conditions:
  - {type: SourceClusterNotReady, status: "True", category: Critical, message: "The referenced srcMigClusterRef does not have a Ready condition, subject: openshift-migration/source", lastTransitionTime: "2025-01-01T00:00:00Z"}
`

// freshPlan is a plan as plan create makes it, before the controller has
// reconciled it.
const freshPlan = `
apiVersion: migration.openshift.io/v1alpha1
kind: MigPlan
metadata:
  name: fresh
  namespace: openshift-migration
spec:
  namespaces: [shop]
`

func TestCommandsOnAPIServer(t *testing.T) {
	c := testenv.NewCluster(t, "volumes-cli")
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
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := testenv.WriteKubeconfig(kubeconfig, c); err != nil {
		t.Fatal(err)
	}
	plans := c.Dynamic().Resource(kube.MigPlans).Namespace(testenv.MigrationNamespace)
	for _, doc := range []string{shopPlan, coldPlan} {
		create(ctx, t, plans, doc)
	}
	mig := func(args ...string) result { return run(ctx, kubeconfig, args...) }

	t.Run("list", func(t *testing.T) {
		r := mig("shop")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		for _, want := range []string{
			"PVC", "SUPPORTS", "PROPOSED", "CONDITIONS",
			"shop/data", "pv-nfs-data", "100Gi", "skip,copy,move", "120Gi (unconfirmed)", "PvWarnAccessModeUnavailable",
			"shop/db", "pv-db", "skip,copy ",
			"Warn", "pv-nfs-data   AccessMode for PVC in persistentVolumes [pv-nfs-data] unavailable",
			"Destination storage classes:", "efs-sc", "RWX,RWO",
		} {
			if !strings.Contains(r.Out, want) {
				t.Errorf("output lacks %q:\n%s", want, r.Out)
			}
		}
		if wide := mig("shop", "-o", "wide"); !strings.Contains(wide.Out, "VOLUME MODE") || !strings.Contains(wide.Out, "StatefulSet") {
			t.Errorf("-o wide:\n%s", wide.Out)
		}
	})

	t.Run("list as json", func(t *testing.T) {
		l := listing(t, mig)
		if !l.Discovered || len(l.Volumes) != 2 || l.Volumes[1].PVC.String() != "shop/data" || len(l.Volumes[1].Conditions) != 1 {
			t.Fatalf("listing = %+v", l)
		}
	})

	t.Run("not discovered says why", func(t *testing.T) {
		r := mig("cold")
		if r.Code != 1 || !strings.Contains(r.Err, "has not discovered the plan's persistent volumes") ||
			!strings.Contains(r.Err, "Critical SourceClusterNotReady") {
			t.Fatalf("exit %d, stderr:\n%s", r.Code, r.Err)
		}
		r = mig("cold", "-o", "yaml")
		if r.Code != 1 || !strings.Contains(r.Out, "discovered: false") || !strings.Contains(r.Out, "SourceClusterNotReady") {
			t.Fatalf("-o yaml: exit %d, out:\n%s", r.Code, r.Out)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"--pvc", "shop/db", "--action", "move"}, "PV pv-db (PVC shop/db): cannot move: MTC offers move only for volumes both clusters can reach"},
			{[]string{"--pvc", "shop/data", "--storage-class", "gold"}, `storage class "gold" does not exist on the destination cluster (it has: gp3-csi (default), efs-sc)`},
			{[]string{"--pv", "pv-nfs-data", "--access-mode", "RWX"}, "storage class gp3-csi does not offer access mode ReadWriteMany for Filesystem volumes"},
			{[]string{"--pvc", "shop/data", "--action", "move", "--copy-method", "snapshot"}, "copy method snapshot applies only to copied volumes"},
			{[]string{"--pv", "pv-db", "--copy-method", "snapshot", "--verify"}, "snapshot copies are not verified"},
			{[]string{"--pv", "pv-gone", "--action", "skip"}, "has no PV pv-gone among its discovered volumes"},
			{[]string{"--all", "--action", "copy"}, "has not discovered"}, // on the cold plan, below
		}
		for _, tt := range tests {
			plan := "shop"
			if tt.want == "has not discovered" {
				plan = "cold"
			}
			r := mig(append([]string{"set", plan}, tt.args...)...)
			if r.Code != 1 || !strings.Contains(r.Err, tt.want) || !strings.Contains(r.Err, "error: ") {
				t.Errorf("%v: exit %d, stderr:\n%s\nwant %q", tt.args, r.Code, r.Err, tt.want)
			}
		}
		if l := listing(t, mig); l.Volumes[0].Selection.Action != "copy" || l.Volumes[1].Selection.Action != "copy" {
			t.Fatalf("a refused set changed the plan: %+v", l.Volumes)
		}
	})

	t.Run("dry run", func(t *testing.T) {
		for _, dry := range []string{"--dry-run", "--dry-run=server"} {
			r := mig("set", "shop", "--pvc", "shop/data", "--action", "move", dry, "-o", "yaml")
			if r.Code != 0 {
				t.Fatalf("%s: exit %d: %s", dry, r.Code, r.Err)
			}
			var p mtc.MigPlan
			if err := yaml.Unmarshal([]byte(r.Out), &p); err != nil {
				t.Fatal(err)
			}
			if p.Spec.PersistentVolumes[1].Selection.Action != "move" {
				t.Fatalf("%s: printed plan does not show the change:\n%s", dry, r.Out)
			}
		}
		r := mig("set", "shop", "--pvc", "shop/data", "--action", "move", "--dry-run")
		if !strings.Contains(r.Out, "copy -> move") || !strings.Contains(r.Out, "migplan.migration.openshift.io/shop patched (dry run)") {
			t.Fatalf("dry run output:\n%s", r.Out)
		}
		if l := listing(t, mig); l.Volumes[1].Selection.Action != "copy" {
			t.Fatal("a dry run changed the plan")
		}
	})

	t.Run("set", func(t *testing.T) {
		r := mig("set", "shop", "--pvc", "shop/data", "--action", "move")
		if r.Code != 0 || !strings.Contains(r.Out, "pv-nfs-data   shop/data   copy -> move") ||
			!strings.Contains(r.Out, "migplan.migration.openshift.io/shop patched\n") {
			t.Fatalf("exit %d\nout:\n%s\nerr:\n%s", r.Code, r.Out, r.Err)
		}
		r = mig("set", "shop", "--pvc", "shop/db", "--copy-method", "snapshot", "--storage-class", "gp3-csi")
		if r.Code != 0 || !strings.Contains(r.Err, "Warning: PV pv-db (PVC shop/db): snapshot copies go through Velero volume snapshots") {
			t.Fatalf("exit %d\nout:\n%s\nerr:\n%s", r.Code, r.Out, r.Err)
		}
		l := listing(t, mig)
		if s := l.Volumes[1].Selection; s.Action != "move" {
			t.Errorf("pv-nfs-data selection = %+v", s)
		}
		if s := l.Volumes[0].Selection; s.Action != "copy" || s.CopyMethod != "snapshot" || s.StorageClass != "gp3-csi" {
			t.Errorf("pv-db selection = %+v", s)
		}
		again := mig("set", "shop", "--pvc", "shop/data", "--action", "move")
		if again.Code != 0 || !strings.Contains(again.Out, "Already as asked: pv-nfs-data") || !strings.Contains(again.Out, "patched (no change)") {
			t.Fatalf("repeated set:\n%s%s", again.Out, again.Err)
		}
	})

	t.Run("defaults at create time", func(t *testing.T) { testCreateDefaults(ctx, t, plans) })

	t.Run("completion", func(t *testing.T) {
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"set", "shop", "--pvc", ""}, "shop/data"},
			{[]string{"set", "shop", "--storage-class", ""}, "efs-sc"},
			{[]string{"set", "shop", "--action", ""}, "move"},
			{[]string{""}, "cold"},
		}
		for _, tt := range tests {
			args := append([]string{"__complete", "plan", "volumes"}, tt.args...)
			if r := runRaw(ctx, kubeconfig, args...); !strings.Contains(r.Out, tt.want) {
				t.Errorf("%q completes to:\n%s\nwant %q", args, r.Out, tt.want)
			}
		}
	})
}

func create(ctx context.Context, t *testing.T, ri dynamic.ResourceInterface, doc string) {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	if _, err := ri.Create(ctx, u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func listing(t *testing.T, mig func(...string) result) *engvol.Listing {
	t.Helper()
	r := mig("shop", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Err)
	}
	var l engvol.Listing
	if err := json.Unmarshal([]byte(r.Out), &l); err != nil {
		t.Fatalf("%v:\n%s", err, r.Out)
	}
	return &l
}

// testCreateDefaults plays plan create with --default-action move
// --default-copy-method snapshot: the plan is created without volumes, the
// controller discovers them a moment later (a whole-object update, as MTC
// writes), and DefaultFlags.Apply applies what fits each volume.
func testCreateDefaults(ctx context.Context, t *testing.T, plans dynamic.ResourceInterface) {
	var d DefaultFlags
	cmd := &cobra.Command{Use: "create"}
	d.AddFlags(cmd)
	if err := cmd.ParseFlags([]string{"--default-action", "move", "--default-copy-method", "snapshot"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(false); err != nil {
		t.Fatal(err)
	}
	create(ctx, t, plans, freshPlan)
	discovered := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		discovered <- discover(ctx, plans, "fresh")
	}()
	var out bytes.Buffer
	if err := d.Apply(ctx, plans, "fresh", 30*time.Second, &out); err != nil {
		t.Fatal(err)
	}
	if err := <-discovered; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"default volume choices: 2 volume(s) of plan fresh changed",
		"pv-db (PVC shop/db): copy (snapshot) onto gp3-csi",
		"pv-nfs-data (PVC shop/data): move",
		"Warning: PV pv-db (PVC shop/db): default action not applied, the controller's choice stays: cannot move",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	p, err := kube.Get[mtc.MigPlan](ctx, plans, "fresh")
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Spec.PersistentVolumes[0].Selection; s.Action != "copy" || s.CopyMethod != "snapshot" {
		t.Errorf("pv-db = %+v", s)
	}
	if s := p.Spec.PersistentVolumes[1].Selection; s.Action != "move" || s.CopyMethod != "filesystem" {
		t.Errorf("pv-nfs-data = %+v: moved, and the copy method (which a move ignores) left alone", s)
	}
}

// discover writes what PV discovery would: shopPlan's volumes and status.
func discover(ctx context.Context, plans dynamic.ResourceInterface, name string) error {
	var shop unstructured.Unstructured
	if err := yaml.Unmarshal([]byte(shopPlan), &shop.Object); err != nil {
		return err
	}
	u, err := plans.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	pvs, _, _ := unstructured.NestedSlice(shop.Object, "spec", "persistentVolumes")
	if err := unstructured.SetNestedSlice(u.Object, pvs, "spec", "persistentVolumes"); err != nil {
		return err
	}
	u.Object["status"] = shop.Object["status"]
	_, err = plans.Update(ctx, u, metav1.UpdateOptions{})
	return err
}
