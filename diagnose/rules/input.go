package rules

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/logscan"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Config scopes and tunes a diagnose run.
type Config struct {
	// Plan or Migration limit the run to one MigPlan or one MigMigration
	// (names in Namespace on the host cluster). Both empty means everything.
	Plan      string
	Migration string
	// Namespace is the MTC namespace (default openshift-migration).
	Namespace string
	// Rules, when set, runs only these IDs; SkipRules removes IDs.
	Rules     []string
	SkipRules []string
	// CLI is "kubectl" or "oc": how remediation commands are spelled.
	CLI string
	// Now is the time the data describes (time.Now for live data, the gather
	// time for a bundle): pending-for-how-long checks use it.
	Now time.Time
	// LogTail is the number of last lines kept for hook pod logs.
	LogTail int
	// PendingThreshold is how long an rsync pod may stay Pending (MTC warns
	// after 10 minutes).
	PendingThreshold time.Duration
}

func (c Config) withDefaults() Config {
	if c.Namespace == "" {
		c.Namespace = mtc.Namespace
	}
	if c.CLI == "" {
		c.CLI = "oc"
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	if c.LogTail <= 0 {
		c.LogTail = 20
	}
	if c.PendingThreshold <= 0 {
		c.PendingThreshold = 10 * time.Minute
	}
	return c
}

// LogHit is one log line a pattern was found on.
type LogHit struct {
	Ref       snapshot.LogRef
	Line      int64
	Text      string
	Truncated bool
	Entry     logscan.Entry
}

// evidence turns a hit into log evidence.
func (h LogHit) evidence(msg string) Evidence {
	return Evidence{Type: "log", Cluster: h.Ref.Cluster, Message: msg, File: h.Ref.Path, Line: h.Line, Excerpt: h.Text}
}

// Input is what every rule reads: the snapshot, the scope, and the results
// of the single log pass.
type Input struct {
	Snap snapshot.Snapshot
	Cfg  Config

	// Plans and Migrations are the objects in scope.
	Plans      []*mtc.MigPlan
	Migrations []*mtc.MigMigration
	// AllMigrations are every MigMigration of the host, oldest first.
	AllMigrations []*mtc.MigMigration
	// All is true when no plan or migration was named.
	All bool

	hits  map[string][]LogHit
	tails map[string][]string

	mu    sync.Mutex
	cache map[string]any
}

// Host is the host cluster's name in the snapshot.
func (in *Input) Host() string { return in.Snap.HostCluster() }

// listTyped converts every object of kind on cluster into T (cached).
func listTyped[T any](in *Input, cluster string, kind snapshot.Kind) ([]*T, error) {
	key := cluster + "|" + kind.String()
	in.mu.Lock()
	if v, ok := in.cache[key]; ok {
		in.mu.Unlock()
		return v.([]*T), nil
	}
	in.mu.Unlock()
	objs, err := in.Snap.Objects(cluster, kind)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(objs))
	for _, u := range objs {
		t := new(T)
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, t); err != nil {
			return nil, fmt.Errorf("decode %s %s/%s on cluster %q: %w", kind.Kind, u.GetNamespace(), u.GetName(), cluster, err)
		}
		out = append(out, t)
	}
	in.mu.Lock()
	if in.cache == nil {
		in.cache = map[string]any{}
	}
	in.cache[key] = out
	in.mu.Unlock()
	return out, nil
}

// objects returns the raw objects (for fields the typed APIs lack).
func (in *Input) objects(cluster string, kind snapshot.Kind) ([]*unstructured.Unstructured, error) {
	return in.Snap.Objects(cluster, kind)
}

// migCluster finds a MigCluster by name on the host.
func (in *Input) migCluster(name string) (*mtc.MigCluster, error) {
	cls, err := listTyped[mtc.MigCluster](in, in.Host(), snapshot.MigCluster)
	if err != nil {
		return nil, err
	}
	for _, c := range cls {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, nil
}

// ClusterFor maps a MigCluster name to the snapshot's cluster name: the host
// MigCluster is the host cluster whatever its name; others go by name.
func (in *Input) ClusterFor(migCluster string) (string, error) {
	c, err := in.migCluster(migCluster)
	if err != nil {
		return "", err
	}
	if c != nil && c.Spec.IsHostCluster {
		return in.Host(), nil
	}
	for _, name := range in.Snap.Clusters() {
		if name == migCluster {
			return name, nil
		}
	}
	return "", &snapshot.UnavailableError{Cluster: migCluster, What: "cluster data", Reason: "MigCluster " + migCluster + " is not in the snapshot (not gathered or unreachable)"}
}

// PlanClusters returns the snapshot clusters of a plan's source and
// destination; an error for a side that is missing.
func (in *Input) PlanClusters(p *mtc.MigPlan) (src, dst string, srcErr, dstErr error) {
	srcErr, dstErr = fmt.Errorf("plan %s has no source cluster reference", p.Name), fmt.Errorf("plan %s has no destination cluster reference", p.Name)
	if p.Spec.SrcMigClusterRef != nil {
		src, srcErr = in.ClusterFor(p.Spec.SrcMigClusterRef.Name)
	}
	if p.Spec.DestMigClusterRef != nil {
		dst, dstErr = in.ClusterFor(p.Spec.DestMigClusterRef.Name)
	}
	return src, dst, srcErr, dstErr
}

// PlanOf returns the plan a migration runs.
func (in *Input) PlanOf(m *mtc.MigMigration) *mtc.MigPlan {
	if m.Spec.MigPlanRef == nil {
		return nil
	}
	plans, _ := listTyped[mtc.MigPlan](in, in.Host(), snapshot.MigPlan)
	for _, p := range plans {
		if p.Name == m.Spec.MigPlanRef.Name && (m.Spec.MigPlanRef.Namespace == "" || p.Namespace == m.Spec.MigPlanRef.Namespace) {
			return p
		}
	}
	return nil
}

// MigrationsOf returns a plan's migrations, oldest first.
func (in *Input) MigrationsOf(p *mtc.MigPlan) []*mtc.MigMigration {
	var out []*mtc.MigMigration
	for _, m := range in.AllMigrations {
		if m.Spec.MigPlanRef != nil && m.Spec.MigPlanRef.Name == p.Name && m.Namespace == p.Namespace {
			out = append(out, m)
		}
	}
	return out
}

// MigrationInScope reports whether a migration (by UID or name) is in scope.
func (in *Input) MigrationInScope(uidOrName string) bool {
	if in.All {
		return true
	}
	for _, m := range in.Migrations {
		if string(m.UID) == uidOrName || m.Name == uidOrName {
			return true
		}
	}
	return false
}

// migrationByUID finds a migration of the host by UID.
func (in *Input) migrationByUID(uid string) *mtc.MigMigration {
	for _, m := range in.AllMigrations {
		if string(m.UID) == uid {
			return m
		}
	}
	return nil
}

// Events returns the events about one object, oldest first. Missing event
// data yields nil: events are supporting evidence, never required.
func (in *Input) Events(cluster, namespace, kind, name string) []corev1.Event {
	evs, err := listTyped[corev1.Event](in, cluster, snapshot.Event)
	if err != nil {
		return nil
	}
	var out []corev1.Event
	for _, e := range evs {
		obj := e.InvolvedObject
		if obj.Name == name && obj.Kind == kind && (namespace == "" || obj.Namespace == namespace || e.Namespace == namespace) {
			out = append(out, *e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return eventTime(out[i]).Before(eventTime(out[j])) })
	return out
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.FirstTimestamp.Time
}

// LogHits returns the hits of one pattern key, in log then line order.
func (in *Input) LogHits(key string) []LogHit { return in.hits[key] }

// Tail returns the last lines kept for a log (hook pods).
func (in *Input) Tail(path string) []string { return in.tails[path] }

// cmd spells a command with the user's CLI (kubectl or oc).
func (in *Input) cmd(format string, args ...any) string {
	return in.Cfg.CLI + " " + fmt.Sprintf(format, args...)
}

// migKey is the namespace/name of a migration for Finding.Migration.
func migKey(m *mtc.MigMigration) string { return m.Namespace + "/" + m.Name }

func ref(kind, ns, name string) ObjectRef { return ObjectRef{Kind: kind, Namespace: ns, Name: name} }

func refp(kind, ns, name string) *ObjectRef { r := ref(kind, ns, name); return &r }

// condEvidence is evidence for one MTC condition.
func condEvidence(cluster string, obj ObjectRef, c mtc.Condition) Evidence {
	msg := c.Message
	if c.Reason != "" {
		msg = fmt.Sprintf("%s (reason %s, category %s)", c.Message, c.Reason, c.Category)
	} else if c.Category != "" {
		msg = fmt.Sprintf("%s (category %s)", c.Message, c.Category)
	}
	return Evidence{Type: "condition", Cluster: cluster, Object: &obj, Condition: c.Type, Message: strings.TrimSpace(msg)}
}
