package volumes

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// The fixture is an application with one NFS volume (which MTC lets you move
// or copy), one CSI block-storage volume in Filesystem mode (copy or skip),
// one raw Block-mode volume, and one hostPath volume (skip only), with
// destination storage classes gp3-csi (default), cephfs and legacy (which
// reports no access modes).
const (
	pvNFS   = "pv-nfs"
	pvDB    = "pv-db"
	pvRaw   = "pv-raw"
	pvHost  = "pv-host"
	allCopy = "filesystem,block,snapshot"
)

var (
	rwo = corev1.ReadWriteOnce
	rwx = corev1.ReadWriteMany
	fs  = corev1.PersistentVolumeFilesystem
	blk = corev1.PersistentVolumeBlock
)

func fixturePV(name, sc, ns, pvc string, actions []string, vm corev1.PersistentVolumeMode,
	am []corev1.PersistentVolumeAccessMode, sel mtc.Selection) mtc.PV {
	return mtc.PV{
		Name: name, StorageClass: sc, Capacity: resource.MustParse("10Gi"),
		Supported: mtc.Supported{Actions: actions, CopyMethods: []string{"filesystem", "block", "snapshot"}},
		Selection: sel,
		PVC:       mtc.PVC{Namespace: ns, Name: pvc, AccessModes: am, VolumeMode: vm},
	}
}

func fixturePVs() []mtc.PV {
	return []mtc.PV{
		fixturePV(pvDB, "gp2-csi", "shop", "db", []string{"skip", "copy"}, fs, []corev1.PersistentVolumeAccessMode{rwo},
			mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "filesystem"}),
		fixturePV(pvHost, "", "shop", "scratch", []string{"skip"}, fs, []corev1.PersistentVolumeAccessMode{rwo},
			mtc.Selection{Action: "skip"}),
		fixturePV(pvNFS, "nfs", "shop", "data:data-new", []string{"skip", "copy", "move"}, fs, []corev1.PersistentVolumeAccessMode{rwx},
			mtc.Selection{Action: "copy", StorageClass: "cephfs", CopyMethod: "filesystem"}),
		fixturePV(pvRaw, "gp2-csi", "shop", "raw", []string{"skip", "copy"}, blk, []corev1.PersistentVolumeAccessMode{rwo},
			mtc.Selection{Action: "copy", StorageClass: "gp3-csi", CopyMethod: "block"}),
	}
}

func destClasses() []mtc.StorageClass {
	return []mtc.StorageClass{
		{Name: "gp3-csi", Provisioner: "ebs.csi.aws.com", Default: true, VolumeAccessModes: []mtc.VolumeModeAccessMode{
			{VolumeMode: fs, AccessModes: []corev1.PersistentVolumeAccessMode{rwo}},
			{VolumeMode: blk, AccessModes: []corev1.PersistentVolumeAccessMode{rwo, rwx}},
		}},
		{Name: "cephfs", Provisioner: "openshift-storage.cephfs.csi.ceph.com", VolumeAccessModes: []mtc.VolumeModeAccessMode{
			{VolumeMode: fs, AccessModes: []corev1.PersistentVolumeAccessMode{rwx, rwo}},
		}},
		{Name: "legacy", Provisioner: "kubernetes.io/no-provisioner"},
	}
}

func cond(typ, category, msg string) mtc.Condition {
	return mtc.Condition{Type: typ, Status: mtc.ConditionTrue, Category: category, Message: msg,
		LastTransitionTime: metav1.Now()}
}

// fixturePlan is a discovered plan migrating namespace shop to shop-new.
func fixturePlan(name string) *mtc.MigPlan {
	return &mtc.MigPlan{
		TypeMeta:   metav1.TypeMeta{APIVersion: "migration.openshift.io/v1alpha1", Kind: "MigPlan"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "openshift-migration"},
		Spec: mtc.MigPlanSpec{
			Namespaces:        []string{"shop:shop-new"},
			PersistentVolumes: fixturePVs(),
		},
		Status: mtc.MigPlanStatus{
			Conditions: mtc.Conditions{
				cond(mtc.ConditionPvsDiscovered, mtc.CategoryRequired, "The `persistentVolumes` list has been updated with discovered PVs."),
			},
			DestStorageClasses: destClasses(),
		},
	}
}

func pvByName(p *mtc.MigPlan, name string) *mtc.PV {
	for i := range p.Spec.PersistentVolumes {
		if p.Spec.PersistentVolumes[i].Name == name {
			return &p.Spec.PersistentVolumes[i]
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
