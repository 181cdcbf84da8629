// Package logs streams, from every cluster of a migration plan, the container
// logs that concern one plan or one migration, merged into a single
// time-ordered stream.
//
// It finds the pods the way MTC labels them: the migration controller,
// Velero, restic/node-agent and the plan's registry in the MTC namespace;
// rsync/stunnel transfer pods (DirectVolumeMigration labels), stage pods and
// hook Job pods in the application namespaces. Logs of the pods MTC creates
// for the migration are shown whole; logs of the shared pods (controller,
// Velero, restic, registry) are filtered to the lines that name the plan, its
// migrations, their DirectVolumeMigrations or their Velero backups and
// restores, found with one LIST per kind (and watched while following).
//
// Lines are ordered by the timestamp the kubelet puts in front of each line
// (timestamps=true). Each container stream has a small bounded queue and the
// merge holds at most one line per stream, so memory does not grow with the
// log volume. Without --follow the merge is exact: a line is written once
// every open stream has shown a later one or ended. While following, a stream
// that has been quiet for a short reorder window no longer holds the others
// back, so live lines appear promptly and in order within that window.
//
// Like stern (which the MTC log reader wraps), the engine takes a context,
// cluster clients and a plain Config, and reports lines and events through
// interfaces; rendering is the caller's business.
package logs
