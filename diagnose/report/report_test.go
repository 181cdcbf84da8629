package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
)

func sample() *rules.Report {
	obj := rules.ObjectRef{Kind: "DirectVolumeMigration", Namespace: "openshift-migration", Name: "mig1-dvm"}
	return &rules.Report{
		Source: snapshot.Source{Type: "bundle", Path: "/tmp/mg", Clusters: []string{"host", "source"}},
		Findings: []rules.Finding{{
			ID: "MIG0001", Severity: rules.Error, Title: "rsync transfer or client pods stuck Pending", Summary: "DVM mig1-dvm: rsync pods are not running",
			Cluster: "host", Object: obj,
			Evidence: []rules.Evidence{
				{Type: "condition", Cluster: "host", Object: &obj, Condition: "RsyncTransferPodsPending", Message: "not running"},
				{Type: "log", Cluster: "source", File: "clusters/source/x.log", Line: 12, Message: "timed out", Excerpt: "level=error msg=x"},
			},
			Remediation: "oc annotate namespace app openshift.io/node-selector=\"region=east\" --overwrite",
			Docs:        "https://docs.example/mtc",
		}},
		Skipped: []rules.Skipped{{ID: "MIG0011", Reason: "persistentvolumes not in the bundle"}},
	}
}

func TestJSONEnvelope(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["apiVersion"] != "mig.diagnose/v1" || doc["source"] == nil {
		t.Fatalf("envelope = %v", doc)
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "severity", "title", "cluster", "object", "evidence", "remediation", "docs"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}
	if f["severity"] != "error" {
		t.Errorf("severity = %v", f["severity"])
	}
	o := f["object"].(map[string]any)
	if o["kind"] != "DirectVolumeMigration" || o["name"] != "mig1-dvm" {
		t.Errorf("object = %v", o)
	}
	sk := doc["skipped"].([]any)[0].(map[string]any)
	if sk["id"] != "MIG0011" || sk["reason"] == "" {
		t.Errorf("skipped = %v", sk)
	}
}

func TestEmptyListsAreArrays(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &rules.Report{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) || !strings.Contains(buf.String(), `"skipped": []`) {
		t.Fatalf("empty report: %s", buf.String())
	}
}

func TestYAML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteYAML(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.APIVersion != APIVersion || len(doc.Findings) != 1 || doc.Findings[0].Severity != rules.Error || doc.Summary.Error != 1 {
		t.Fatalf("yaml round trip: %+v", doc)
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		name  string
		color bool
	}{{"plain", false}, {"colour", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTable(&buf, sample(), TableOptions{Color: tt.color}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, want := range []string{"SEVERITY", "MIG0001", "DirectVolumeMigration/openshift-migration/mig1-dvm", "rsync pods are not running",
				"Evidence:", "source: clusters/source/x.log:12: timed out", "| level=error msg=x", "Fix:", "oc annotate namespace app", "Skipped rules (1)", "MIG0011"} {
				if !strings.Contains(out, want) {
					t.Errorf("table lacks %q:\n%s", want, out)
				}
			}
			if hasESC := strings.Contains(out, "\x1b["); hasESC != tt.color {
				t.Errorf("colour codes present=%v, want %v", hasESC, tt.color)
			}
		})
	}
}

func TestNoFindings(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &rules.Report{}, "table", TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No problems found.") {
		t.Fatalf("got %q", buf.String())
	}
	if err := Write(&buf, &rules.Report{}, "xml", TableOptions{}); err == nil {
		t.Fatal("want error for unknown format")
	}
}
