package crds

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

//go:embed mtc/*.yaml karmada/*.yaml openshift/*.yaml
var manifests embed.FS

// MTC returns the migration.openshift.io CRDs (MigCluster, MigStorage,
// MigPlan, MigMigration, MigHook, MigAnalytic, DirectVolumeMigration,
// DirectVolumeMigrationProgress, DirectImageMigration,
// DirectImageStreamMigration, MigrationController).
func MTC() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return load("mtc")
}

// Karmada returns the policy.karmada.io, work.karmada.io and
// cluster.karmada.io CRDs.
func Karmada() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return load("karmada")
}

// OpenShift returns the route.openshift.io Route and the test-only
// apps.openshift.io DeploymentConfig CRDs.
func OpenShift() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return load("openshift")
}

// All returns the MTC, Velero, Karmada and OpenShift CRDs.
func All() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, set := range []func() ([]*apiextensionsv1.CustomResourceDefinition, error){MTC, Velero, Karmada, OpenShift} {
		crds, err := set()
		if err != nil {
			return nil, err
		}
		out = append(out, crds...)
	}
	return out, nil
}

// load decodes every manifest in dir, sorted by file name.
func load(dir string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(manifests, dir+"/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list embedded %s CRDs: %w", dir, err)
	}
	sort.Strings(names)
	out := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, name := range names {
		crd, err := decode(name)
		if err != nil {
			return nil, err
		}
		out = append(out, crd)
	}
	return out, nil
}

func decode(name string) (*apiextensionsv1.CustomResourceDefinition, error) {
	data, err := manifests.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read embedded CRD %s: %w", name, err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		return nil, fmt.Errorf("decode embedded CRD %s: %w", path.Base(name), err)
	}
	if crd.Kind != "CustomResourceDefinition" || crd.Name == "" {
		return nil, fmt.Errorf("embedded file %s is not a named CustomResourceDefinition", path.Base(name))
	}
	return crd, nil
}
