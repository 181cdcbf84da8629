package volumes

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Claim is the PVC bound to a discovered PV, with the namespace and name it
// gets on the destination (from the plan's namespace mapping and the PVC's
// "src:dest" name).
type Claim struct {
	Namespace            string                              `json:"namespace"`
	Name                 string                              `json:"name"`
	DestinationNamespace string                              `json:"destinationNamespace"`
	DestinationName      string                              `json:"destinationName"`
	AccessModes          []corev1.PersistentVolumeAccessMode `json:"accessModes,omitempty"`
	// VolumeMode is Filesystem or Block (Filesystem when MTC left it empty).
	VolumeMode corev1.PersistentVolumeMode `json:"volumeMode"`
	OwnerType  mtc.OwnerType               `json:"ownerType,omitempty"`
}

// String is "namespace/name" on the source, the form --pvc takes.
func (c Claim) String() string { return c.Namespace + "/" + c.Name }

// Mapping is "ns/name", or "ns/name -> dest-ns/dest-name" when the PVC is
// renamed or lands in another namespace.
func (c Claim) Mapping() string {
	if c.DestinationNamespace == c.Namespace && c.DestinationName == c.Name {
		return c.String()
	}
	return c.String() + " -> " + c.DestinationNamespace + "/" + c.DestinationName
}

// Volume is one discovered PV as users choose for it.
type Volume struct {
	// PV is the persistent volume's name, the key MTC identifies items by.
	PV  string `json:"pv"`
	PVC Claim  `json:"pvc"`
	// Capacity and ProposedCapacity are empty when unknown; the proposed
	// capacity comes from MigAnalytic's PV usage analysis.
	Capacity          string        `json:"capacity,omitempty"`
	ProposedCapacity  string        `json:"proposedCapacity,omitempty"`
	CapacityConfirmed bool          `json:"capacityConfirmed,omitempty"`
	StorageClass      string        `json:"storageClass,omitempty"`
	Supported         mtc.Supported `json:"supported"`
	Selection         mtc.Selection `json:"selection"`
	// Conditions are the plan's Warn/Error conditions that name this volume.
	Conditions []mtc.Condition `json:"conditions,omitempty"`
}

// Listing is what `plan volumes` shows.
type Listing struct {
	Plan      string `json:"plan"`
	Namespace string `json:"namespace"`
	// Discovered is whether the controller has discovered the plan's PVs
	// (condition PvsDiscovered). When false, NotDiscovered says why.
	Discovered    bool          `json:"discovered"`
	NotDiscovered *Undiscovered `json:"notDiscovered,omitempty"`
	Volumes       []Volume      `json:"volumes"`
	// Conditions are volume conditions that name none of the listed volumes
	// (PvLimitExceeded, NfsNotAccessible naming NFS servers, ...).
	Conditions []mtc.Condition `json:"conditions,omitempty"`
	// DestinationStorageClasses are what a copied volume can land on.
	DestinationStorageClasses []mtc.StorageClass `json:"destinationStorageClasses,omitempty"`
}

// List reads the plan and lists its volumes.
func List(ctx context.Context, ri dynamic.ResourceInterface, plan string) (*Listing, error) {
	p, err := kube.Get[mtc.MigPlan](ctx, ri, plan)
	if err != nil {
		return nil, fmt.Errorf("read MigPlan %s: %w", plan, err)
	}
	return Inspect(p), nil
}

// Inspect lists the volumes of p, each with the conditions that concern it.
func Inspect(p *mtc.MigPlan) *Listing {
	l := &Listing{
		Plan: p.Name, Namespace: p.Namespace,
		Discovered:                discovered(p),
		Volumes:                   make([]Volume, 0, len(p.Spec.PersistentVolumes)),
		DestinationStorageClasses: p.Status.DestStorageClasses,
	}
	if !l.Discovered {
		l.NotDiscovered = Explain(p)
	}
	nsMap := namespaceMap(p)
	for i := range p.Spec.PersistentVolumes {
		l.Volumes = append(l.Volumes, volumeOf(&p.Spec.PersistentVolumes[i], nsMap))
	}
	l.Conditions = attachConditions(p.Status.Conditions, l.Volumes)
	return l
}

func volumeOf(pv *mtc.PV, nsMap map[string]string) Volume {
	return Volume{
		PV:                pv.Name,
		PVC:               claimOf(pv.PVC, nsMap),
		Capacity:          quantity(pv.Capacity),
		ProposedCapacity:  quantity(pv.ProposedCapacity),
		CapacityConfirmed: pv.CapacityConfirmed,
		StorageClass:      pv.StorageClass,
		Supported:         pv.Supported,
		Selection:         pv.Selection,
	}
}

func claimOf(pvc mtc.PVC, nsMap map[string]string) Claim {
	c := Claim{
		Namespace: pvc.Namespace, Name: pvc.Name,
		DestinationNamespace: pvc.Namespace, DestinationName: pvc.Name,
		AccessModes: pvc.AccessModes, VolumeMode: volumeMode(pvc), OwnerType: pvc.OwnerType,
	}
	if m, err := pvc.NameMapping(); err == nil {
		c.Name, c.DestinationName = m.Source, m.Destination
	}
	if d, ok := nsMap[pvc.Namespace]; ok {
		c.DestinationNamespace = d
	}
	return c
}

// volumeMode is the PVC's volume mode; MTC treats an empty one as
// Filesystem, as Kubernetes does.
func volumeMode(pvc mtc.PVC) corev1.PersistentVolumeMode {
	if pvc.VolumeMode == "" {
		return corev1.PersistentVolumeFilesystem
	}
	return pvc.VolumeMode
}

// namespaceMap maps each source namespace of the plan to its destination.
func namespaceMap(p *mtc.MigPlan) map[string]string {
	out := map[string]string{}
	for _, e := range p.Spec.Namespaces {
		if m, err := mtc.ParseNameMapping(e); err == nil {
			out[m.Source] = m.Destination
		}
	}
	return out
}

func quantity(q resource.Quantity) string {
	if q.IsZero() {
		return ""
	}
	return q.String()
}

// discovered reports whether the controller has run PV discovery.
func discovered(p *mtc.MigPlan) bool {
	return p.Status.Conditions.HasCondition(mtc.ConditionPvsDiscovered)
}
