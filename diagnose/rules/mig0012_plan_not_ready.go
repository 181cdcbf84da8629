package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// planFixes explains how to clear each blocking MigPlan condition.
var planFixes = map[string]string{
	mtc.ConditionInvalidSourceClusterRef:                "Point spec.srcMigClusterRef at an existing MigCluster (list them with `%[1]s get migclusters -n %[2]s`).",
	mtc.ConditionInvalidDestinationClusterRef:           "Point spec.destMigClusterRef at an existing MigCluster (list them with `%[1]s get migclusters -n %[2]s`).",
	mtc.ConditionInvalidStorageRef:                      "Point spec.migStorageRef at an existing MigStorage (list them with `%[1]s get migstorages -n %[2]s`).",
	mtc.ConditionSourceClusterNotReady:                  "Fix the source MigCluster first (see its MIG0013/MIG0004 finding); the plan turns Ready by itself afterwards.",
	mtc.ConditionDestinationClusterNotReady:             "Fix the destination MigCluster first (see its MIG0013/MIG0004 finding); the plan turns Ready by itself afterwards.",
	mtc.ConditionStorageNotReady:                        "Fix the replication repository first (see its MIG0014 finding).",
	mtc.ConditionNamespaceListEmpty:                     "Add at least one namespace to spec.namespaces.",
	mtc.ConditionNamespaceLimitExceeded:                 "Split the namespaces over several plans, or raise mig_namespace_limit in the MigrationController.",
	mtc.ConditionNamespaceNotDNSCompliant:               "Use DNS-1123 names for the destination namespaces in spec.namespaces (src:dest).",
	mtc.ConditionNamespaceNotFoundOnSourceCluster:       "Remove or correct the namespaces that do not exist on the source cluster.",
	mtc.ConditionNamespaceNotFoundOnDestinationCluster:  "Create the namespaces on the destination cluster or correct the mapping in spec.namespaces.",
	mtc.ConditionDuplicateNamespaceOnSourceCluster:      "List each source namespace once in spec.namespaces.",
	mtc.ConditionDuplicateNamespaceOnDestinationCluster: "Map each destination namespace from only one source namespace.",
	mtc.ConditionPlanConflict:                           "Another open plan uses the same cluster and namespace: close it (spec.closed: true) or remove the namespace from one plan.",
	mtc.ConditionIntraClusterMigration:                  "Source and destination are the same cluster: use direct volume migration and distinct destination namespaces.",
	mtc.ConditionStorageClassConversionUnavailable:      "Select at least one PVC and make two storage classes available for a storage class conversion.",
	mtc.ConditionInvalidHookRef:                         "Point spec.hooks[].reference at existing MigHooks.",
	mtc.ConditionHookNotReady:                           "Fix the referenced MigHook (see its conditions).",
	mtc.ConditionHookPhaseDuplicate:                     "Use each hook phase (PreBackup, PostBackup, PreRestore, PostRestore) only once.",
	mtc.ConditionHookPhaseUnknown:                       "Use one of PreBackup, PostBackup, PreRestore, PostRestore as hook phase.",
	mtc.ConditionSourceClusterNoRegistryPath:            "Set spec.exposedRegistryPath on the source MigCluster, or set spec.indirectImageMigration: true on the plan.",
	mtc.ConditionDestinationClusterNoRegistryPath:       "Set spec.exposedRegistryPath on the destination MigCluster, or set spec.indirectImageMigration: true on the plan.",
	mtc.ConditionReconcileFailed:                        "Read the migration controller log for the error: `%[1]s logs deployment/migration-controller -c mtc -n %[2]s`.",
}

type planNotReady struct{}

func (planNotReady) Meta() Meta {
	return Meta{
		ID: "MIG0012", Severity: Error, Title: "migration plan not ready",
		Description: "A MigPlan has Critical or Error conditions, so it is not Ready and its migrations cannot run. Each blocking condition is explained with its fix.",
		Fix:         "Fix what each condition names, then set spec.refresh: true on the plan to re-validate it.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigPlan},
	}
}

func (planNotReady) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	for _, p := range in.Plans {
		blockers := p.Status.Conditions.Blockers()
		if len(blockers) == 0 || p.Spec.Closed {
			continue
		}
		obj := ref(mtc.KindMigPlan, p.Namespace, p.Name)
		var types, fixes []string
		for _, c := range blockers {
			types = append(types, c.Type)
			fix, ok := planFixes[c.Type]
			if !ok {
				fix = "Correct the plan as the condition message says."
			}
			if strings.Contains(fix, "%[1]s") {
				fix = fmt.Sprintf(fix, in.Cfg.CLI, in.Cfg.Namespace)
			}
			fixes = append(fixes, fmt.Sprintf("%s: %s", c.Type, fix))
		}
		fixes = append(fixes, "Then re-validate the plan: "+in.cmd(`patch migplan %s -n %s --type merge -p '{"spec":{"refresh":true}}'`, p.Name, p.Namespace))
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj,
			Summary:     fmt.Sprintf("plan %s is not ready: %s", p.Name, strings.Join(types, ", ")),
			Evidence:    conditionsOf(in.Host(), obj, blockers),
			Remediation: strings.Join(fixes, "\n"),
		})
	}
	return out, nil
}
