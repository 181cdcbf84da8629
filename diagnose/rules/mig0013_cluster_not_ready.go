package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

type clusterNotReady struct{}

func (clusterNotReady) Meta() Meta {
	return Meta{
		ID: "MIG0013", Severity: Error, Title: "migration cluster not ready, unreachable, or its token is invalid",
		Description: "A MigCluster used by a plan is not Ready: bad URL, missing or empty service account token secret, failed connection test, a token without enough privileges, or an invalid registry route.",
		Fix:         "Fix the MigCluster as its condition says (URL, saToken secret, cluster-admin rights on the remote cluster), then set spec.refresh: true.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigCluster},
	}
}

func (clusterNotReady) Check(_ context.Context, in *Input) ([]Finding, error) {
	cls, err := listTyped[mtc.MigCluster](in, in.Host(), snapshot.MigCluster)
	if err != nil {
		return nil, err
	}
	scope := clustersInScope(in)
	var out []Finding
	for _, c := range cls {
		if scope != nil && !scope[c.Name] {
			continue
		}
		obj := ref(mtc.KindMigCluster, c.Namespace, c.Name)
		var blockers []mtc.Condition
		for _, b := range c.Status.Conditions.Blockers() {
			if b.Type == mtc.ConditionTestConnectFailed && isX509(b.Message) {
				continue // a certificate problem: MIG0004 explains it
			}
			blockers = append(blockers, b)
		}
		if len(blockers) == 0 {
			continue
		}
		var types, fixes []string
		for _, b := range blockers {
			types = append(types, b.Type)
			fixes = append(fixes, clusterFix(in, c, b))
		}
		fixes = append(fixes, "Then re-validate: "+in.cmd(`patch migcluster %s -n %s --type merge -p '{"spec":{"refresh":true}}'`, c.Name, c.Namespace))
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj,
			Summary:     fmt.Sprintf("MigCluster %s is not ready: %s", c.Name, strings.Join(types, ", ")),
			Evidence:    conditionsOf(in.Host(), obj, blockers),
			Remediation: strings.Join(dedupeStrings(fixes), "\n"),
		})
	}
	return out, nil
}

func clusterFix(in *Input, c *mtc.MigCluster, b mtc.Condition) string {
	secret, secretNS := "<secret>", in.Cfg.Namespace
	if r := c.Spec.ServiceAccountSecretRef; r != nil {
		secret, secretNS = r.Name, r.Namespace
	}
	switch b.Type {
	case mtc.ConditionInvalidURL:
		return "InvalidURL: set spec.url to the remote API server, e.g. https://api.<cluster>:6443."
	case mtc.ConditionInvalidSaSecretRef:
		return fmt.Sprintf("InvalidSaSecretRef: create the token secret and point spec.serviceAccountSecretRef at it: %s",
			in.cmd("create secret generic %s -n %s --from-literal=saToken=<token>", secret, secretNS))
	case mtc.ConditionInvalidSaToken:
		return fmt.Sprintf("InvalidSaToken: put a valid token under key saToken in secret %s/%s: %s",
			secretNS, secret, in.cmd("create secret generic %s -n %s --from-literal=saToken=<token> --dry-run=client -o yaml | %s apply -f -", secret, secretNS, in.Cfg.CLI))
	case mtc.ConditionSaTokenNotPrivileged:
		return "SaTokenNotPrivileged: on the remote cluster, give the token's service account cluster-admin: " +
			in.cmd("adm policy add-cluster-role-to-user cluster-admin system:serviceaccount:%s:migration-controller", in.Cfg.Namespace)
	case mtc.ConditionTestConnectFailed:
		return fmt.Sprintf("TestConnectFailed: the host cluster cannot reach %s; check the URL, DNS, proxies and firewalls from the host (curl -sk %s/healthz) and that the token is valid.", c.Spec.URL, c.Spec.URL)
	case mtc.ConditionInvalidRegistryRoute:
		return "InvalidRegistryRoute: fix spec.exposedRegistryPath so the registry route is reachable, or use indirect image migration."
	case mtc.ConditionReconcileFailed:
		return "ReconcileFailed: read the controller log: " + in.cmd("logs deployment/migration-controller -c mtc -n %s", in.Cfg.Namespace)
	}
	return b.Type + ": correct the MigCluster as the condition message says."
}
