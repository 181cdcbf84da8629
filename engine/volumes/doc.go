// Package volumes reads and changes how each persistent volume of an MTC
// migration plan migrates: copy (through the replication repository or
// directly with rsync; filesystem, block or snapshot copy method, optional
// verification, target storage class and access mode), move (a remote
// volume such as NFS is unmounted from the source and remounted on the
// destination) or skip.
//
// The MTC controller owns spec.persistentVolumes: its PV discovery adds and
// removes items, refreshes their capacity and supported actions and keeps
// the list sorted, and it writes the whole MigPlan with an update. Users
// own only each item's selection. So this package validates a choice
// against what the controller says the volume supports and what the
// destination offers (status.destStorageClasses) before writing anything,
// and writes nothing but selection fields, with a JSON patch guarded by the
// plan's resourceVersion (kube.GuardedPatch): a patch computed from a copy
// the controller has since rewritten is refused by the API server and
// recomputed from a fresh copy, so neither side's write is lost.
package volumes
