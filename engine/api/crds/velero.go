package crds

import (
	velerocrds "github.com/vmware-tanzu/velero/config/crd/v1/crds"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// Velero returns the velero.io/v1 CRDs of the pinned upstream velero module,
// modified to behave like MTC's velero fork (konveyor/velero, as deployed by
// MTC/OADP): the status subresource is removed, because MTC's controller and
// tests write Backup/Restore status together with spec, and the status
// schema is marked x-kubernetes-preserve-unknown-fields: true, because the
// fork adds status fields that upstream lacks (e.g. Restore
// podVolumeRestoreErrors / podVolumeRestoreVerifyErrors, PodVolumeRestore
// errors, verifyErrors and resticPod) and the API server would otherwise
// prune them. The objects are deep copies; callers may modify them.
//
// The velero package decodes its embedded CRDs at program start (and
// registers apiextensions types into client-go's global scheme); that is
// upstream behaviour, not wiring done here.
func Velero() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	out := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(velerocrds.CRDs))
	for _, upstream := range velerocrds.CRDs {
		crd := upstream.DeepCopy()
		for i := range crd.Spec.Versions {
			forkify(&crd.Spec.Versions[i])
		}
		out = append(out, crd)
	}
	return out, nil
}

// forkify applies the MTC-fork differences to one served version.
func forkify(v *apiextensionsv1.CustomResourceDefinitionVersion) {
	if v.Subresources != nil {
		v.Subresources.Status = nil
		if v.Subresources.Scale == nil {
			v.Subresources = nil
		}
	}
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		return
	}
	root := v.Schema.OpenAPIV3Schema
	status, ok := root.Properties["status"]
	if !ok {
		status = apiextensionsv1.JSONSchemaProps{Type: "object"}
	}
	preserve := true
	status.XPreserveUnknownFields = &preserve
	if root.Properties == nil {
		root.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
	}
	root.Properties["status"] = status
}
