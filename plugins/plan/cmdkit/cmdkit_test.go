package cmdkit

import (
	"bytes"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

func TestParseDryRun(t *testing.T) {
	tests := []struct {
		in   string
		want DryRun
		err  bool
	}{
		{"", DryRunNone, false}, {"none", DryRunNone, false}, {"client", DryRunClient, false},
		{"server", DryRunServer, false}, {"true", DryRunClient, false}, {"false", DryRunNone, false},
		{"maybe", DryRunNone, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDryRun(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Fatalf("ParseDryRun(%q) = %v, %v", tt.in, got, err)
			}
			if err != nil && cli.ExitCode(err) != cli.ExitUsage {
				t.Fatalf("exit code %d", cli.ExitCode(err))
			}
		})
	}
}

func TestOutput(t *testing.T) {
	tests := []struct {
		format      string
		tables      bool
		table, wide bool
		invalid     bool
	}{
		{"", true, true, false, false},
		{"wide", true, true, true, false},
		{"json", true, false, false, false},
		{"jsonpath={.metadata.name}", true, false, false, false},
		{"wide", false, false, true, true},
		{"xml", false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			o := NewOutput("created", tt.tables)
			*o.Flags.OutputFormat = tt.format
			table, wide := o.Table()
			if table != tt.table || wide != tt.wide {
				t.Fatalf("Table() = %v %v", table, wide)
			}
			if err := o.Validate(); (err != nil) != tt.invalid {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	p := &mtc.MigPlan{TypeMeta: metav1.TypeMeta{APIVersion: "migration.openshift.io/v1alpha1", Kind: "MigPlan"},
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "openshift-migration"}}
	tests := []struct {
		format string
		dry    DryRun
		want   string
	}{
		{"", DryRunNone, "migplan.migration.openshift.io/shop created\n"},
		{"", DryRunClient, "migplan.migration.openshift.io/shop created (dry run)\n"},
		{"", DryRunServer, "migplan.migration.openshift.io/shop created (server dry run)\n"},
		{"name", DryRunNone, "migplan.migration.openshift.io/shop\n"},
		{"jsonpath={.metadata.namespace}", DryRunNone, "openshift-migration"},
	}
	for _, tt := range tests {
		t.Run(tt.format+tt.dry.String(), func(t *testing.T) {
			o := NewOutput("created", false)
			*o.Flags.OutputFormat = tt.format
			var b bytes.Buffer
			if err := o.Print(&b, p, tt.dry); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Fatalf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestTableAndAge(t *testing.T) {
	var b bytes.Buffer
	tb := NewTable(&b, "NAME", "READY")
	tb.Row("shop", "")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.String() != "NAME   READY\nshop   <none>\n" {
		t.Fatalf("%q", b.String())
	}
	now := time.Now()
	if got := Age(metav1.NewTime(now.Add(-90*time.Minute)), now); got != "90m" {
		t.Fatalf("Age = %s", got)
	}
	if got := Age(metav1.Time{}, now); got != "<unknown>" {
		t.Fatalf("Age = %s", got)
	}
}
