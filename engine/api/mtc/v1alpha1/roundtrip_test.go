package v1alpha1

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-mig/kubectl-mig/engine/api/internal/apitest"
)

// TestSamplesRoundTrip decodes every sample manifest strictly into its typed
// struct and checks that encoding it again loses nothing.
func TestSamplesRoundTrip(t *testing.T) {
	newObj := map[string]func() runtime.Object{
		KindMigCluster:                    func() runtime.Object { return &MigCluster{} },
		KindMigStorage:                    func() runtime.Object { return &MigStorage{} },
		KindMigPlan:                       func() runtime.Object { return &MigPlan{} },
		KindMigMigration:                  func() runtime.Object { return &MigMigration{} },
		KindMigHook:                       func() runtime.Object { return &MigHook{} },
		KindMigAnalytic:                   func() runtime.Object { return &MigAnalytic{} },
		KindDirectVolumeMigration:         func() runtime.Object { return &DirectVolumeMigration{} },
		KindDirectVolumeMigrationProgress: func() runtime.Object { return &DirectVolumeMigrationProgress{} },
		KindDirectImageMigration:          func() runtime.Object { return &DirectImageMigration{} },
		KindDirectImageStreamMigration:    func() runtime.Object { return &DirectImageStreamMigration{} },
		KindMigrationController:           func() runtime.Object { return &MigrationController{} },
	}
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			js := apitest.ReadJSON(t, f)
			kind := apitest.Kind(t, js)
			mk, ok := newObj[kind]
			if !ok {
				t.Fatalf("no typed struct for kind %q", kind)
			}
			seen[kind] = true
			apitest.RoundTrip(t, js, mk())
		})
	}
	for kind := range newObj {
		if !seen[kind] {
			t.Errorf("no sample manifest for %s in testdata", kind)
		}
	}
}

// TestSampleFieldsLandInStructs spot-checks that notable fields decode into
// the intended Go fields (not just that JSON survives).
func TestSampleFieldsLandInStructs(t *testing.T) {
	t.Run("migplan", func(t *testing.T) {
		var p MigPlan
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/migplan.yaml"), &p)
		if len(p.Spec.PersistentVolumes) != 2 || p.Spec.PersistentVolumes[0].Capacity.String() != "10Gi" {
			t.Fatalf("persistentVolumes = %+v", p.Spec.PersistentVolumes)
		}
		m, err := p.Spec.PersistentVolumes[0].PVC.NameMapping()
		if err != nil || m.Destination != "data-postgres-0-new" {
			t.Errorf("pvc name mapping = %+v, %v", m, err)
		}
		if !p.Status.Conditions.IsReady() || p.Status.Conditions.HasBlocker() {
			t.Errorf("plan should be ready without blockers: %+v", p.Status.Conditions)
		}
		if got := p.Spec.DestinationNamespaces(); len(got) != 2 || got[1] != "shop-db-new" {
			t.Errorf("DestinationNamespaces() = %v", got)
		}
	})
	t.Run("migmigration", func(t *testing.T) {
		var m MigMigration
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/migmigration.yaml"), &m)
		if got := m.Outcome(); got != OutcomeFailed {
			t.Errorf("Outcome() = %s, want Failed", got)
		}
		if st := m.Status.FailedStep(); st == nil || st.Name != StepRestore {
			t.Errorf("FailedStep() = %+v", st)
		}
		if c := m.Status.Conditions.Find(ConditionFailed); c == nil || c.Reason != PhaseFinalRestoreFailed {
			t.Errorf("Failed condition = %+v", c)
		}
	})
	t.Run("dvmp inline status", func(t *testing.T) {
		var p DirectVolumeMigrationProgress
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/directvolumemigrationprogress.yaml"), &p)
		if p.Status.PodName != "rsync-zyxwv" || p.Status.ExitCode == nil || *p.Status.ExitCode != 10 {
			t.Errorf("inline rsync pod status = %+v", p.Status.RsyncPodStatus)
		}
		if p.Status.ContainerElapsedTime == nil || p.Status.ContainerElapsedTime.Seconds() != 20 {
			t.Errorf("containerElapsedTime = %v", p.Status.ContainerElapsedTime)
		}
	})
	t.Run("migrationcontroller values", func(t *testing.T) {
		var mc MigrationController
		apitest.RoundTrip(t, apitest.ReadJSON(t, "testdata/migrationcontroller.yaml"), &mc)
		v, err := mc.Values()
		if err != nil {
			t.Fatal(err)
		}
		if v["restic_timeout"] != "1h" || v["migration_rsync_super_privileged"] != true {
			t.Errorf("Values() = %v", v)
		}
		v["restic_timeout"] = "3h"
		if err := mc.SetValues(v); err != nil {
			t.Fatal(err)
		}
		again, err := mc.Values()
		if err != nil || again["restic_timeout"] != "3h" {
			t.Errorf("after SetValues: %v, %v", again, err)
		}
	})
}
