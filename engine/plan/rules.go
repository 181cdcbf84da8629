package plan

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// Severity of a Problem.
type Severity string

// Severities: an Error stops the plan from being created; a Warning is
// reported and does not.
const (
	SeverityError   Severity = "Error"
	SeverityWarning Severity = "Warning"
)

// Rule codes that MTC has no condition for. The others reuse the name of
// the MigPlan condition the controller would set.
const (
	CodeInvalidName             = "InvalidName"
	CodeInvalidNamespaceMapping = "InvalidNamespaceMapping"
	CodeTooManyHooks            = "TooManyHooks"
	CodeInvalidHookName         = "InvalidHookName"
)

// Problem is one violated rule.
type Problem struct {
	// Code is the MTC condition type the controller would set, or one of
	// the Code* constants.
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Field is the command-line field concerned (--namespaces, --hook, ...).
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s (%s)", p.Field, p.Message, p.Code)
}

// Problems is the outcome of validation.
type Problems []Problem

// Errors returns the problems that block creation.
func (ps Problems) Errors() Problems { return ps.bySeverity(SeverityError) }

// Warnings returns the problems that do not block creation.
func (ps Problems) Warnings() Problems { return ps.bySeverity(SeverityWarning) }

func (ps Problems) bySeverity(s Severity) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// Err returns an *InvalidError when there are errors, else nil.
func (ps Problems) Err() error {
	if errs := ps.Errors(); len(errs) > 0 {
		return &InvalidError{Problems: errs}
	}
	return nil
}

// InvalidError lists every rule a plan violates; nothing was created.
type InvalidError struct {
	Problems Problems
}

func (e *InvalidError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("the plan is invalid (%d problem(s)); nothing was created:", len(e.Problems)))
	for _, p := range e.Problems {
		lines = append(lines, "  - "+p.String())
	}
	return strings.Join(lines, "\n")
}

// Validate applies every rule that needs no server to s (after
// WithDefaults). It returns all problems, not just the first, so the user
// can fix everything in one go.
func Validate(s Spec) Problems {
	var ps Problems
	ps = append(ps, nameRules(s)...)
	ps = append(ps, namespaceRules(s)...)
	ps = append(ps, hookRules(s.Hooks)...)
	return ps
}

func errorf(code, field, format string, args ...any) Problem {
	return Problem{Code: code, Severity: SeverityError, Field: field, Message: fmt.Sprintf(format, args...)}
}

func warnf(code, field, format string, args ...any) Problem {
	return Problem{Code: code, Severity: SeverityWarning, Field: field, Message: fmt.Sprintf(format, args...)}
}

// nameRules: object names must be DNS-1123 subdomains, references set.
func nameRules(s Spec) Problems {
	var ps Problems
	if msgs := validation.IsDNS1123Subdomain(s.Name); len(msgs) > 0 {
		ps = append(ps, errorf(CodeInvalidName, "NAME", "%q is not a valid plan name: %s", s.Name, strings.Join(msgs, "; ")))
	}
	refs := []struct{ field, code, kind, value string }{
		{"--source", mtc.ConditionInvalidSourceClusterRef, "MigCluster", s.Source},
		{"--destination", mtc.ConditionInvalidDestinationClusterRef, "MigCluster", s.Destination},
		{"--storage", mtc.ConditionInvalidStorageRef, "MigStorage", s.Storage},
	}
	for _, r := range refs {
		switch {
		case r.value == "":
			ps = append(ps, errorf(r.code, r.field, "is required: name the %s to use", r.kind))
		case len(validation.IsDNS1123Subdomain(r.value)) > 0:
			ps = append(ps, errorf(r.code, r.field, "%q is not a valid %s name", r.value, r.kind))
		}
	}
	return ps
}

// namespaceRules mirror the controller's NamespaceListEmpty,
// NamespaceNotDNSCompliant, Duplicate*Namespace*, NamespaceLengthExceeded and
// IntraClusterMigration checks.
func namespaceRules(s Spec) Problems {
	const field = "--namespaces"
	if len(s.Namespaces) == 0 {
		return Problems{errorf(mtc.ConditionNamespaceListEmpty, field, "the namespaces list may not be empty")}
	}
	var ps Problems
	var mappings []mtc.NameMapping
	for _, e := range s.Namespaces {
		m, err := mtc.ParseNameMapping(e)
		if err != nil {
			ps = append(ps, errorf(CodeInvalidNamespaceMapping, field, "%v", err))
			continue
		}
		mappings = append(mappings, m)
		for _, n := range uniq(m.Source, m.Destination) {
			if msgs := validation.IsDNS1123Label(n); len(msgs) > 0 {
				ps = append(ps, errorf(mtc.ConditionNamespaceNotDNSCompliant, field,
					"namespace %q is not DNS-1123 compliant: %s", n, strings.Join(msgs, "; ")))
			}
		}
	}
	if d := duplicates(mappings, func(m mtc.NameMapping) string { return m.Source }); len(d) > 0 {
		ps = append(ps, errorf(mtc.ConditionDuplicateNamespaceOnSourceCluster, field,
			"source namespaces %s appear more than once", strings.Join(d, ", ")))
	}
	if d := duplicates(mappings, func(m mtc.NameMapping) string { return m.Destination }); len(d) > 0 {
		ps = append(ps, errorf(mtc.ConditionDuplicateNamespaceOnDestinationCluster, field,
			"destination namespaces %s appear more than once (several sources mapped to one destination?)", strings.Join(d, ", ")))
	}
	ps = append(ps, intraClusterRule(s, mappings)...)
	if !s.IndirectVolumes {
		var long []string
		for _, m := range mappings {
			if len(m.Destination) > 59 && len(m.Destination) <= validation.DNS1123LabelMaxLength {
				long = append(long, m.Destination)
			}
		}
		if len(long) > 0 {
			ps = append(ps, warnf(mtc.ConditionNamespaceLengthExceeded, field,
				"destination namespaces %s exceed 59 characters: direct volume migration fails unless cluster_subdomain is set on the MigrationController", strings.Join(long, ", ")))
		}
	}
	return ps
}

// intraClusterRule: within one cluster, MTC requires either no namespace
// renamed (storage conversion) or every one renamed (state migration).
func intraClusterRule(s Spec, mappings []mtc.NameMapping) Problems {
	if s.Source == "" || s.Source != s.Destination {
		return nil
	}
	renamed := 0
	for _, m := range mappings {
		if m.Renamed() {
			renamed++
		}
	}
	if renamed > 0 && renamed < len(mappings) {
		return Problems{errorf(mtc.ConditionIntraClusterMigration, "--namespaces",
			"source and destination are the same cluster: map either all namespaces to new names (state migration) or none (storage conversion)")}
	}
	return nil
}

// hookRules mirror InvalidHookNSName, InvalidHookSAName, HookPhaseUnknown and
// HookPhaseDuplicate, plus MTC's documented limit of four hooks.
func hookRules(hooks []Hook) Problems {
	const field = "--hook"
	var ps Problems
	if len(hooks) > MaxHooks {
		ps = append(ps, errorf(CodeTooManyHooks, field, "%d hooks given; a plan takes at most %d, one per phase", len(hooks), MaxHooks))
	}
	seen := map[string]int{}
	for _, h := range hooks {
		if !isHookPhase(h.Phase) {
			ps = append(ps, errorf(mtc.ConditionHookPhaseUnknown, field,
				"unknown phase %q in %q: use one of %s", h.Phase, h.String(), strings.Join(HookPhases, ", ")))
		} else {
			seen[h.Phase]++
		}
		if msgs := validation.IsDNS1123Subdomain(h.Name); len(msgs) > 0 {
			ps = append(ps, errorf(CodeInvalidHookName, field, "%q is not a valid MigHook name", h.Name))
		}
		if msgs := validation.IsDNS1123Label(h.ExecutionNamespace); len(msgs) > 0 {
			ps = append(ps, errorf(mtc.ConditionInvalidHookNSName, field,
				"execution namespace %q of hook %s is not a DNS-1123 label", h.ExecutionNamespace, h.Name))
		}
		if msgs := validation.IsDNS1123Subdomain(h.ServiceAccount); len(msgs) > 0 {
			ps = append(ps, errorf(mtc.ConditionInvalidHookSAName, field,
				"service account %q of hook %s is not a DNS-1123 subdomain", h.ServiceAccount, h.Name))
		}
	}
	var dup []string
	for _, p := range HookPhases {
		if seen[p] > 1 {
			dup = append(dup, p)
		}
	}
	if len(dup) > 0 {
		ps = append(ps, errorf(mtc.ConditionHookPhaseDuplicate, field,
			"phase %s has more than one hook: only one hook may be specified per phase", strings.Join(dup, ", ")))
	}
	return ps
}

func isHookPhase(p string) bool {
	for _, known := range HookPhases {
		if p == known {
			return true
		}
	}
	return false
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// duplicates returns the keys seen more than once, sorted.
func duplicates(ms []mtc.NameMapping, key func(mtc.NameMapping) string) []string {
	count := map[string]int{}
	for _, m := range ms {
		count[key(m)]++
	}
	var out []string
	for k, n := range count {
		if n > 1 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
