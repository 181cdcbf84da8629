// Package rules holds the diagnose rule catalogue and the engine that runs it
// over a snapshot: each rule is a small unit in its own file with a stable ID
// (MIG0001, ...), a severity, what it needs, and a Check that turns the
// snapshot into findings with evidence and an exact fix.
package rules

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity orders findings. Higher is worse.
type Severity int

// Severities.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" (or "warn") and "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalText writes the severity's name, for JSON and YAML.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

func (o ObjectRef) String() string {
	if o.Kind == "" && o.Name == "" {
		return "-"
	}
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// Evidence is one fact behind a finding: an object's condition or field, an
// event, a log line (file:line), or a live probe.
type Evidence struct {
	// Type is "condition", "object", "event", "log" or "probe".
	Type    string     `json:"type"`
	Cluster string     `json:"cluster,omitempty"`
	Object  *ObjectRef `json:"object,omitempty"`
	// Condition is the condition type for Type "condition".
	Condition string `json:"condition,omitempty"`
	Message   string `json:"message"`
	// File and Line locate a log excerpt (bundle path or pod log locator).
	File    string `json:"file,omitempty"`
	Line    int64  `json:"line,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
}

// Location is "file:line" for log evidence.
func (e Evidence) Location() string {
	if e.File == "" {
		return ""
	}
	if e.Line == 0 {
		return e.File
	}
	return fmt.Sprintf("%s:%d", e.File, e.Line)
}

// Finding is one problem found.
type Finding struct {
	ID       string     `json:"id"`
	Severity Severity   `json:"severity"`
	Title    string     `json:"title"`
	Summary  string     `json:"summary"`
	Cluster  string     `json:"cluster,omitempty"`
	Object   ObjectRef  `json:"object"`
	Evidence []Evidence `json:"evidence"`
	// Remediation is the fix, with exact commands.
	Remediation string `json:"remediation"`
	Docs        string `json:"docs,omitempty"`
	// Related lists the IDs of other findings about the same migration
	// (MIG0015 points at its causes).
	Related []string `json:"related,omitempty"`
	// Migration ties the finding to a MigMigration (namespace/name) so the
	// engine can relate findings; not printed.
	Migration string `json:"-"`
}

// Skipped is a rule that could not run, and why.
type Skipped struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// String renders a finding on one line (logs, test failures).
func (f Finding) String() string {
	b, _ := json.Marshal(struct {
		ID, Sev, Obj, Sum string
	}{f.ID, f.Severity.String(), f.Object.String(), f.Summary})
	return string(b)
}
