package rules

import (
	"context"
	"fmt"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

type networkError struct{}

func (networkError) Meta() Meta {
	return Meta{
		ID: "MIG0017", Severity: Warning, Title: "no network path from source to destination",
		Description: "The direct volume migration reports SourceToDestinationNetworkError: every rsync client pod timed out after 20 s (RsyncTimedOut) or failed with \"No route to host\" (RsyncNoRouteToHost). Something (NetworkPolicy, EgressNetworkPolicy/EgressFirewall, proxy, firewall) blocks traffic from the source namespace to the destination's rsync route.",
		Fix:         "Allow egress from the source namespace to the destination cluster's rsync route (port 443), or configure stunnel_tcp_proxy.",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.DirectVolume},
		Patterns:    []Pattern{{Key: "MIG0017/no-route", Text: "No route to host", Components: []snapshot.Component{snapshot.Rsync}}},
	}
}

func (networkError) Check(_ context.Context, in *Input) ([]Finding, error) {
	dvms, migs, err := dvmsInScope(in)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for i, d := range dvms {
		conds := trueConds(d.Status.Conditions, mtc.ConditionSourceToDestinationNetworkError)
		if len(conds) == 0 {
			continue
		}
		obj := ref(mtc.KindDirectVolumeMigration, d.Namespace, d.Name)
		ev := conditionsOf(in.Host(), obj, conds)
		nss := map[string]bool{}
		var srcNS []string
		if m := migs[i]; m != nil {
			if p := in.PlanOf(m); p != nil {
				srcNS = p.Spec.SourceNamespaces()
				for _, ns := range srcNS {
					nss[ns] = true
				}
			}
		}
		ev = append(ev, logEvidence(hitsFor(in.LogHits("MIG0017/no-route"), func(h LogHit) bool { return nss[h.Ref.Namespace] }), 3, lineMessage)...)
		reason := conds[0].Reason
		f := Finding{
			Cluster: in.Host(), Object: obj, Evidence: ev,
			Summary: fmt.Sprintf("DVM %s: rsync clients cannot reach the destination (%s)", d.Name, orDash(reason)),
			Remediation: fmt.Sprintf("On the source cluster, look for policies that block egress from %s to the destination's rsync route:\n  %s\n  %s\nAllow traffic to the destination route (port 443), or set stunnel_tcp_proxy in the MigrationController if a proxy is required; then run the migration again.",
				joinMax(srcNS, 3), in.cmd("get networkpolicy -n <namespace>"), in.cmd("get egressnetworkpolicy,egressfirewall -n <namespace>")),
		}
		if migs[i] != nil {
			f.Migration = migKey(migs[i])
		}
		out = append(out, f)
	}
	return out, nil
}
