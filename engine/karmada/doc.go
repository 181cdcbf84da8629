// Package karmada hands existing workloads of a member cluster over to
// Karmada in batches, and hands them back, following Karmada's documented
// "migrate in batch and rollback" procedure:
//
//   - PlanMigration reads the selected objects from the member (by kind, as
//     one application, or every kind of a namespace), prunes them into
//     resource templates the way `karmadactl promote` does, and checks what
//     Karmada already holds. Everything that would make the takeover unsafe
//     is refused before anything is written.
//   - ApplyMigration writes the templates, then a PropagationPolicy (and a
//     ClusterPropagationPolicy for cluster-scoped objects) with
//     conflictResolution Overwrite, the member by name, and
//     preserveResourcesOnDeletion.
//   - Follow watches the bindings and the member objects until Karmada has
//     adopted every object, checking that no pod was replaced or restarted.
//   - PlanRollback and ApplyRollback undo a migration in the only safe
//     order: preserve on the policy, wait until every binding and Work
//     reflects it, delete the templates, verify the member objects, delete
//     the policy last.
//   - Status reports templates, bindings and adoption per member.
//
// The package takes its clusters as Cluster values and a plain config, and
// returns data; rendering is the caller's.
package karmada
