// Package rollback undoes a migration. Controller rollback creates a
// MigMigration with rollback: true (see engine/migration) and Verify checks
// the result. Manual rollback, for when the controller cannot do it, is
// planned as data first (PlanManual: what to delete, what to unquiesce,
// which leftovers to report) and then applied (Apply) with guarded patches
// that are recomputed from the live object, so an interrupted run can be
// repeated safely.
package rollback

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// MarkerAnnotation is set, in the same patch that unquiesces it, on every
// workload or PV the manual rollback restored; its value is the MigPlan UID.
// A rerun uses it to report what an earlier, interrupted run already did.
const MarkerAnnotation = "kubectl-mig.io/rolled-back-for-migplan"

// Side names which of the plan's clusters an action runs on.
type Side string

// Sides of a plan.
const (
	Source      Side = "source"
	Destination Side = "destination"
)

// Verb is what an action does.
type Verb string

// Action verbs.
const (
	// VerbDeleteStagePod deletes a stage pod MTC created.
	VerbDeleteStagePod Verb = "delete stage pod"
	// VerbReleasePod removes MTC's stage labels from an application pod it
	// reused as a stage pod (MTC's own cleanup does the same, and deleting
	// it would needlessly restart the application).
	VerbReleasePod Verb = "release application pod"
	// VerbUnquiesce restores a workload from MTC's preQuiesce* annotations.
	VerbUnquiesce Verb = "unquiesce"
	// VerbRestoreReclaimPolicy restores a PV's reclaim policy from
	// migration.openshift.io/orig-reclaim-policy.
	VerbRestoreReclaimPolicy Verb = "restore reclaim policy"
)

// State is where an action stands.
type State string

// Action states.
const (
	// StatePending: to be done.
	StatePending State = "pending"
	// StateDone: done by this run.
	StateDone State = "done"
	// StateAlreadyDone: an earlier run did it (MarkerAnnotation), or the
	// object already is as it should be.
	StateAlreadyDone State = "already done"
	// StateWouldDo: dry run; nothing was changed.
	StateWouldDo State = "would do (dry run)"
	// StateSkipped: offered but not requested (reclaim policies without
	// RestoreReclaimPolicy).
	StateSkipped State = "skipped"
	// StateFailed: see Error.
	StateFailed State = "failed"
)

// Action is one planned change to one object.
type Action struct {
	Side      Side   `json:"side"`
	Cluster   string `json:"cluster"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Verb      Verb   `json:"verb"`
	// Detail says what changes, e.g. "replicas 0 -> 3; remove preQuiesceReplicas".
	Detail string `json:"detail"`
	State  State  `json:"state"`
	Error  string `json:"error,omitempty"`

	gvr schema.GroupVersionResource
	uid types.UID
}

// Ref renders kind/name or namespace/kind/name.
func (a Action) Ref() string {
	if a.Namespace == "" {
		return a.Kind + "/" + a.Name
	}
	return a.Namespace + "/" + a.Kind + "/" + a.Name
}

// Leftover is an object the rollback leaves alone but reports.
type Leftover struct {
	Side      Side   `json:"side"`
	Cluster   string `json:"cluster"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Reason    string `json:"reason"`
}

// Plan is the manual rollback of one MigPlan: actions, in the order they
// are applied, and what is reported only.
type Plan struct {
	MigPlan     string    `json:"migPlan"`
	MigPlanUID  types.UID `json:"migPlanUID"`
	Source      string    `json:"sourceCluster"`
	Destination string    `json:"destinationCluster"`
	Actions     []Action  `json:"actions"`
	// Leftovers are DVM transfer resources (ConfigMaps, Secrets, rsync
	// pods, Services, Routes) MTC keeps after a failed direct volume
	// migration for debugging, and quiesced copies on the destination.
	Leftovers []Leftover `json:"leftovers,omitempty"`
	// Cleanup holds the commands that remove the leftovers, for the user to
	// run once debugging is done.
	Cleanup []string `json:"cleanup,omitempty"`
	// Notes are facts worth knowing (kinds not served, nothing to do, ...).
	Notes []string `json:"notes,omitempty"`
}

// Count returns how many actions are in state s.
func (p *Plan) Count(s State) int {
	n := 0
	for _, a := range p.Actions {
		if a.State == s {
			n++
		}
	}
	return n
}
