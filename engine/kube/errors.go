package kube

import (
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// isConflictOrTestFailed recognises a lost race: a 409 Conflict, or the 422
// the API server returns when a JSON patch "test" of resourceVersion fails.
func isConflictOrTestFailed(err error) bool {
	if apierrors.IsConflict(err) {
		return true
	}
	msg := err.Error()
	return apierrors.IsInvalid(err) && (strings.Contains(msg, "test failed") || strings.Contains(msg, "testing value"))
}
