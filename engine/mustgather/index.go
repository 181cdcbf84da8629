package mustgather

// PlanIndex is migplans/<namespace>/<plan>.json: everything a bundle holds
// about one MigPlan, as references into the cluster trees. It lets a reader
// (or a person) go from a plan to its migrations, their Velero backups and
// restores, direct volume migrations, and the pods that ran for them, without
// any file being stored twice.
type PlanIndex struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Plan locates the MigPlan itself.
	Plan        ObjectRef       `json:"plan"`
	Source      PlanCluster     `json:"source"`
	Destination PlanCluster     `json:"destination"`
	Namespaces  []NamespacePair `json:"namespaces"`
	Migrations  []MigrationRef  `json:"migrations,omitempty"`
	// Pods are the migration helper pods (rsync, stunnel, stage, hooks)
	// found in the plan's namespaces on either cluster, with their logs.
	Pods []PodRef `json:"pods,omitempty"`
}

// PlanCluster ties a MigCluster named by the plan to its directory in the
// bundle (Cluster is empty when that cluster was not gathered).
type PlanCluster struct {
	MigCluster string `json:"migCluster"`
	Cluster    string `json:"cluster,omitempty"`
}

// NamespacePair is one entry of spec.namespaces ("src" or "src:dest").
type NamespacePair struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

// ObjectRef locates one object: the List file holding it (File, relative to
// the bundle root) and its identity inside that list.
type ObjectRef struct {
	Cluster   string `json:"cluster"`
	Group     string `json:"group"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	File      string `json:"file"`
}

// MigrationRef is one MigMigration of the plan and what it created.
type MigrationRef struct {
	ObjectRef
	Backups                []VeleroRef `json:"backups,omitempty"`
	Restores               []VeleroRef `json:"restores,omitempty"`
	DirectVolumeMigrations []DVMRef    `json:"directVolumeMigrations,omitempty"`
	DirectImageMigrations  []ObjectRef `json:"directImageMigrations,omitempty"`
}

// VeleroRef is a Backup or Restore with the files fetched for it through a
// DownloadRequest (empty when they could not be fetched; see errors.json).
type VeleroRef struct {
	ObjectRef
	Phase   string `json:"phase,omitempty"`
	Log     string `json:"log,omitempty"`
	Results string `json:"results,omitempty"`
}

// DVMRef is a DirectVolumeMigration and its progress objects.
type DVMRef struct {
	ObjectRef
	Progress []ObjectRef `json:"progress,omitempty"`
}

// PodRef is a pod with the log files written for it.
type PodRef struct {
	ObjectRef
	Logs []string `json:"logs,omitempty"`
}
