// Package casetest holds the diagnose test cases: small scenarios in the
// test/scenarios format (clusters/<cluster>/*.yaml templates and
// clusters/<cluster>/logs/<ns>/<pod>/<container>.log) with the findings they
// must produce. The same case is loaded into real API servers for live tests
// (through test/scenario) and rendered here into the official MTC
// must-gather layout for bundle tests, so both backends are held to the same
// expectations.
package casetest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Expect is one finding a case must produce: rule ID, object kind and name.
type Expect struct {
	ID   string
	Kind string
	Name string
}

func (e Expect) String() string { return e.ID + " " + e.Kind + "/" + e.Name }

// Case is one scenario and its expected outcome.
type Case struct {
	Name string
	// Files are scenario files by path relative to the scenario root, e.g.
	// "clusters/host/20-migration.yaml" or
	// "clusters/source/logs/openshift-migration/velero-abc/velero.log".
	Files map[string]string
	// Plan or Migration scope the run (both empty: --all).
	Plan, Migration string
	// Rules limits the rules run (nil: all).
	Rules []string
	// Want are the findings expected, exactly (for the rules run).
	Want []Expect
	// Skipped are rule IDs expected to be reported as skipped.
	Skipped []string
}

// WriteScenario writes the case as a scenario directory.
func (c Case) WriteScenario(dir string) error {
	for rel, content := range c.Files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// With returns a copy of c with extra or replaced files.
func (c Case) With(name string, files map[string]string) Case {
	out := c
	out.Name = name
	out.Files = map[string]string{}
	for k, v := range c.Files {
		out.Files[k] = v
	}
	for k, v := range files {
		if v == "" {
			delete(out.Files, k)
			continue
		}
		out.Files[k] = v
	}
	return out
}

// Compare checks got (ID, kind, name triples) against want and returns a
// readable difference, or "".
func Compare(want, got []Expect) string {
	ws, gs := keys(want), keys(got)
	var missing, extra []string
	for k := range ws {
		if !gs[k] {
			missing = append(missing, k)
		}
	}
	for k := range gs {
		if !ws[k] {
			extra = append(extra, k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return fmt.Sprintf("missing findings: [%s]\nunexpected findings: [%s]", strings.Join(missing, "; "), strings.Join(extra, "; "))
}

func keys(es []Expect) map[string]bool {
	m := map[string]bool{}
	for _, e := range es {
		m[e.String()] = true
	}
	return m
}

// FromDir reads a scenario directory (test/scenarios/<name>) as a Case.
func FromDir(dir string) (Case, error) {
	c := Case{Name: filepath.Base(dir), Files: map[string]string{}}
	root := filepath.Join(dir, "clusters")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.Files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return c, err
}
