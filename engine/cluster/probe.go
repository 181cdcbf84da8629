package cluster

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	authv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProbeResult is what Probe learned about a cluster, in the order a
// connection fails: reach the server, trust its certificate, be accepted,
// hold enough rights.
type ProbeResult struct {
	Cluster       string `json:"cluster"`
	URL           string `json:"url"`
	Reachable     bool   `json:"reachable"`
	TLSVerified   bool   `json:"tlsVerified"`
	Authenticated bool   `json:"authenticated"`
	// Privileged: the identity may do everything (MTC's migration-controller
	// service account is bound to cluster-admin on every cluster).
	Privileged    bool   `json:"privileged"`
	ServerVersion string `json:"serverVersion,omitempty"`
	Problem       string `json:"problem,omitempty"`
	Fix           string `json:"fix,omitempty"`
	Error         string `json:"error,omitempty"`
}

// OK reports whether the cluster is usable for migrations.
func (r ProbeResult) OK() bool { return r.Problem == "" }

// Probe connects to t exactly as its configuration says (token, CA or
// insecure) and explains the first thing that fails in plain words.
func Probe(ctx context.Context, t *Target) ProbeResult {
	r := ProbeResult{Cluster: t.Name, URL: t.Config.Host}
	v, err := t.Kube.Discovery().ServerVersion()
	if err != nil {
		classify(&r, err)
		return r
	}
	r.Reachable, r.TLSVerified, r.Authenticated = true, !t.Config.Insecure, true
	r.ServerVersion = v.GitVersion
	review := &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authv1.ResourceAttributes{Verb: "*", Group: "*", Resource: "*"}}}
	res, err := t.Kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
	if err != nil {
		classify(&r, err)
		return r
	}
	r.Privileged = res.Status.Allowed
	if !r.Privileged {
		r.Problem = "the token is valid but lacks cluster-wide rights (MTC's SaTokenNotPrivileged)"
		r.Fix = "bind the service account to cluster-admin on that cluster, or use the migration-controller service account's token"
	}
	if t.Config.Insecure && r.Problem == "" {
		r.Fix = "TLS verification is off for this cluster: set a caBundle to verify it"
	}
	return r
}

// classify fills Problem/Fix from a connection or API error.
func classify(r *ProbeResult, err error) {
	r.Error = err.Error()
	host := hostPort(r.URL)
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &unknownCA) || strings.Contains(err.Error(), "certificate signed by unknown authority"):
		r.Reachable = true
		r.Problem = "the server's certificate is not signed by a CA we trust (x509: certificate signed by unknown authority)"
		r.Fix = fmt.Sprintf("fetch the CA with: echo -n | openssl s_client -connect %s | sed -ne '/-BEGIN CERTIFICATE-/,/-END CERTIFICATE-/p' > ca.crt, check it, then set it as the MigCluster's caBundle", host)
	case errors.As(err, &hostname):
		r.Reachable = true
		r.Problem = "the server's certificate is not valid for this host name"
		r.Fix = "use the URL the certificate was issued for"
	case errors.As(err, &invalid):
		r.Reachable = true
		r.Problem = "the server's certificate is invalid or expired"
		r.Fix = "renew the API server certificate, or check the clock"
	case apierrors.IsUnauthorized(err):
		r.Reachable, r.TLSVerified = true, true
		r.Problem = "the token was rejected (401 Unauthorized)"
		r.Fix = "store a current service-account token under saToken in the MigCluster's Secret"
	case apierrors.IsForbidden(err):
		r.Reachable, r.TLSVerified, r.Authenticated = true, true, true
		r.Problem = "the token is valid but may not do this (403 Forbidden)"
		r.Fix = "bind the service account to cluster-admin on that cluster"
	case errors.As(err, &dnsErr):
		r.Problem = "the host name does not resolve"
		r.Fix = "check spec.url"
	case strings.Contains(err.Error(), "connection refused"):
		r.Problem = "nothing listens at " + host + " (connection refused)"
		r.Fix = "check spec.url and the port, and that the API server is up"
	case strings.Contains(err.Error(), "timeout") || strings.Contains(err.Error(), "deadline exceeded"):
		r.Problem = "the server did not answer in time"
		r.Fix = "check the network path (firewall, proxy) to " + host
	default:
		r.Problem = "the cluster cannot be reached"
		r.Fix = "check spec.url, the token and the CA"
	}
}

func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	if u.Port() == "" {
		return u.Host + ":443"
	}
	return u.Host
}
