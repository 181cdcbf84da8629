// Package readiness waits for the MTC controller to validate a MigCluster,
// MigStorage or MigHook and explains, in plain words, the conditions that keep
// one from becoming Ready. The controller removes Ready rather than setting
// it False, and records the real connection error nowhere, so the words here
// say what to check and which command reproduces the problem.
package readiness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// Explained is an asserted condition with what it means and what to do.
type Explained struct {
	Type     string `json:"type"`
	Category string `json:"category"`
	Reason   string `json:"reason,omitempty"`
	Message  string `json:"message,omitempty"`
	Meaning  string `json:"meaning,omitempty"`
	Fix      string `json:"fix,omitempty"`
}

func (e Explained) String() string {
	s := fmt.Sprintf("%s (%s)", e.Type, e.Category)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Meaning != "" {
		s += "\n    means: " + e.Meaning
	}
	if e.Fix != "" {
		s += "\n    fix:   " + e.Fix
	}
	return s
}

type advice struct{ meaning, fix string }

// Explanations by condition type. %[1]s is the command prefix ("kubectl
// mig"), %[2]s the object name.
var explanations = map[string]advice{
	// MigCluster.
	mtc.ConditionInvalidURL: {"the cluster's spec.url is missing, malformed or not http(s)",
		"set the API server URL, e.g. https://api.example.com:6443 (%[1]s cluster add %[2]s --overwrite ...)"},
	mtc.ConditionInvalidSaSecretRef: {"spec.serviceAccountSecretRef does not name an existing Secret on the host cluster",
		"re-run %[1]s cluster add %[2]s --overwrite with the token, which recreates the Secret"},
	mtc.ConditionInvalidSaToken: {"the token Secret has no saToken key, or it is empty",
		"store the remote cluster's service-account token: %[1]s cluster add %[2]s --overwrite --token-file ..."},
	mtc.ConditionTestConnectFailed: {"the controller, running on the host cluster, could not connect to the URL with the token and CA (MTC does not record the underlying error)",
		"run '%[1]s cluster test %[2]s' to reproduce the connection from here with the same URL, token and CA and see the exact TLS or network error"},
	mtc.ConditionSaTokenNotPrivileged: {"the token authenticates but its identity lacks cluster-wide rights",
		"bind the service account to cluster-admin on that cluster (MTC's migration-controller service account is), or use its token"},
	mtc.ConditionInvalidRegistryRoute: {"the exposed registry path (spec.exposedRegistryPath) does not answer",
		"check the route of the cluster's image registry, or leave it empty if you do not use direct image migration"},
	mtc.ConditionClusterOperatorVersionNotFound: {"the MTC operator's version is not recorded on that cluster (configmap migration-cluster-config)",
		"install the same MTC operator version on every cluster"},
	mtc.ConditionOperatorVersionMismatch: {"the clusters run different MTC operator versions",
		"upgrade MTC so that every cluster runs the host's version"},
	// MigStorage.
	mtc.ConditionInvalidBackupStorageProvider: {"spec.backupStorageProvider is not aws, gcp or azure",
		"re-create the storage with --provider aws|gcp|azure|generic-s3"},
	mtc.ConditionInvalidBackupStorageCredsSecretRef: {"the credentials Secret of the replication repository is missing on the host cluster",
		"re-run %[1]s storage add %[2]s --overwrite with the credentials"},
	mtc.ConditionInvalidBackupStorageSettings: {"a provider field is missing or invalid, or the credentials Secret lacks the keys the provider needs",
		"check the bucket, region, URL and credentials ('%[1]s storage describe %[2]s' lists the Secret's keys)"},
	mtc.ConditionInvalidVolumeSnapshotProvider: {"spec.volumeSnapshotProvider is not aws, gcp or azure",
		"use --snapshot-provider aws|gcp|azure, or none for filesystem copies"},
	mtc.ConditionInvalidVolumeSnapshotCredsSecretRef: {"the snapshot credentials Secret is missing",
		"re-run %[1]s storage add %[2]s --overwrite with the credentials"},
	mtc.ConditionInvalidVolumeSnapshotSettings: {"a snapshot field is missing or invalid (region, resource group, API timeout)",
		"check --snapshot-region, --resource-group and --snapshot-api-timeout"},
	mtc.ConditionBackupStorageProviderTestFailed: {"the controller could not write, read and delete a test object in the bucket with these credentials",
		"check the bucket name, region or endpoint URL, that the keys may write to the bucket, and the CA (--ca-bundle) for a self-signed endpoint"},
	mtc.ConditionVolumeSnapshotProviderTestFailed: {"the controller could not reach the snapshot provider with these credentials",
		"check the snapshot region and that the credentials may create volume snapshots"},
	// MigHook.
	mtc.ConditionInvalidTarget: {"spec.targetCluster is neither source nor destination",
		"re-create the hook with --target source or --target destination"},
	mtc.ConditionInvalidImage: {"spec.image is not a valid image reference",
		"use a reference like quay.io/org/image:tag"},
	mtc.ConditionInvalidPlaybookData: {"spec.playbook is not base64", "re-create the hook with --playbook FILE"},
	mtc.ConditionInvalidAnsibleHook:  {"an Ansible hook needs a playbook", "pass --playbook FILE, or --custom for a custom image"},
	mtc.ConditionInvalidCustomHook:   {"a custom hook must not carry a playbook", "drop --playbook, or drop --custom"},
	// MigAnalytic.
	mtc.ConditionInvalidPlanRef: {"the referenced MigPlan does not exist, or is not set",
		"check the plan name with '%[1]s plan list'"},
	mtc.ConditionPostponed: {"the controller postponed the work, usually because the plan is not Ready yet",
		"see what blocks the plan with '%[1]s plan describe PLAN'"},
	mtc.ConditionExtendedPVAnalysisFailed: {"measuring volume usage (df/du inside the node-agent pods on the source cluster) failed, so usage and proposed sizes are missing",
		"check that the node-agent (restic) pods run on the source cluster's nodes, or re-run with --pv-usage=false"},
	// Generic.
	mtc.ConditionReconcileFailed: {"the controller failed while reconciling the object",
		"read the migration-controller logs in the MTC namespace on the host cluster"},
}

// Explain adds meaning and fix to a condition. prefix is the command users
// type ("kubectl mig"), name the object's name.
func Explain(c mtc.Condition, prefix, name string) Explained {
	e := Explained{Type: c.Type, Category: c.Category, Reason: c.Reason, Message: c.Message}
	if a, ok := explanations[c.Type]; ok {
		e.Meaning = a.meaning
		if strings.Contains(a.fix, "%[") {
			e.Fix = fmt.Sprintf(a.fix, prefix, name)
		} else {
			e.Fix = a.fix
		}
	}
	if c.Type == mtc.ConditionTestConnectFailed && strings.Contains(c.Message, "caBundle") {
		e.Meaning = "the controller does not trust the cluster's certificate: it is self-signed or signed by a private CA and no caBundle is set"
		e.Fix = fmt.Sprintf("re-run %s cluster add %s --overwrite with --ca-bundle FILE or --ca-from-server", prefix, name)
	}
	return e
}

// Problems returns the asserted conditions other than Ready that need
// attention (Critical, Error, Warn), explained.
func Problems(cs mtc.Conditions, prefix, name string) []Explained {
	var out []Explained
	for _, c := range cs.ByCategory(mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn) {
		out = append(out, Explain(c, prefix, name))
	}
	return out
}

// NotReadyError is returned by Wait when the object is not Ready in time, or
// when a Critical condition says it will not become Ready without a change.
type NotReadyError struct {
	Kind, Namespace, Name string
	// Blockers are the explained Critical/Error conditions (maybe none: the
	// controller may not be running).
	Blockers []Explained
	Timeout  bool
}

func (e *NotReadyError) Error() string {
	var b strings.Builder
	if e.Timeout {
		fmt.Fprintf(&b, "%s %s/%s is not Ready yet", e.Kind, e.Namespace, e.Name)
	} else {
		fmt.Fprintf(&b, "%s %s/%s will not become Ready", e.Kind, e.Namespace, e.Name)
	}
	if len(e.Blockers) == 0 {
		fmt.Fprintf(&b, " and reports no problem: is the migration-controller running in %s on the host cluster?", e.Namespace)
		return b.String()
	}
	b.WriteString(":")
	for _, x := range e.Blockers {
		b.WriteString("\n  - " + strings.ReplaceAll(x.String(), "\n", "\n  "))
	}
	return b.String()
}

// ErrNotReady is matched by every NotReadyError.
var ErrNotReady = errors.New("not ready")

// Is makes errors.Is(err, ErrNotReady) work.
func (e *NotReadyError) Is(target error) bool { return target == ErrNotReady }

// WaitOptions tunes Wait.
type WaitOptions struct {
	Interval time.Duration
	// Prefix and the object's name fill in the fixes.
	Prefix string
	// Progress, when set, is called each time the asserted conditions change.
	Progress func(conds mtc.Conditions)
}

// Wait polls the object until its Ready condition is asserted with the spec
// the caller wrote (spec.refresh cleared), and returns its conditions. A
// Critical condition on a validated object ends the wait early: the
// controller re-validates only when the object changes. ctx bounds the wait.
func Wait(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, kind, ns, name string, opts WaitOptions) (mtc.Conditions, error) {
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Second
	}
	ri := dyn.Resource(gvr).Namespace(ns)
	var last mtc.Conditions
	var seen string
	done := false
	err := wait.PollUntilContextCancel(ctx, interval, true, func(ctx context.Context) (bool, error) {
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			// Only errors that cannot pass end the wait early; a slow server
			// or the rate limiter near the deadline is retried.
			if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
				return false, err
			}
			return false, nil
		}
		conds, refreshing, err := statusOf(u)
		if err != nil {
			return false, err
		}
		last = conds
		if key := conditionKey(conds); key != seen && opts.Progress != nil {
			seen = key
			opts.Progress(conds)
		}
		if refreshing {
			return false, nil
		}
		if conds.IsReady() {
			done = true
			return true, nil
		}
		return conds.HasCritical(), nil
	})
	if done {
		return last, nil
	}
	if err != nil && ctx.Err() == nil {
		return last, fmt.Errorf("wait for %s %s/%s: %w", kind, ns, name, err)
	}
	var blockers []Explained
	for _, c := range last.Blockers() {
		blockers = append(blockers, Explain(c, opts.Prefix, name))
	}
	return last, &NotReadyError{Kind: kind, Namespace: ns, Name: name, Blockers: blockers, Timeout: ctx.Err() != nil}
}

// statusOf reads status.conditions and spec.refresh of any MTC object.
func statusOf(u *unstructured.Unstructured) (mtc.Conditions, bool, error) {
	type obj struct {
		Spec struct {
			Refresh bool `json:"refresh"`
		} `json:"spec"`
		Status struct {
			Conditions mtc.Conditions `json:"conditions"`
		} `json:"status"`
	}
	o, err := kube.FromUnstructured[obj](u)
	if err != nil {
		return nil, false, err
	}
	return o.Status.Conditions, o.Spec.Refresh, nil
}

func conditionKey(cs mtc.Conditions) string {
	var parts []string
	for _, c := range cs {
		if c.IsTrue() {
			parts = append(parts, c.Type+"/"+c.Reason)
		}
	}
	return strings.Join(parts, ",")
}
