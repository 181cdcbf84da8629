package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// corrMigMigration is the correlation label MTC puts on what a migration
// creates: migmigration=<MigMigration UID>.
const corrMigMigration = "migmigration"

// Documentation pages the findings point to.
const (
	docsTroubleshooting = "https://docs.redhat.com/en/documentation/openshift_container_platform/4.17/html/migration_toolkit_for_containers/troubleshooting-mtc"
	docsRollback        = "https://docs.redhat.com/en/documentation/openshift_container_platform/4.17/html/migration_toolkit_for_containers/troubleshooting-mtc#rolling-back-migration"
	docsDVM             = "https://docs.redhat.com/en/documentation/openshift_container_platform/4.17/html/migration_toolkit_for_containers/troubleshooting-mtc#migration-dvm-error-node-selectors_troubleshooting-mtc"
)

// dvmsInScope returns the DirectVolumeMigrations created by migrations in
// scope, with the migration that owns each (nil when unknown).
func dvmsInScope(in *Input) ([]*mtc.DirectVolumeMigration, []*mtc.MigMigration, error) {
	dvms, err := listTyped[mtc.DirectVolumeMigration](in, in.Host(), snapshot.DirectVolume)
	if err != nil {
		return nil, nil, err
	}
	var outD []*mtc.DirectVolumeMigration
	var outM []*mtc.MigMigration
	for _, d := range dvms {
		m := owningMigration(in, d.Labels, d.OwnerReferences)
		if m == nil && !in.All {
			continue
		}
		if m != nil && !in.MigrationInScope(string(m.UID)) {
			continue
		}
		outD = append(outD, d)
		outM = append(outM, m)
	}
	return outD, outM, nil
}

// owningMigration finds the MigMigration behind an object through the
// correlation label or the owner reference.
func owningMigration(in *Input, labels map[string]string, owners []metav1.OwnerReference) *mtc.MigMigration {
	if uid := labels[corrMigMigration]; uid != "" {
		if m := in.migrationByUID(uid); m != nil {
			return m
		}
	}
	for _, o := range owners {
		if o.Kind == "MigMigration" {
			if m := in.migrationByUID(string(o.UID)); m != nil {
				return m
			}
		}
	}
	return nil
}

// trueConds returns the conditions of the given types that are True.
func trueConds(cs mtc.Conditions, types ...string) []mtc.Condition {
	var out []mtc.Condition
	for _, c := range cs {
		for _, t := range types {
			if c.Type == t && c.IsTrue() {
				out = append(out, c)
			}
		}
	}
	return out
}

// podPendingFor says how long a pod has been Pending at now (0 if not).
func podPendingFor(p *corev1.Pod, now time.Time) time.Duration {
	if p.Status.Phase != corev1.PodPending || p.CreationTimestamp.IsZero() {
		return 0
	}
	return now.Sub(p.CreationTimestamp.Time)
}

// hitsFor keeps the hits keep accepts (all when keep is nil).
func hitsFor(hits []LogHit, keep func(LogHit) bool) []LogHit {
	var out []LogHit
	for _, h := range hits {
		if keep == nil || keep(h) {
			out = append(out, h)
		}
	}
	return out
}

// controllerValue reads one MigrationController spec value on cluster.
func controllerValue(in *Input, cluster, key string) (string, bool) {
	mcs, err := listTyped[mtc.MigrationController](in, cluster, snapshot.MigrationController)
	if err != nil {
		return "", false
	}
	for _, mc := range mcs {
		vals, err := mc.Values()
		if err != nil {
			continue
		}
		if v, ok := vals[key]; ok {
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

// patchController is the command that sets one MigrationController value.
func patchController(in *Input, key, value string) string {
	return in.cmd(`patch migrationcontroller migration-controller -n %s --type merge -p '{"spec":{"%s":%s}}'`, in.Cfg.Namespace, key, value)
}

// joinMax joins at most n items and says how many more there are.
func joinMax(items []string, n int) string {
	sort.Strings(items)
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// conditionsOf is evidence for every given condition.
func conditionsOf(cluster string, obj ObjectRef, cs []mtc.Condition) []Evidence {
	var out []Evidence
	for _, c := range cs {
		out = append(out, condEvidence(cluster, obj, c))
	}
	return out
}

var kindName = map[string]string{"backup": "Backup", "restore": "Restore"}

// veleroObjectOf pulls the "backup=ns/name" or "restore=ns/name" field
// of a Velero log line.
func veleroObjectOf(h LogHit) (kind, ns, name string) {
	for _, k := range []string{"backup", "restore"} {
		if v := h.Entry.Get(k); v != "" {
			ns, name, ok := strings.Cut(v, "/")
			if !ok {
				return kindName[k], "", v
			}
			return kindName[k], ns, name
		}
	}
	switch h.Ref.Component {
	case snapshot.VeleroBackup:
		return "Backup", h.Ref.Namespace, h.Ref.Owner
	case snapshot.VeleroRestore:
		return "Restore", h.Ref.Namespace, h.Ref.Owner
	}
	return "", "", ""
}
