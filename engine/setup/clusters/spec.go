// Package clusters registers remote clusters with MTC and checks them: it
// builds the service-account token Secret and the MigCluster the controller
// reads, connects to the cluster with that URL, token and CA before anything
// is written (the way the controller will), and explains every failure in
// plain words. Removing a cluster refuses while plans still use it.
package clusters

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
)

// OwnerKind prefixes the instance label of token Secrets we create.
const OwnerKind = "migcluster"

// Spec is everything `cluster add` needs. Token is a secret: it is never
// printed and never part of an error.
type Spec struct {
	Name      string
	Namespace string // MTC namespace (openshift-migration)
	URL       string
	Token     string
	// CABundle is the PEM bundle that verifies the API server; empty means
	// the system roots (unless Insecure).
	CABundle            []byte
	Insecure            bool
	ExposedRegistryPath string
	AzureResourceGroup  string
	// SecretName/SecretNamespace locate the token Secret on the host
	// (default "<name>-token" in openshift-config).
	SecretName      string
	SecretNamespace string
}

// WithDefaults fills the Secret location.
func (s Spec) WithDefaults() Spec {
	if s.Namespace == "" {
		s.Namespace = mtc.Namespace
	}
	if s.SecretNamespace == "" {
		s.SecretNamespace = secrets.DefaultNamespace
	}
	if s.SecretName == "" {
		s.SecretName = s.Name + "-token"
	}
	return s
}

// Validate returns every problem of the spec at once (nil when none). It
// needs no cluster.
func (s Spec) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, m := range validation.IsDNS1123Subdomain(s.Name) {
		add("cluster name %q: %s", s.Name, m)
	}
	if err := validateURL(s.URL); err != nil {
		errs = append(errs, err)
	}
	if err := ValidateToken(s.Token); err != nil {
		errs = append(errs, err)
	}
	if s.Insecure && len(s.CABundle) > 0 {
		add("a CA bundle and insecure are exclusive: keep the CA bundle (verified TLS) or drop it")
	}
	if len(s.CABundle) > 0 {
		if _, err := certs.Parse(s.CABundle); err != nil {
			add("CA bundle: %v", err)
		}
	}
	for _, m := range validation.IsDNS1123Subdomain(s.SecretName) {
		add("secret name %q: %s", s.SecretName, m)
	}
	for _, m := range validation.IsDNS1123Label(s.SecretNamespace) {
		add("secret namespace %q: %s", s.SecretNamespace, m)
	}
	if p := s.ExposedRegistryPath; p != "" && strings.Contains(p, "://") {
		add("exposed registry path %q: give the registry route's host name (and optional path) without a scheme, e.g. default-route-openshift-image-registry.apps.example.com", p)
	}
	return errors.Join(errs...)
}

func validateURL(raw string) error {
	if raw == "" {
		return errors.New("the API server URL is required (--url), e.g. https://api.example.com:6443")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("URL %q is not a valid http(s) URL: MTC would report InvalidURL; use e.g. https://api.example.com:6443", raw)
	}
	return nil
}

// ValidateToken checks the shape of a bearer token without revealing it.
func ValidateToken(token string) error {
	if token == "" {
		return errors.New("the service-account token is empty")
	}
	for _, r := range token {
		if r <= ' ' || r > '~' {
			return errors.New("the service-account token holds whitespace or non-printable characters: pass exactly one token")
		}
	}
	return nil
}

// Warnings returns advice that does not block (plain http, insecure).
func (s Spec) Warnings() []string {
	var out []string
	if strings.HasPrefix(s.URL, "http://") {
		out = append(out, "the URL uses plain http: the token travels unencrypted")
	}
	if s.Insecure {
		out = append(out, "TLS verification is off (--insecure): anyone between the clusters can impersonate the API server and read the token")
	}
	return out
}

// Build returns the token Secret and the MigCluster for the spec.
func Build(s Spec) (*corev1.Secret, *mtc.MigCluster) {
	secret := secrets.New(s.SecretNamespace, s.SecretName, OwnerKind, s.Name,
		map[string][]byte{mtc.SATokenKey: []byte(s.Token)})
	mc := &mtc.MigCluster{
		TypeMeta: metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigCluster},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace,
			Labels: map[string]string{"controller-tools.k8s.io": "1.0"}},
		Spec: mtc.MigClusterSpec{
			IsHostCluster:           false,
			URL:                     s.URL,
			ServiceAccountSecretRef: &corev1.ObjectReference{Name: s.SecretName, Namespace: s.SecretNamespace},
			CABundle:                s.CABundle,
			Insecure:                s.Insecure,
			AzureResourceGroup:      s.AzureResourceGroup,
			ExposedRegistryPath:     s.ExposedRegistryPath,
		},
	}
	return secret, mc
}

// specPatch is the merge patch that makes an existing MigCluster match mc,
// clearing optional fields mc leaves empty, and asking the controller to
// re-validate (refresh).
func specPatch(mc *mtc.MigCluster) map[string]any {
	orNil := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	var ca any
	if len(mc.Spec.CABundle) > 0 {
		ca = mc.Spec.CABundle // []byte marshals to base64, as the CRD stores it
	}
	return map[string]any{"spec": map[string]any{
		"isHostCluster": false,
		"url":           mc.Spec.URL,
		"serviceAccountSecretRef": map[string]any{
			"name": mc.Spec.ServiceAccountSecretRef.Name, "namespace": mc.Spec.ServiceAccountSecretRef.Namespace,
		},
		"caBundle":            ca,
		"insecure":            mc.Spec.Insecure,
		"azureResourceGroup":  orNil(mc.Spec.AzureResourceGroup),
		"exposedRegistryPath": orNil(mc.Spec.ExposedRegistryPath),
		"refresh":             true,
	}}
}
