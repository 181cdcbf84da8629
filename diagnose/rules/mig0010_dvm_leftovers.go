package rules

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// leftoverKinds are what a failed DVM leaves for debugging (MTC >= 1.5).
var leftoverKinds = []snapshot.Kind{snapshot.Pod, snapshot.ConfigMap, snapshot.Secret, snapshot.Service, snapshot.Route}

type dvmLeftovers struct{}

func (dvmLeftovers) Meta() Meta {
	return Meta{
		ID: "MIG0010", Severity: Info, Title: "leftovers of a failed direct volume migration",
		Description: "After a failed direct volume migration MTC leaves its ConfigMaps, Secrets, rsync pods (source) and Services/Routes (destination) in the migrated namespaces for debugging. They do not affect a rollback and are removed by the next successful run.",
		Fix:         "Safe to delete once you no longer need them for debugging.",
		Docs:        docsRollback,
		Needs:       []snapshot.Kind{snapshot.MigPlan, snapshot.MigMigration},
	}
}

func (r dvmLeftovers) Check(_ context.Context, in *Input) ([]Finding, error) {
	var out []Finding
	for _, p := range in.Plans {
		migs := in.MigrationsOf(p)
		if len(migs) == 0 {
			continue
		}
		last := migs[len(migs)-1]
		if last.Outcome() != mtc.OutcomeFailed && last.Outcome() != mtc.OutcomeCanceled {
			continue
		}
		if f, ok := r.leftovers(in, p, last); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

func (dvmLeftovers) leftovers(in *Input, p *mtc.MigPlan, last *mtc.MigMigration) (Finding, bool) {
	src, dst, srcErr, dstErr := in.PlanClusters(p)
	var ev []Evidence
	var cmds []string
	sides := []struct {
		cluster string
		err     error
		nss     []string
	}{{src, srcErr, p.Spec.SourceNamespaces()}, {dst, dstErr, p.Spec.DestinationNamespaces()}}
	for _, side := range sides {
		if side.err != nil {
			continue
		}
		for _, ns := range side.nss {
			byKind := map[string][]string{}
			for _, k := range leftoverKinds {
				objs, err := in.objects(side.cluster, k)
				if err != nil {
					continue
				}
				for _, o := range objs {
					if o.GetNamespace() == ns && isDVMLeftover(o) {
						byKind[k.Resource] = append(byKind[k.Resource], o.GetName())
						ev = append(ev, Evidence{Type: "object", Cluster: side.cluster, Object: refp(k.Kind, ns, o.GetName()), Message: "left by the failed direct volume migration"})
					}
				}
			}
			kinds := make([]string, 0, len(byKind))
			for k := range byKind {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			for _, k := range kinds {
				cmds = append(cmds, fmt.Sprintf("  # cluster %s\n  %s", side.cluster, in.cmd("delete %s %s -n %s", k, strings.Join(byKind[k], " "), ns)))
			}
		}
	}
	if len(ev) == 0 {
		return Finding{}, false
	}
	return Finding{
		Cluster:   dst,
		Object:    ref(mtc.KindMigPlan, p.Namespace, p.Name),
		Summary:   fmt.Sprintf("plan %s: %d object(s) left by the failed direct volume migration of %s; safe to delete", p.Name, len(ev), last.Name),
		Evidence:  ev,
		Migration: migKey(last),
		Remediation: "These objects only help debugging; they do not affect a rollback and the next successful migration of the plan removes them. To delete them now:\n" +
			strings.Join(cmds, "\n"),
	}, true
}

// isDVMLeftover recognises rsync transfer objects by label or name.
func isDVMLeftover(o *unstructured.Unstructured) bool {
	l := o.GetLabels()
	if l[mtc.DVMAppLabel] == mtc.DVMAppValue || l[mtc.DVMAppLabel] == mtc.DVMBlockAppValue || l[mtc.DVMOwnerLabel] == mtc.DVMOwnerValue || l[mtc.RsyncPodIdentityLabel] != "" {
		return true
	}
	n := o.GetName()
	return strings.Contains(n, "crane2-") || n == mtc.RsyncServerPodName || n == mtc.BlockRsyncServerPodName
}
