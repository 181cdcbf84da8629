package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain", errors.New("boom"), ExitFailure},
		{"usage", Usagef("bad flag"), ExitUsage},
		{"wrapped usage", fmt.Errorf("ctx: %w", Usagef("bad")), ExitUsage},
		{"explicit", WithExitCode(4, errors.New("timeout")), 4},
		{"explicit nil", WithExitCode(3, nil), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Fatalf("ExitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParent(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "kubectl"},
		{"/usr/bin/kubectl", "kubectl"},
		{"/usr/local/bin/oc", "oc"},
		{`C:\bin\oc.exe`, "kubectl"}, // filepath.Base on linux keeps the backslashes
		{"/opt/OC", "oc"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := Parent(func(string) string { return tt.path })
			if got != tt.want {
				t.Fatalf("Parent(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestAdvice(t *testing.T) {
	gr := schema.GroupResource{Group: "migration.openshift.io", Resource: "migplans"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"not found", apierrors.NewNotFound(gr, "p1"), `"p1" does not exist`},
		{"forbidden", apierrors.NewForbidden(gr, "p1", errors.New("no")), "lack this permission"},
		{"unauthorized", apierrors.NewUnauthorized("x"), "token or certificate was rejected"},
		{"x509", errors.New(`Get "https://h": tls: failed to verify certificate: x509: certificate signed by unknown authority`), "caBundle"},
		{"refused", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), ""},
		{"other", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Advice(tt.err)
			if tt.want == "" {
				if got != tt.err.Error() {
					t.Fatalf("Advice = %q, want the error unchanged", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("Advice = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestPrintError(t *testing.T) {
	var b bytes.Buffer
	PrintError(&b, "kubectl mig plan create", Usagef("--source is required"))
	if !strings.Contains(b.String(), "See 'kubectl mig plan create --help'") {
		t.Fatalf("usage error output = %q", b.String())
	}
	b.Reset()
	PrintError(&b, "x", WithExitCode(1, nil))
	if b.Len() != 0 {
		t.Fatalf("silent exit printed %q", b.String())
	}
}
