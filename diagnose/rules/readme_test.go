package rules

import (
	"os"
	"strings"
	"testing"
)

// The README documents every rule of the catalogue (ID and title).
func TestREADMEDocumentsEveryRule(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range Catalogue() {
		m := r.Meta()
		if !strings.Contains(doc, "### "+m.ID+" — "+m.Title) {
			t.Errorf("diagnose/README.md lacks a section for %s (%s)", m.ID, m.Title)
		}
	}
}
