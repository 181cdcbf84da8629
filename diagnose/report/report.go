// Package report renders a diagnose run: a table with a details block per
// finding for people, and a versioned JSON/YAML envelope for machines. It
// only writes to the io.Writer it is given.
package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"sigs.k8s.io/yaml"
)

// APIVersion versions the JSON/YAML document. Fields are only ever added
// within a version.
const APIVersion = "mig.diagnose/v1"

// Document is the machine-readable report.
type Document struct {
	APIVersion string          `json:"apiVersion"`
	Source     snapshot.Source `json:"source"`
	Summary    Summary         `json:"summary"`
	Findings   []rules.Finding `json:"findings"`
	Skipped    []rules.Skipped `json:"skipped"`
	Logs       rules.LogStats  `json:"logs"`
}

// Summary counts findings by severity.
type Summary struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

// NewDocument builds the envelope; empty lists are written as [] so that
// consumers need no null checks.
func NewDocument(rep *rules.Report) Document {
	d := Document{APIVersion: APIVersion, Source: rep.Source, Findings: rep.Findings, Skipped: rep.Skipped, Logs: rep.Logs}
	if d.Findings == nil {
		d.Findings = []rules.Finding{}
	}
	if d.Skipped == nil {
		d.Skipped = []rules.Skipped{}
	}
	for _, f := range rep.Findings {
		switch f.Severity {
		case rules.Error:
			d.Summary.Error++
		case rules.Warning:
			d.Summary.Warning++
		default:
			d.Summary.Info++
		}
	}
	return d
}

// WriteJSON writes the envelope as indented JSON.
func WriteJSON(w io.Writer, rep *rules.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewDocument(rep)); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// WriteYAML writes the envelope as YAML (same field names as JSON).
func WriteYAML(w io.Writer, rep *rules.Report) error {
	b, err := yaml.Marshal(NewDocument(rep))
	if err != nil {
		return fmt.Errorf("write yaml report: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// Write renders rep in format "table", "json" or "yaml".
func Write(w io.Writer, rep *rules.Report, format string, opt TableOptions) error {
	switch format {
	case "json":
		return WriteJSON(w, rep)
	case "yaml":
		return WriteYAML(w, rep)
	case "", "table":
		return WriteTable(w, rep, opt)
	}
	return fmt.Errorf("unknown output format %q (want table, json or yaml)", format)
}
