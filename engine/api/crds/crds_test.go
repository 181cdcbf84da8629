package crds

import (
	"context"
	"reflect"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
)

// want describes what a CRD must look like, per the MTC / Karmada / Velero
// fact sheets.
type want struct {
	kind       string
	shortNames []string
	namespaced bool
	status     bool
	versions   []string
	columns    []string // printer column names, in order (nil: not checked)
}

var expected = map[string]want{
	// MTC: no status subresource except MigrationController.
	"migclusters.migration.openshift.io":                     {kind: "MigCluster", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "URL", "Host", "Age"}},
	"migstorages.migration.openshift.io":                     {kind: "MigStorage", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "BackupStorageProvider", "VolumeSnapshotProvider", "Age"}},
	"migplans.migration.openshift.io":                        {kind: "MigPlan", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "Source", "Target", "Storage", "Age"}},
	"migmigrations.migration.openshift.io":                   {kind: "MigMigration", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "Plan", "Stage", "Rollback", "Itinerary", "Phase", "Age"}},
	"mighooks.migration.openshift.io":                        {kind: "MigHook", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "Image", "TargetCluster", "Age"}},
	"miganalytics.migration.openshift.io":                    {kind: "MigAnalytic", namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Ready", "Plan", "Progress", "Resources", "Images", "ImageSize", "PVs", "PVCapacity", "Age"}},
	"directvolumemigrations.migration.openshift.io":          {kind: "DirectVolumeMigration", shortNames: []string{"dvm"}, namespaced: true, versions: []string{"v1alpha1"}, columns: []string{}},
	"directvolumemigrationprogresses.migration.openshift.io": {kind: "DirectVolumeMigrationProgress", shortNames: []string{"dvmp"}, namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"Cluster", "Pod Name", "Pod Namespace", "Progress Percent", "Transfer Rate", "Age"}},
	"directimagemigrations.migration.openshift.io":           {kind: "DirectImageMigration", shortNames: []string{"dim"}, namespaced: true, versions: []string{"v1alpha1"}, columns: []string{}},
	"directimagestreammigrations.migration.openshift.io":     {kind: "DirectImageStreamMigration", shortNames: []string{"dism"}, namespaced: true, versions: []string{"v1alpha1"}, columns: []string{}},
	"migrationcontrollers.migration.openshift.io":            {kind: "MigrationController", namespaced: true, status: true, versions: []string{"v1alpha1"}},

	// Velero (fork-like: no status subresource).
	"backups.velero.io":                 {kind: "Backup", namespaced: true, versions: []string{"v1"}},
	"restores.velero.io":                {kind: "Restore", namespaced: true, versions: []string{"v1"}},
	"schedules.velero.io":               {kind: "Schedule", namespaced: true, versions: []string{"v1"}},
	"podvolumebackups.velero.io":        {kind: "PodVolumeBackup", namespaced: true, versions: []string{"v1"}},
	"podvolumerestores.velero.io":       {kind: "PodVolumeRestore", namespaced: true, versions: []string{"v1"}},
	"backupstoragelocations.velero.io":  {kind: "BackupStorageLocation", shortNames: []string{"bsl"}, namespaced: true, versions: []string{"v1"}},
	"volumesnapshotlocations.velero.io": {kind: "VolumeSnapshotLocation", shortNames: []string{"vsl"}, namespaced: true, versions: []string{"v1"}},
	"downloadrequests.velero.io":        {kind: "DownloadRequest", namespaced: true, versions: []string{"v1"}},
	"deletebackuprequests.velero.io":    {kind: "DeleteBackupRequest", namespaced: true, versions: []string{"v1"}},
	"serverstatusrequests.velero.io":    {kind: "ServerStatusRequest", shortNames: []string{"ssr"}, namespaced: true, versions: []string{"v1"}},
	"backuprepositories.velero.io":      {kind: "BackupRepository", namespaced: true, versions: []string{"v1"}},

	// Karmada: RB/CRB/Work/Cluster have status; PP/CPP do not.
	"propagationpolicies.policy.karmada.io":        {kind: "PropagationPolicy", shortNames: []string{"pp"}, namespaced: true, versions: []string{"v1alpha1"}, columns: []string{"CONFLICT-RESOLUTION", "PRIORITY", "AGE"}},
	"clusterpropagationpolicies.policy.karmada.io": {kind: "ClusterPropagationPolicy", shortNames: []string{"cpp"}, versions: []string{"v1alpha1"}, columns: []string{"CONFLICT-RESOLUTION", "PRIORITY", "AGE"}},
	"resourcebindings.work.karmada.io":             {kind: "ResourceBinding", shortNames: []string{"rb"}, namespaced: true, status: true, versions: []string{"v1alpha2"}, columns: []string{"SCHEDULED", "FULLYAPPLIED", "AGE"}},
	"clusterresourcebindings.work.karmada.io":      {kind: "ClusterResourceBinding", shortNames: []string{"crb"}, status: true, versions: []string{"v1alpha2"}, columns: []string{"SCHEDULED", "FULLYAPPLIED", "AGE"}},
	"works.work.karmada.io":                        {kind: "Work", shortNames: []string{"wk"}, namespaced: true, status: true, versions: []string{"v1alpha1"}, columns: []string{"WORKLOAD-KIND", "APPLIED", "AGE"}},
	"clusters.cluster.karmada.io":                  {kind: "Cluster", status: true, versions: []string{"v1alpha1"}},

	// OpenShift.
	"routes.route.openshift.io":           {kind: "Route", namespaced: true, status: true, versions: []string{"v1"}},
	"deploymentconfigs.apps.openshift.io": {kind: "DeploymentConfig", shortNames: []string{"dc"}, namespaced: true, status: true, versions: []string{"v1"}},
}

func TestAllCRDs(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatalf("All(): %v", err)
	}
	seen := map[string]bool{}
	for _, crd := range all {
		t.Run(crd.Name, func(t *testing.T) {
			if seen[crd.Name] {
				t.Fatalf("duplicate CRD %s", crd.Name)
			}
			seen[crd.Name] = true
			w, ok := expected[crd.Name]
			if !ok {
				t.Skipf("no expectations for %s", crd.Name)
			}
			checkCRD(t, crd, w)
			validate(t, crd)
		})
	}
	for name := range expected {
		if !seen[name] {
			t.Errorf("CRD %s missing from All()", name)
		}
	}
}

func checkCRD(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition, w want) {
	t.Helper()
	if got := crd.Spec.Names.Plural + "." + crd.Spec.Group; got != crd.Name {
		t.Errorf("name %s does not match plural.group %s", crd.Name, got)
	}
	if crd.Spec.Names.Kind != w.kind {
		t.Errorf("kind = %s, want %s", crd.Spec.Names.Kind, w.kind)
	}
	if !reflect.DeepEqual(nonNil(crd.Spec.Names.ShortNames), nonNil(w.shortNames)) {
		t.Errorf("shortNames = %v, want %v", crd.Spec.Names.ShortNames, w.shortNames)
	}
	wantScope := apiextensionsv1.ClusterScoped
	if w.namespaced {
		wantScope = apiextensionsv1.NamespaceScoped
	}
	if crd.Spec.Scope != wantScope {
		t.Errorf("scope = %s, want %s", crd.Spec.Scope, wantScope)
	}
	if crd.Spec.Conversion != nil && crd.Spec.Conversion.Strategy == apiextensionsv1.WebhookConverter {
		t.Error("test CRDs must not use a conversion webhook")
	}
	var versions []string
	storage := 0
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		versions = append(versions, v.Name)
		if v.Storage {
			storage++
		}
		hasStatus := v.Subresources != nil && v.Subresources.Status != nil
		if hasStatus != w.status {
			t.Errorf("version %s: status subresource = %v, want %v", v.Name, hasStatus, w.status)
		}
		if w.columns != nil {
			var cols []string
			for _, c := range v.AdditionalPrinterColumns {
				cols = append(cols, c.Name)
			}
			if !reflect.DeepEqual(nonNil(cols), w.columns) {
				t.Errorf("version %s: printer columns = %v, want %v", v.Name, cols, w.columns)
			}
		}
	}
	if !reflect.DeepEqual(versions, w.versions) || storage != 1 {
		t.Errorf("served versions = %v (storage %d), want %v with one storage version", versions, storage, w.versions)
	}
}

// validate runs the API server's own CRD validation (after defaulting), so a
// CRD that a kube-apiserver would reject fails here first.
func validate(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	for _, e := range validationErrors(t, crd) {
		t.Errorf("invalid CRD: %s", e)
	}
}

func validationErrors(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) []string {
	t.Helper()
	v1 := crd.DeepCopy()
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(v1)
	internal := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, internal, nil); err != nil {
		t.Fatalf("convert: %v", err)
	}
	var out []string
	for _, e := range validation.ValidateCustomResourceDefinition(context.Background(), internal) {
		out = append(out, e.Error())
	}
	return out
}

// TestValidateRejectsBrokenCRD proves the validation above has teeth.
func TestValidateRejectsBrokenCRD(t *testing.T) {
	crds, err := MTC()
	if err != nil {
		t.Fatal(err)
	}
	broken := crds[0].DeepCopy()
	schema := broken.Spec.Versions[0].Schema.OpenAPIV3Schema
	spec := schema.Properties["spec"]
	spec.Type = "" // not structural: every node needs a type
	schema.Properties["spec"] = spec
	if errs := validationErrors(t, broken); len(errs) == 0 {
		t.Error("a non-structural schema passed validation")
	}
}

func TestVeleroLooksLikeMTCFork(t *testing.T) {
	crds, err := Velero()
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) == 0 {
		t.Fatal("no velero CRDs")
	}
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if v.Subresources != nil && v.Subresources.Status != nil {
				t.Errorf("%s/%s keeps the status subresource", crd.Name, v.Name)
			}
			status := v.Schema.OpenAPIV3Schema.Properties["status"]
			if status.XPreserveUnknownFields == nil || !*status.XPreserveUnknownFields {
				t.Errorf("%s/%s status does not preserve unknown fields", crd.Name, v.Name)
			}
		}
	}
	// Fresh copies: changing one result must not leak into the next.
	crds[0].Name = "changed"
	again, err := Velero()
	if err != nil || again[0].Name == "changed" {
		t.Error("Velero() must return independent copies")
	}
}

func TestGroupsAreDisjoint(t *testing.T) {
	sets := map[string]func() ([]*apiextensionsv1.CustomResourceDefinition, error){
		"MTC": MTC, "Velero": Velero, "Karmada": Karmada, "OpenShift": OpenShift,
	}
	groups := map[string]map[string]bool{
		"MTC":       {"migration.openshift.io": true},
		"Velero":    {"velero.io": true},
		"Karmada":   {"policy.karmada.io": true, "work.karmada.io": true, "cluster.karmada.io": true},
		"OpenShift": {"route.openshift.io": true, "apps.openshift.io": true},
	}
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			crds, err := set()
			if err != nil {
				t.Fatal(err)
			}
			for _, crd := range crds {
				if !groups[name][crd.Spec.Group] {
					t.Errorf("%s() returned %s of group %s", name, crd.Name, crd.Spec.Group)
				}
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
