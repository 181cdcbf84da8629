package clusters

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// maxTokenBytes bounds what we read from a token file or stdin: a token is
// a few kilobytes at most, and a wrong file (an image, a log) should fail
// fast instead of being stored.
const maxTokenBytes = 64 << 10

// ReadToken reads a token from r (a file or stdin), trimming surrounding
// whitespace. what names the source in errors ("token file x").
func ReadToken(r io.Reader, what string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	if len(data) > maxTokenBytes {
		return "", fmt.Errorf("%s is larger than %d KiB: it does not hold a single token", what, maxTokenBytes>>10)
	}
	token := strings.TrimSpace(string(data))
	if err := ValidateToken(token); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return token, nil
}

// ReadTokenFile reads a token file.
func ReadTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open token file: %w", err)
	}
	defer f.Close()
	return ReadToken(f, "token file "+path)
}

// ContextCredentials is what a kubeconfig context says about a cluster.
type ContextCredentials struct {
	Context string
	Server  string
	// Token is secret; never print it.
	Token string
	// CAData is the context cluster's CA (inline or from its file).
	CAData []byte
	// Insecure is the context's insecure-skip-tls-verify.
	Insecure bool
}

// FromKubeconfig reads the server, CA and (with withToken) bearer token of a
// kubeconfig context. Only static tokens (token, tokenFile) qualify: MTC
// stores a token and uses it for as long as the MigCluster lives, so
// credentials that an exec plugin or a client certificate provide are
// refused with directions to a service-account token.
func FromKubeconfig(rules *clientcmd.ClientConfigLoadingRules, context string, withToken bool) (*ContextCredentials, error) {
	cfg, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	kctx, ok := cfg.Contexts[context]
	if !ok {
		return nil, fmt.Errorf("kubeconfig has no context %q (list them with 'kubectl config get-contexts')", context)
	}
	cl, ok := cfg.Clusters[kctx.Cluster]
	if !ok {
		return nil, fmt.Errorf("context %q names cluster %q, which the kubeconfig does not define", context, kctx.Cluster)
	}
	out := &ContextCredentials{Context: context, Server: cl.Server, CAData: cl.CertificateAuthorityData, Insecure: cl.InsecureSkipTLSVerify}
	if len(out.CAData) == 0 && cl.CertificateAuthority != "" {
		if out.CAData, err = os.ReadFile(cl.CertificateAuthority); err != nil {
			return nil, fmt.Errorf("context %q: read its CA file: %w", context, err)
		}
	}
	if !withToken {
		return out, nil
	}
	auth, ok := cfg.AuthInfos[kctx.AuthInfo]
	if !ok {
		return nil, fmt.Errorf("context %q names user %q, which the kubeconfig does not define", context, kctx.AuthInfo)
	}
	switch {
	case auth.Token != "":
		out.Token = strings.TrimSpace(auth.Token)
	case auth.TokenFile != "":
		if out.Token, err = ReadTokenFile(auth.TokenFile); err != nil {
			return nil, fmt.Errorf("context %q: %w", context, err)
		}
	default:
		return nil, fmt.Errorf("context %q authenticates with %s, not a bearer token: MTC needs a service-account token it can keep; "+
			"create one with 'kubectl --context %s -n openshift-migration create token migration-controller --duration=8760h' "+
			"and pipe it to --token-file -", context, authKind(auth.Exec != nil, auth.AuthProvider != nil, len(auth.ClientCertificateData) > 0 || auth.ClientCertificate != ""), context)
	}
	if err := ValidateToken(out.Token); err != nil {
		return nil, fmt.Errorf("context %q: %w", context, err)
	}
	return out, nil
}

func authKind(exec, provider, cert bool) string {
	switch {
	case exec:
		return "an exec credential plugin"
	case provider:
		return "an auth provider"
	case cert:
		return "a client certificate"
	}
	return "no credentials"
}

// TokenInfo is what can be said about a token without revealing it.
type TokenInfo struct {
	// Kind is "service-account", "openshift-oauth" or "opaque".
	Kind string `json:"kind"`
	// Subject is the identity in the token's claims, e.g.
	// system:serviceaccount:openshift-migration:migration-controller.
	Subject   string     `json:"subject,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// InspectToken reads the unverified claims of a JWT service-account token
// (its payload is not secret: the signature is what grants access).
func InspectToken(token string) TokenInfo {
	if strings.HasPrefix(token, "sha256~") {
		return TokenInfo{Kind: "openshift-oauth"}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return TokenInfo{Kind: "opaque"}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return TokenInfo{Kind: "opaque"}
	}
	var claims struct {
		Sub    string `json:"sub"`
		Exp    int64  `json:"exp"`
		Legacy string `json:"kubernetes.io/serviceaccount/service-account.name"`
		LegNS  string `json:"kubernetes.io/serviceaccount/namespace"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return TokenInfo{Kind: "opaque"}
	}
	info := TokenInfo{Kind: "opaque", Subject: claims.Sub}
	if info.Subject == "" && claims.Legacy != "" {
		info.Subject = "system:serviceaccount:" + claims.LegNS + ":" + claims.Legacy
	}
	if strings.HasPrefix(info.Subject, "system:serviceaccount:") {
		info.Kind = "service-account"
	}
	if claims.Exp > 0 {
		t := time.Unix(claims.Exp, 0).UTC()
		info.ExpiresAt = &t
	}
	return info
}

// Warnings returns what a person should know about the token before MTC
// relies on it for weeks.
func (i TokenInfo) Warnings(now time.Time) []string {
	var out []string
	switch i.Kind {
	case "openshift-oauth":
		out = append(out, "this is an OpenShift login token, which expires (24 hours by default): the cluster will fail with TestConnectFailed when it does; prefer the migration-controller service account's token")
	case "opaque":
		out = append(out, "this token is not a service-account token: if it is a user's login token it will expire; prefer a service-account token")
	}
	if i.ExpiresAt != nil {
		left := i.ExpiresAt.Sub(now)
		switch {
		case left <= 0:
			out = append(out, fmt.Sprintf("the token expired at %s", i.ExpiresAt.Format(time.RFC3339)))
		case left < 30*24*time.Hour:
			out = append(out, fmt.Sprintf("the token expires in %s (%s): migrations after that fail until it is replaced (cluster add --overwrite)",
				left.Round(time.Minute), i.ExpiresAt.Format(time.RFC3339)))
		}
	}
	return out
}
