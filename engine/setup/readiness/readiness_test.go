package readiness

import (
	"errors"
	"strings"
	"testing"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name             string
		cond             mtc.Condition
		meaning, fixPart string
	}{
		{"connect failed", mtc.Condition{Type: mtc.ConditionTestConnectFailed, Category: mtc.CategoryCritical, Message: "Test connect failed. "},
			"could not connect", "kubectl mig cluster test src"},
		{"connect failed for want of a CA", mtc.Condition{Type: mtc.ConditionTestConnectFailed, Category: mtc.CategoryCritical,
			Message: "Test connect failed. The `caBundle` is required for self-signed API server certificates."},
			"does not trust the cluster's certificate", "--ca-from-server"},
		{"token not privileged", mtc.Condition{Type: mtc.ConditionSaTokenNotPrivileged, Category: mtc.CategoryCritical},
			"lacks cluster-wide rights", "cluster-admin"},
		{"bucket test", mtc.Condition{Type: mtc.ConditionBackupStorageProviderTestFailed, Category: mtc.CategoryCritical},
			"write, read and delete", "region"},
		{"unknown type keeps message only", mtc.Condition{Type: "Whatever", Category: mtc.CategoryWarn, Message: "m"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Explain(tt.cond, "kubectl mig", "src")
			if !strings.Contains(e.Meaning, tt.meaning) || !strings.Contains(e.Fix, tt.fixPart) || e.Message != tt.cond.Message {
				t.Fatalf("Explain = %+v", e)
			}
		})
	}
}

func TestNotReadyError(t *testing.T) {
	e := &NotReadyError{Kind: "MigCluster", Namespace: "ns", Name: "src", Timeout: true}
	if !strings.Contains(e.Error(), "is the migration-controller running") || !errors.Is(e, ErrNotReady) {
		t.Fatalf("no blockers: %v", e)
	}
	e.Timeout = false
	e.Blockers = []Explained{Explain(mtc.Condition{Type: mtc.ConditionInvalidSaToken, Category: mtc.CategoryCritical, Message: "m"}, "kubectl mig", "src")}
	msg := e.Error()
	for _, want := range []string{"will not become Ready", "InvalidSaToken (Critical): m", "means:", "fix:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

func TestProblemsSkipsReadyAndFalse(t *testing.T) {
	cs := mtc.Conditions{
		{Type: mtc.ConditionReady, Status: "True", Category: mtc.CategoryRequired},
		{Type: mtc.ConditionOperatorVersionMismatch, Status: "True", Category: mtc.CategoryWarn},
		{Type: mtc.ConditionTestConnectFailed, Status: "False", Category: mtc.CategoryCritical},
	}
	p := Problems(cs, "kubectl mig", "x")
	if len(p) != 1 || p[0].Type != mtc.ConditionOperatorVersionMismatch {
		t.Fatalf("Problems = %+v", p)
	}
}
