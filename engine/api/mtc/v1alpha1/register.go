package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the API group of every MTC custom resource.
const GroupName = "migration.openshift.io"

// Version is the only served version of the MTC API.
const Version = "v1alpha1"

// SchemeGroupVersion is the group/version of the MTC kinds in this package.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: Version}

// Kind names, useful for GVKs, correlation labels and messages.
const (
	KindMigCluster                    = "MigCluster"
	KindMigStorage                    = "MigStorage"
	KindMigPlan                       = "MigPlan"
	KindMigMigration                  = "MigMigration"
	KindMigHook                       = "MigHook"
	KindMigAnalytic                   = "MigAnalytic"
	KindDirectVolumeMigration         = "DirectVolumeMigration"
	KindDirectVolumeMigrationProgress = "DirectVolumeMigrationProgress"
	KindDirectImageMigration          = "DirectImageMigration"
	KindDirectImageStreamMigration    = "DirectImageStreamMigration"
	KindMigrationController           = "MigrationController"
)

// Resource returns the group-qualified resource for a plural name
// (e.g. "migplans"), as used in API errors and RBAC rules.
func Resource(plural string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(plural).GroupResource()
}

// AddToScheme registers every MTC kind and its list with s. It is a plain
// function (no init-time wiring) so callers build their own schemes.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(SchemeGroupVersion,
		&MigCluster{}, &MigClusterList{},
		&MigStorage{}, &MigStorageList{},
		&MigPlan{}, &MigPlanList{},
		&MigMigration{}, &MigMigrationList{},
		&MigHook{}, &MigHookList{},
		&MigAnalytic{}, &MigAnalyticList{},
		&DirectVolumeMigration{}, &DirectVolumeMigrationList{},
		&DirectVolumeMigrationProgress{}, &DirectVolumeMigrationProgressList{},
		&DirectImageMigration{}, &DirectImageMigrationList{},
		&DirectImageStreamMigration{}, &DirectImageStreamMigrationList{},
		&MigrationController{}, &MigrationControllerList{},
	)
	metav1.AddToGroupVersion(s, SchemeGroupVersion)
	return nil
}
