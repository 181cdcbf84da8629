package logs

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// objKind names the object sets the scope is built from.
type objKind string

const (
	kindMigration objKind = "MigMigration"
	kindDVM       objKind = "DirectVolumeMigration"
	kindBackup    objKind = "Backup"
	kindRestore   objKind = "Restore"
)

// objInfo is what the scope needs of an object.
type objInfo struct {
	Name    string
	UID     types.UID
	Labels  map[string]string
	Owners  []types.UID
	Created time.Time
	// Migrations only:
	Plan     string // spec.migPlanRef.name
	Started  time.Time
	Outcome  mtc.Outcome
	Terminal bool
}

func objInfoFrom(kind objKind, u *unstructured.Unstructured) objInfo {
	o := objInfo{Name: u.GetName(), UID: u.GetUID(), Labels: u.GetLabels(), Created: u.GetCreationTimestamp().Time}
	for _, ref := range u.GetOwnerReferences() {
		o.Owners = append(o.Owners, ref.UID)
	}
	if kind != kindMigration {
		return o
	}
	o.Plan, _, _ = unstructured.NestedString(u.Object, "spec", "migPlanRef", "name")
	if m, err := kubeMigration(u); err == nil {
		if m.Status.StartTimestamp != nil {
			o.Started = m.Status.StartTimestamp.Time
		}
		o.Outcome = m.Outcome()
		o.Terminal = o.Outcome.Terminal()
	}
	return o
}

// Scope is an immutable picture of what the logs are about: the plan, its
// migrations of interest and their children, and the Matcher for lines of
// shared components.
type Scope struct {
	PlanName string
	PlanUID  types.UID
	// Migration is set when the logs are about one migration.
	Migration string
	// Migrations of interest, oldest first.
	Migrations []objInfo
	migUIDs    map[types.UID]bool
	dvmUIDs    map[types.UID]bool
	matcher    *Matcher
	key        string
}

// hasMigration reports whether uid is a migration of interest.
func (s *Scope) hasMigration(uid string) bool { return s.migUIDs[types.UID(uid)] }

// hasDVM reports whether uid is a DVM of interest.
func (s *Scope) hasDVM(uid string) bool { return s.dvmUIDs[types.UID(uid)] }

// Match reports whether a line of a shared component concerns the scope.
func (s *Scope) Match(line string) bool { return s.matcher.Match(line) }

// earliest is when the first migration of interest was created or started
// (the zero time when there is none).
func (s *Scope) earliest() time.Time {
	var t time.Time
	for _, m := range s.Migrations {
		for _, c := range []time.Time{m.Created, m.Started} {
			if !c.IsZero() && (t.IsZero() || c.Before(t)) {
				t = c
			}
		}
	}
	return t
}

// scopeState holds the object sets and publishes a new Scope when they change.
type scopeState struct {
	planName, planUID, migration string

	mu   sync.Mutex
	sets map[objKind]map[types.UID]objInfo

	cur     atomic.Pointer[Scope]
	subsMu  sync.Mutex
	subs    []chan struct{}
	changed func(*Scope) // called with every new Scope, in order; must not block
}

func newScopeState(planName string, planUID types.UID, migration string) *scopeState {
	st := &scopeState{planName: planName, planUID: string(planUID), migration: migration,
		sets: map[objKind]map[types.UID]objInfo{}}
	st.cur.Store(st.build())
	return st
}

// Scope returns the current Scope.
func (st *scopeState) Scope() *Scope { return st.cur.Load() }

// subscribe returns a channel that receives (coalesced) scope changes.
func (st *scopeState) subscribe() <-chan struct{} {
	ch := make(chan struct{}, 1)
	st.subsMu.Lock()
	st.subs = append(st.subs, ch)
	st.subsMu.Unlock()
	return ch
}

// replace sets every object of a kind (after a LIST).
func (st *scopeState) replace(kind objKind, objs []objInfo) {
	m := make(map[types.UID]objInfo, len(objs))
	for _, o := range objs {
		m[o.UID] = o
	}
	st.mu.Lock()
	st.sets[kind] = m
	st.mu.Unlock()
	st.publish()
}

// upsert adds or replaces one object (a watch event).
func (st *scopeState) upsert(kind objKind, o objInfo) {
	st.mu.Lock()
	if st.sets[kind] == nil {
		st.sets[kind] = map[types.UID]objInfo{}
	}
	st.sets[kind][o.UID] = o
	st.mu.Unlock()
	st.publish()
}

// remove drops one object (a watch event).
func (st *scopeState) remove(kind objKind, uid types.UID) {
	st.mu.Lock()
	delete(st.sets[kind], uid)
	st.mu.Unlock()
	st.publish()
}

// publish rebuilds the Scope. Building and storing under mu keeps a slower
// concurrent publish from storing an older picture over a newer one.
func (st *scopeState) publish() {
	st.mu.Lock()
	s := st.build()
	old := st.cur.Swap(s)
	if st.changed != nil {
		st.changed(s)
	}
	st.mu.Unlock()
	if old != nil && old.key == s.key {
		return
	}
	st.subsMu.Lock()
	defer st.subsMu.Unlock()
	for _, ch := range st.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// build computes the Scope from the object sets; st.mu must be held.
func (st *scopeState) build() *Scope {
	s := &Scope{PlanName: st.planName, PlanUID: types.UID(st.planUID), Migration: st.migration,
		migUIDs: map[types.UID]bool{}, dvmUIDs: map[types.UID]bool{}}
	var others []string
	for _, m := range st.sets[kindMigration] {
		if st.ours(m) {
			s.Migrations = append(s.Migrations, m)
			s.migUIDs[m.UID] = true
		} else {
			others = append(others, m.Name)
		}
	}
	slices.SortFunc(s.Migrations, func(a, b objInfo) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	exact := []string{st.planName, st.planUID}
	var prefix []string
	for _, m := range s.Migrations {
		exact = append(exact, string(m.UID))
		prefix = append(prefix, m.Name)
	}
	for _, d := range st.sets[kindDVM] {
		if s.belongs(d) {
			s.dvmUIDs[d.UID] = true
			exact = append(exact, d.Name, string(d.UID))
		}
	}
	for _, kind := range []objKind{kindBackup, kindRestore} {
		for _, o := range st.sets[kind] {
			if s.belongs(o) {
				prefix = append(prefix, o.Name)
			}
		}
	}
	s.matcher = NewMatcher(exact, prefix, extensionsOf(prefix, others))
	slices.Sort(exact)
	slices.Sort(prefix)
	s.key = strings.Join(exact, ",") + "|" + strings.Join(prefix, ",")
	return s
}

// ours reports whether a migration is of interest.
func (st *scopeState) ours(m objInfo) bool {
	if st.migration != "" {
		return m.Name == st.migration
	}
	return m.Plan == st.planName
}

// belongs reports whether an object was made for a migration of interest:
// by its MTC correlation label or owner. (Backups and restores are listed
// with the plan's migrated-by-migplan label, so only their migration is
// checked here.)
func (s *Scope) belongs(o objInfo) bool {
	for _, key := range []string{"migmigration", mtc.MigratedByMigMigrationLabel} {
		if v, ok := o.Labels[key]; ok && s.migUIDs[types.UID(v)] {
			return true
		}
	}
	return slices.ContainsFunc(o.Owners, func(u types.UID) bool { return s.migUIDs[u] })
}

// extensionsOf returns the names among others that extend one of names with
// "-": lines about them must not match names as prefixes.
func extensionsOf(names, others []string) []string {
	var out []string
	for _, o := range others {
		for _, n := range names {
			if strings.HasPrefix(o, n+"-") {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

func kubeMigration(u *unstructured.Unstructured) (*mtc.MigMigration, error) {
	return kube.FromUnstructured[mtc.MigMigration](u)
}
