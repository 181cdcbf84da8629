package rules

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

const x509Unknown = "certificate signed by unknown authority"

type unknownCA struct{}

func (unknownCA) Meta() Meta {
	return Meta{
		ID: "MIG0004", Severity: Error, Title: "certificate signed by unknown authority",
		Description: "A MigCluster fails its connection test (TestConnectFailed) or a replication repository fails its test because of an x509 error, or \"certificate signed by unknown authority\" appears in the controller or Velero logs. Live, the TLS handshake to the MigCluster URL is re-run with its caBundle to confirm.",
		Fix:         "Download the endpoint's CA with openssl s_client and put it, base64-encoded, in the MigCluster's caBundle (or the repository's CA bundle).",
		Docs:        docsTroubleshooting,
		Needs:       []snapshot.Kind{snapshot.MigCluster},
		Patterns: []Pattern{{Key: "MIG0004/x509", Text: x509Unknown,
			Components: []snapshot.Component{snapshot.Controller, snapshot.Velero, snapshot.VeleroBackup, snapshot.VeleroRestore}}},
	}
}

func (r unknownCA) Check(ctx context.Context, in *Input) ([]Finding, error) {
	out, err := r.clusters(ctx, in)
	if err != nil {
		return nil, err
	}
	out = append(out, r.storages(in)...)
	if len(out) == 0 {
		// Without an object to blame, the log lines alone are the finding.
		for _, g := range groupHits(in.LogHits("MIG0004/x509"), podOfLog) {
			out = append(out, Finding{
				Cluster: g.cluster, Object: g.obj,
				Summary:     fmt.Sprintf("%s logs %q", g.obj.Name, x509Unknown),
				Evidence:    logEvidence(g.hits, 3, lineMessage),
				Remediation: "Find the endpoint named in the log line (API server, S3 endpoint) and add its CA: " + opensslCmd("<host>", "<port>") + ", then set it as the MigCluster caBundle or the MigStorage/BSL CA bundle.",
			})
		}
	}
	return out, nil
}

// clustersInScope names the MigClusters of the plans in scope (nil: all).
func clustersInScope(in *Input) map[string]bool {
	if in.All {
		return nil
	}
	out := map[string]bool{}
	for _, p := range in.Plans {
		if p.Spec.SrcMigClusterRef != nil {
			out[p.Spec.SrcMigClusterRef.Name] = true
		}
		if p.Spec.DestMigClusterRef != nil {
			out[p.Spec.DestMigClusterRef.Name] = true
		}
	}
	return out
}

func isX509(msg string) bool {
	return strings.Contains(msg, "x509") || strings.Contains(msg, "caBundle") || strings.Contains(msg, "unknown authority")
}

func (unknownCA) clusters(ctx context.Context, in *Input) ([]Finding, error) {
	cls, err := listTyped[mtc.MigCluster](in, in.Host(), snapshot.MigCluster)
	if err != nil {
		return nil, err
	}
	scope := clustersInScope(in)
	prober, live := in.Snap.(snapshot.TLSProber)
	var out []Finding
	for _, c := range cls {
		if c.Spec.IsHostCluster || scope != nil && !scope[c.Name] {
			continue
		}
		obj := ref(mtc.KindMigCluster, c.Namespace, c.Name)
		cond := c.Status.Conditions.Find(mtc.ConditionTestConnectFailed)
		if !cond.IsTrue() {
			continue
		}
		var ev []Evidence
		confirmed := isX509(cond.Message)
		ev = append(ev, condEvidence(in.Host(), obj, *cond))
		if live && c.Spec.URL != "" {
			perr := prober.ProbeTLS(ctx, c.Spec.URL, c.Spec.CABundle, c.Spec.Insecure)
			switch {
			case perr == nil:
				ev = append(ev, Evidence{Type: "probe", Object: &obj, Message: "TLS handshake to " + c.Spec.URL + " with the caBundle succeeds now"})
				confirmed = false
			case isX509(perr.Error()):
				ev = append(ev, Evidence{Type: "probe", Object: &obj, Message: "TLS handshake to " + c.Spec.URL + " with the MigCluster's caBundle: " + perr.Error()})
				confirmed = true
			default:
				ev = append(ev, Evidence{Type: "probe", Object: &obj, Message: "TLS handshake to " + c.Spec.URL + ": " + perr.Error()})
			}
		}
		for _, h := range in.LogHits("MIG0004/x509") {
			if c.Spec.URL != "" && strings.Contains(h.Text, hostOf(c.Spec.URL)) {
				ev = append(ev, h.evidence(lineMessage(h)))
				confirmed = true
			}
		}
		if !confirmed {
			continue
		}
		host, port := hostPort(c.Spec.URL, "6443")
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj, Evidence: ev,
			Summary: fmt.Sprintf("MigCluster %s: the API server certificate of %s is not trusted (caBundle missing or wrong)", c.Name, c.Spec.URL),
			Remediation: fmt.Sprintf("Save the CA of %s:%s and put it in the MigCluster's caBundle (base64), then wait for the cluster to turn Ready:\n  %s\n  %s",
				host, port, opensslCmd(host, port),
				in.cmd(`patch migcluster %s -n %s --type merge -p "{\"spec\":{\"caBundle\":\"$(base64 -w0 ca_bundle.cert)\",\"refresh\":true}}"`, c.Name, c.Namespace)),
		})
	}
	return out, nil
}

func (unknownCA) storages(in *Input) []Finding {
	sts, err := listTyped[mtc.MigStorage](in, in.Host(), snapshot.MigStorage)
	if err != nil {
		return nil
	}
	var out []Finding
	for _, s := range sts {
		conds := trueConds(s.Status.Conditions, mtc.ConditionBackupStorageProviderTestFailed, mtc.ConditionVolumeSnapshotProviderTestFailed)
		var bad []mtc.Condition
		for _, c := range conds {
			if isX509(c.Message) {
				bad = append(bad, c)
			}
		}
		if len(bad) == 0 {
			continue
		}
		obj := ref(mtc.KindMigStorage, s.Namespace, s.Name)
		host, port := hostPort(s.Spec.BackupStorageConfig.AwsS3URL, "443")
		out = append(out, Finding{
			Cluster: in.Host(), Object: obj, Evidence: conditionsOf(in.Host(), obj, bad),
			Summary: fmt.Sprintf("MigStorage %s: the object storage certificate is not trusted", s.Name),
			Remediation: fmt.Sprintf("Save the CA of the S3 endpoint and give it to the replication repository (s3CustomCABundle), then refresh it:\n  %s\n  %s",
				opensslCmd(host, port),
				in.cmd(`patch migstorage %s -n %s --type merge -p "{\"spec\":{\"backupStorageConfig\":{\"s3CustomCABundle\":\"$(base64 -w0 ca_bundle.cert)\"},\"refresh\":true}}"`, s.Name, s.Namespace)),
		})
	}
	return out
}

func opensslCmd(host, port string) string {
	return fmt.Sprintf("echo -n | openssl s_client -connect %s:%s | sed -ne '/-BEGIN CERTIFICATE-/,/-END CERTIFICATE-/p' > ca_bundle.cert", host, port)
}

func hostOf(raw string) string {
	h, _ := hostPort(raw, "")
	return h
}

// hostPort splits a URL into host and port, with a default port.
func hostPort(raw, defPort string) (string, string) {
	if raw == "" {
		return "<host>", defPort
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, defPort
	}
	if h, p, err := net.SplitHostPort(u.Host); err == nil {
		return h, p
	}
	if u.Scheme == "http" && defPort == "443" {
		return u.Host, "80"
	}
	return u.Host, defPort
}
