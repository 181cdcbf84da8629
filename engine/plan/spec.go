// Package plan validates, builds, creates and inspects MTC migration plans
// (MigPlan). The validation rules mirror those the MTC controller applies
// (the condition names are reused as rule codes), so that a plan the CLI
// accepts does not come back from the controller with a Critical condition
// that could have been caught before anything was written.
package plan

import (
	"fmt"
	"strings"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// Defaults MTC's web console uses for hooks; the controller rejects an empty
// executionNamespace (InvalidHookNSName) or serviceAccount (InvalidHookSAName).
const (
	DefaultHookServiceAccount = "migration-controller"
	// MaxHooks is one per phase: PreBackup, PostBackup, PreRestore, PostRestore.
	MaxHooks = 4
)

// HookPhases are the phases a plan hook may run at, in execution order.
var HookPhases = []string{mtc.HookPhasePreBackup, mtc.HookPhasePostBackup, mtc.HookPhasePreRestore, mtc.HookPhasePostRestore}

// Spec is what a user asks for when creating a plan: plain values, no API
// objects, so the rules can be tested without a cluster.
type Spec struct {
	Name string
	// Namespace is where the MTC resources live (openshift-migration).
	Namespace   string
	Source      string
	Destination string
	Storage     string
	// Namespaces are "src" or "src:dest" entries.
	Namespaces      []string
	IndirectVolumes bool
	IndirectImages  bool
	Hooks           []Hook
}

// Hook attaches an existing MigHook to a phase.
type Hook struct {
	Phase string
	// Name of the MigHook, in the MTC namespace.
	Name string
	// ExecutionNamespace is where the hook Job runs (default: the MTC
	// namespace, as in MTC's web console).
	ExecutionNamespace string
	// ServiceAccount the hook Job runs as (default migration-controller).
	ServiceAccount string
}

// ParseHook parses the --hook syntax PHASE=HOOK[,namespace=NS][,service-account=SA].
// Phase names are matched case-insensitively and returned in MTC's spelling.
func ParseHook(s string) (Hook, error) {
	fields := strings.Split(s, ",")
	phase, name, ok := strings.Cut(fields[0], "=")
	if !ok || strings.TrimSpace(phase) == "" || strings.TrimSpace(name) == "" {
		return Hook{}, fmt.Errorf("invalid hook %q: want PHASE=HOOK[,namespace=NS][,service-account=SA]", s)
	}
	h := Hook{Phase: canonicalPhase(strings.TrimSpace(phase)), Name: strings.TrimSpace(name)}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok || v == "":
			return Hook{}, fmt.Errorf("invalid hook option %q in %q: want key=value", f, s)
		case k == "namespace":
			h.ExecutionNamespace = v
		case k == "service-account":
			h.ServiceAccount = v
		default:
			return Hook{}, fmt.Errorf("unknown hook option %q in %q: use namespace= or service-account=", k, s)
		}
	}
	return h, nil
}

// canonicalPhase returns MTC's spelling of a known phase, or p unchanged
// (the rules then report it as unknown).
func canonicalPhase(p string) string {
	for _, known := range HookPhases {
		if strings.EqualFold(p, known) {
			return known
		}
	}
	return p
}

// String renders the hook back in --hook syntax.
func (h Hook) String() string {
	s := h.Phase + "=" + h.Name
	if h.ExecutionNamespace != "" {
		s += ",namespace=" + h.ExecutionNamespace
	}
	if h.ServiceAccount != "" {
		s += ",service-account=" + h.ServiceAccount
	}
	return s
}

// WithDefaults fills the hook defaults the controller needs.
func (s Spec) WithDefaults() Spec {
	out := s
	if out.Namespace == "" {
		out.Namespace = mtc.Namespace
	}
	out.Hooks = make([]Hook, len(s.Hooks))
	for i, h := range s.Hooks {
		if h.ExecutionNamespace == "" {
			h.ExecutionNamespace = out.Namespace
		}
		if h.ServiceAccount == "" {
			h.ServiceAccount = DefaultHookServiceAccount
		}
		out.Hooks[i] = h
	}
	return out
}
