package rules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/kubectl-mig/kubectl-mig/diagnose/logscan"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// CrashID is the ID of the finding that replaces a rule that panicked or
// failed internally: the run goes on and the report says so.
const CrashID = "MIG9999"

// ErrNotFound marks a --plan or --migration that does not exist.
var ErrNotFound = errors.New("not found")

// Report is the outcome of a run.
type Report struct {
	Source   snapshot.Source
	Findings []Finding
	Skipped  []Skipped
	Logs     LogStats
}

// LogStats says how much log data the single pass read.
type LogStats struct {
	Scanned int      `json:"scanned"`
	Bytes   int64    `json:"bytes"`
	Errors  []string `json:"errors,omitempty"`
}

// Select returns the catalogue rules enabled by cfg.Rules/SkipRules,
// rejecting unknown IDs.
func Select(catalogue []Rule, only, skip []string) ([]Rule, error) {
	known := map[string]bool{}
	for _, r := range catalogue {
		known[r.Meta().ID] = true
	}
	norm := func(ids []string) (map[string]bool, error) {
		m := map[string]bool{}
		for _, id := range ids {
			id = strings.ToUpper(strings.TrimSpace(id))
			if id == "" {
				continue
			}
			if !known[id] {
				return nil, fmt.Errorf("unknown rule %q (see --list-rules)", id)
			}
			m[id] = true
		}
		return m, nil
	}
	onlySet, err := norm(only)
	if err != nil {
		return nil, err
	}
	skipSet, err := norm(skip)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, r := range catalogue {
		id := r.Meta().ID
		if (len(onlySet) == 0 || onlySet[id]) && !skipSet[id] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Run evaluates rules over snap: it resolves the scope, reads every relevant
// log once with all the rules' patterns, then runs each rule.
func Run(ctx context.Context, snap snapshot.Snapshot, cfg Config, rules []Rule) (*Report, error) {
	cfg = cfg.withDefaults()
	in, err := newInput(snap, cfg)
	if err != nil {
		return nil, err
	}
	rep := &Report{Source: snap.Describe()}
	rep.Logs = scanLogs(ctx, in, rules)
	for _, r := range rules {
		fs, skipped := runOne(ctx, in, r)
		if skipped != nil {
			rep.Skipped = append(rep.Skipped, *skipped)
			continue
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	relate(rep.Findings)
	sortFindings(rep.Findings)
	return rep, nil
}

// runOne runs one rule, turning a panic into a finding and an unavailable
// input into a skip.
func runOne(ctx context.Context, in *Input, r Rule) (fs []Finding, skipped *Skipped) {
	m := r.Meta()
	for _, k := range m.Needs {
		if _, err := in.Snap.Objects(in.Host(), k); err != nil {
			if reason, ok := skipReason(err); ok {
				return nil, &Skipped{ID: m.ID, Reason: reason}
			}
		}
	}
	defer func() {
		if p := recover(); p != nil {
			fs = []Finding{crashFinding(m, fmt.Sprintf("panic: %v", p), string(debug.Stack()))}
			skipped = nil
		}
	}()
	fs, err := r.Check(ctx, in)
	if err != nil {
		if reason, ok := skipReason(err); ok {
			return nil, &Skipped{ID: m.ID, Reason: reason}
		}
		return []Finding{crashFinding(m, err.Error(), "")}, nil
	}
	for i := range fs {
		if fs[i].ID == "" {
			fs[i].ID = m.ID
		}
		if fs[i].Severity == 0 {
			fs[i].Severity = m.Severity
		}
		if fs[i].Title == "" {
			fs[i].Title = m.Title
		}
		if fs[i].Docs == "" {
			fs[i].Docs = m.Docs
		}
	}
	return fs, nil
}

func crashFinding(m Meta, msg, stack string) Finding {
	ev := []Evidence{{Type: "object", Message: msg}}
	if stack != "" {
		lines := strings.Split(stack, "\n")
		if len(lines) > 12 {
			lines = lines[:12]
		}
		ev = append(ev, Evidence{Type: "object", Message: "stack", Excerpt: strings.Join(lines, "\n")})
	}
	return Finding{
		ID: CrashID, Severity: Error, Title: "rule " + m.ID + " failed internally",
		Summary:     fmt.Sprintf("rule %s (%s) could not finish: %s", m.ID, m.Title, msg),
		Object:      ObjectRef{Kind: "Rule", Name: m.ID},
		Evidence:    ev,
		Remediation: "This is a bug in kubectl-mig, not in your migration. Re-run with --skip-rules " + m.ID + " to get the other results, and report it with this output.",
	}
}

// relate lets a failed-migration finding point at the other findings about
// the same migration.
func relate(fs []Finding) {
	byMig := map[string][]string{}
	for _, f := range fs {
		if f.Migration != "" && f.ID != "MIG0015" {
			byMig[f.Migration] = append(byMig[f.Migration], f.ID)
		}
	}
	for i := range fs {
		if fs[i].ID == "MIG0015" && fs[i].Migration != "" {
			ids := byMig[fs[i].Migration]
			sort.Strings(ids)
			fs[i].Related = dedupe(ids)
		}
	}
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		return a.Object.String() < b.Object.String()
	})
}

// newInput resolves the scope on the host cluster.
func newInput(snap snapshot.Snapshot, cfg Config) (*Input, error) {
	in := &Input{Snap: snap, Cfg: cfg, hits: map[string][]LogHit{}, tails: map[string][]string{}}
	plans, planErr := listTyped[mtc.MigPlan](in, in.Host(), snapshot.MigPlan)
	migs, migErr := listTyped[mtc.MigMigration](in, in.Host(), snapshot.MigMigration)
	sort.SliceStable(migs, func(i, j int) bool { return migrationBefore(migs[i], migs[j]) })
	in.AllMigrations = migs
	switch {
	case cfg.Migration != "":
		if migErr != nil {
			return nil, fmt.Errorf("find migration %s: %w", cfg.Migration, migErr)
		}
		for _, m := range migs {
			if m.Name == cfg.Migration && m.Namespace == cfg.Namespace {
				in.Migrations = []*mtc.MigMigration{m}
				if p := in.PlanOf(m); p != nil {
					in.Plans = []*mtc.MigPlan{p}
				}
			}
		}
		if len(in.Migrations) == 0 {
			return nil, fmt.Errorf("MigMigration %s in namespace %s on cluster %q: %w", cfg.Migration, cfg.Namespace, in.Host(), ErrNotFound)
		}
	case cfg.Plan != "":
		if planErr != nil {
			return nil, fmt.Errorf("find plan %s: %w", cfg.Plan, planErr)
		}
		for _, p := range plans {
			if p.Name == cfg.Plan && p.Namespace == cfg.Namespace {
				in.Plans = []*mtc.MigPlan{p}
				in.Migrations = in.MigrationsOf(p)
			}
		}
		if len(in.Plans) == 0 {
			return nil, fmt.Errorf("MigPlan %s in namespace %s on cluster %q: %w", cfg.Plan, cfg.Namespace, in.Host(), ErrNotFound)
		}
	default:
		in.All = true
		in.Plans = plans
		in.Migrations = migs
	}
	return in, nil
}

// scanLogs reads each relevant log once with every enabled rule's patterns.
func scanLogs(ctx context.Context, in *Input, rules []Rule) LogStats {
	var pats []Pattern
	for _, r := range rules {
		pats = append(pats, r.Meta().Patterns...)
	}
	refs := in.relevantLogs()
	var stats LogStats
	if len(refs) == 0 {
		return stats
	}
	texts := make([]string, len(pats))
	for i, p := range pats {
		texts[i] = p.Text
	}
	if len(texts) == 0 {
		return stats // no enabled rule reads logs
	}
	m, err := logscan.Compile(texts)
	if err != nil {
		stats.Errors = append(stats.Errors, err.Error())
		return stats
	}
	var mu sync.Mutex
	errs := in.Snap.StreamLogs(ctx, refs, func(ref snapshot.LogRef, r io.Reader) error {
		opt := logscan.Options{}
		if ref.Component == snapshot.Hook {
			opt.TailLines = in.Cfg.LogTail
		}
		res, err := m.Scan(ctx, r, opt)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		stats.Scanned++
		stats.Bytes += res.Bytes
		if len(res.Tail) > 0 {
			in.tails[ref.Path] = res.Tail
		}
		for _, h := range res.Hits {
			p := pats[h.Pattern]
			if !applies(p, ref.Component) {
				continue
			}
			in.hits[p.Key] = append(in.hits[p.Key], LogHit{Ref: ref, Line: h.Line, Text: h.Text, Truncated: h.Truncated, Entry: logscan.ParseLine(h.Text)})
		}
		return nil
	})
	for _, e := range errs {
		stats.Errors = append(stats.Errors, e.Err.Error())
	}
	for k := range in.hits {
		hs := in.hits[k]
		sort.SliceStable(hs, func(i, j int) bool {
			if hs[i].Ref.Path != hs[j].Ref.Path {
				return hs[i].Ref.Path < hs[j].Ref.Path
			}
			return hs[i].Line < hs[j].Line
		})
	}
	return stats
}

func applies(p Pattern, c snapshot.Component) bool {
	if len(p.Components) == 0 {
		return true
	}
	for _, pc := range p.Components {
		if pc == c {
			return true
		}
	}
	return false
}

// relevantLogs picks the logs of the scope: MTC and Velero daemons always;
// Backup/Restore logs of migrations in scope; helper pods (rsync, stage,
// hooks) in the namespaces of plans in scope.
func (in *Input) relevantLogs() []snapshot.LogRef {
	owners := in.veleroOwnersInScope()
	nsInScope := map[string]bool{}
	for _, p := range in.Plans {
		for _, ns := range p.Spec.SourceNamespaces() {
			nsInScope[ns] = true
		}
		for _, ns := range p.Spec.DestinationNamespaces() {
			nsInScope[ns] = true
		}
	}
	var out []snapshot.LogRef
	for _, ref := range in.Snap.Logs() {
		switch ref.Component {
		case snapshot.Controller, snapshot.Velero, snapshot.NodeAgent, snapshot.Kubelet:
			out = append(out, ref)
		case snapshot.VeleroBackup, snapshot.VeleroRestore:
			if in.All || owners == nil || owners[ref.Owner] {
				out = append(out, ref)
			}
		case snapshot.Rsync, snapshot.Stage, snapshot.Hook:
			if in.All || nsInScope[ref.Namespace] || ref.Namespace == in.Cfg.Namespace {
				out = append(out, ref)
			}
		}
	}
	return out
}

// veleroOwnersInScope names the Backups and Restores of migrations in scope
// (nil when unknown: then every Backup/Restore log is read).
func (in *Input) veleroOwnersInScope() map[string]bool {
	if in.All {
		return nil
	}
	owners := map[string]bool{}
	found := false
	for _, c := range in.Snap.Clusters() {
		for _, k := range []snapshot.Kind{snapshot.Backup, snapshot.Restore} {
			objs, err := in.Snap.Objects(c, k)
			if err != nil {
				continue
			}
			found = true
			for _, o := range objs {
				l := o.GetLabels()
				if in.MigrationInScope(l["migmigration"]) || in.MigrationInScope(l[mtc.MigMigrationNameLabel]) {
					owners[o.GetName()] = true
				}
			}
		}
	}
	if !found {
		return nil
	}
	return owners
}

// migrationBefore orders migrations by creation; objects created in the same
// second (timestamps have one-second resolution) by the time the controller
// started them.
func migrationBefore(a, b *mtc.MigMigration) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	sa, sb := a.Status.StartTimestamp, b.Status.StartTimestamp
	switch {
	case sa != nil && sb != nil && !sa.Equal(sb):
		return sa.Before(sb)
	case sa == nil && sb != nil:
		return false // not started yet: newer
	case sa != nil && sb == nil:
		return true
	}
	return a.Name < b.Name
}
