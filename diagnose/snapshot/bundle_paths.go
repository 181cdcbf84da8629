package snapshot

import (
	"path"
	"strings"
)

// pathInfo is what a bundle path tells about the file, whatever the layout
// version: which cluster tree it is in, and for logs, whose log it is.
type pathInfo struct {
	cluster string // "" when the path is outside any cluster tree
	log     *LogRef
}

// treeMarkers are the directories that start an oc adm inspect tree.
var treeMarkers = map[string]bool{"namespaces": true, "cluster-scoped-resources": true}

// clusterOf finds the cluster tree a path belongs to. Supported spellings:
// clusters/<c>/namespaces/... (MTC must-gather, kubectl-mig gather),
// must-gather/<c>/namespaces/... (older must-gather), and a plain inspect
// tree (namespaces/... at the root, or under a tool-named directory), which
// is the host cluster. It returns the cluster, the index of the marker
// segment, and whether a tree was found.
func clusterOf(segs []string) (string, int, bool) {
	for i, s := range segs {
		if s == "clusters" && i+1 < len(segs) && i+2 < len(segs) {
			return segs[i+1], i + 2, true
		}
		if !treeMarkers[s] {
			continue
		}
		if i == 0 || isToolDir(segs[i-1]) {
			return DefaultHost, i, true
		}
		return segs[i-1], i, true
	}
	return "", -1, false
}

// isToolDir recognises the directory names tools give their output, which
// are not cluster names.
func isToolDir(s string) bool {
	for _, p := range []string{"inspect.local", "must-gather", "inspect", "bundle"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// classifyPath attributes a bundle file. Objects are found by content, so
// only the cluster matters for them; logs are known by their path.
func classifyPath(p string) pathInfo {
	segs := strings.Split(p, "/")
	base := segs[len(segs)-1]
	cluster, marker, inTree := clusterOf(segs)
	info := pathInfo{cluster: cluster}
	if ref := veleroLogRef(segs, base); ref != nil {
		ref.Cluster = cluster
		info.log = ref
		return info
	}
	if !isLogFile(base) {
		return info
	}
	if inTree {
		info.log = podLogRef(segs[marker:], base)
	}
	if info.log == nil && strings.Contains(base, "kubelet") {
		info.log = &LogRef{Component: Kubelet}
	}
	if info.log != nil {
		info.log.Cluster = cluster
	}
	return info
}

func isLogFile(base string) bool {
	return strings.HasSuffix(base, ".log") || strings.HasSuffix(base, ".log.gz") ||
		strings.Contains(base, ".log.") // rotated: 0.log.20240101-120000[.gz]
}

// podLogRef reads pod logs in the inspect layout
// (namespaces/<ns>/pods/<pod>/<c>/<c>/logs/current.log) and the MTC
// must-gather layout (namespaces/<ns>/logs/<pod>/current.log).
func podLogRef(tree []string, base string) *LogRef {
	if len(tree) < 4 || tree[0] != "namespaces" {
		return nil
	}
	ns := tree[1]
	prev := strings.HasPrefix(base, "previous")
	switch {
	case tree[2] == "pods" && len(tree) >= 7:
		return &LogRef{Namespace: ns, Pod: tree[3], Container: tree[4], Previous: prev}
	case tree[2] == "logs" && len(tree) >= 5:
		return &LogRef{Namespace: ns, Pod: tree[3], Previous: prev}
	}
	return nil
}

// veleroLogRef recognises Backup/Restore logs and describe output:
//   - must-gather plan tree: migplan-<p>/migmigration-<m>/backup-<b>/backup-<b>.log,
//     backup-describe-<b>.txt, restore-<r>/restore-<r>.log, restore-describe-<r>.txt,
//     podvolumebackup-<pvb>/*.log (restic logs of the PVB's node);
//   - logs/velero-*-logs/<name>.log (newer must-gather);
//   - kubectl-mig gather: velero/<ns>/<backups|restores>/<name>/<name>.log.
func veleroLogRef(segs []string, base string) *LogRef {
	dir := ""
	if len(segs) >= 2 {
		dir = segs[len(segs)-2]
	}
	trim := func(s string, prefixes ...string) string {
		s = strings.TrimSuffix(strings.TrimSuffix(s, ".txt"), ".log")
		for _, p := range prefixes {
			s = strings.TrimPrefix(s, p)
		}
		return s
	}
	switch {
	case strings.HasPrefix(dir, "podvolumebackup-") && isLogFile(base):
		return &LogRef{Component: NodeAgent, Owner: strings.TrimPrefix(dir, "podvolumebackup-")}
	case strings.HasPrefix(dir, "backup-") && (strings.HasPrefix(base, "backup-")):
		return &LogRef{Component: VeleroBackup, Owner: trim(base, "backup-describe-", "backup-")}
	case strings.HasPrefix(dir, "restore-") && (strings.HasPrefix(base, "restore-")):
		return &LogRef{Component: VeleroRestore, Owner: trim(base, "restore-describe-", "restore-")}
	case strings.HasPrefix(dir, "velero-") && strings.HasSuffix(dir, "-logs") && isLogFile(base):
		c := VeleroBackup
		if strings.Contains(dir, "restore") || strings.HasPrefix(base, "restore-") {
			c = VeleroRestore
		}
		return &LogRef{Component: c, Owner: trim(base, "backup-", "restore-")}
	}
	for i := len(segs) - 4; i >= 0; i-- {
		if segs[i] == "velero" && i+3 < len(segs) && (segs[i+2] == "backups" || segs[i+2] == "restores") && isLogFile(base) {
			c := VeleroBackup
			if segs[i+2] == "restores" {
				c = VeleroRestore
			}
			return &LogRef{Component: c, Namespace: segs[i+1], Owner: segs[i+3]}
		}
	}
	return nil
}

// componentOf tells what wrote a pod log from the pod's labels when the pod
// object is in the snapshot, else from its name and container.
func componentOf(pod, container string, labels map[string]string) Component {
	switch {
	case labels["control-plane"] == "controller-manager" || labels["app"] == "migration" && labels["control-plane"] != "":
		return Controller
	case labels["component"] == "velero" && labels["name"] != "restic" && labels["name"] != "node-agent":
		return Velero
	case labels["name"] == "restic" || labels["name"] == "node-agent":
		return NodeAgent
	case labels["migration.openshift.io/is-stage-pod"] == "true":
		return Stage
	case labels["app"] == "directvolumemigration-rsync-transfer" || labels["purpose"] == "rsync" ||
		labels["migration.openshift.io/created-for-pvc"] != "":
		return Rsync
	case labels["owner"] != "" && isHookPhase(labels["phase"]):
		return Hook
	}
	switch {
	case strings.HasPrefix(pod, "migration-controller-"):
		return Controller
	case strings.HasPrefix(pod, "restic-"), strings.HasPrefix(pod, "node-agent-"):
		return NodeAgent
	case strings.HasPrefix(pod, "velero-"):
		return Velero
	case strings.HasPrefix(pod, "rsync-"), strings.HasPrefix(pod, "blockrsync-"), container == "rsync", container == "stunnel":
		return Rsync
	case strings.HasPrefix(pod, "stage-"):
		return Stage
	}
	// Hook jobs are named <plan>-<phase>-<random>; their pods carry the
	// job-name label (or are unknown when the pod object is not in a bundle).
	for _, phase := range []string{"-prebackup-", "-postbackup-", "-prerestore-", "-postrestore-"} {
		if strings.Contains(pod, phase) && (labels == nil || labels["job-name"] != "") {
			return Hook
		}
	}
	return Other
}

func isHookPhase(p string) bool {
	switch p {
	case "PreBackup", "PostBackup", "PreRestore", "PostRestore":
		return true
	}
	return false
}

// skipFile lists bundle files that are never objects or logs worth reading.
func skipFile(p string) bool {
	base := path.Base(p)
	return strings.HasPrefix(base, "aggregated-discovery") || base == "event-filter.html" ||
		strings.HasPrefix(base, "migration-log-reader") || strings.Contains(p, "/migration-log-reader-")
}
