package metrics

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// MonitoringNamespace is where OpenShift runs its platform Prometheus.
const MonitoringNamespace = "openshift-monitoring"

// RouteNames are tried in order: thanos-querier federates all Prometheus
// replicas; prometheus-k8s is the fallback on clusters without it.
var RouteNames = []string{"thanos-querier", "prometheus-k8s"}

var routesGVR = schema.GroupVersionResource{Group: "route.openshift.io", Version: "v1", Resource: "routes"}

// ErrNoPrometheus says discovery found no Prometheus Route.
var ErrNoPrometheus = errors.New("no thanos-querier or prometheus-k8s Route in " + MonitoringNamespace)

// Source is a Prometheus to query. Token is sent as a bearer token; CA is
// trusted besides the system roots.
type Source struct {
	URL   string
	Token string `json:"-"`
	CA    []byte `json:"-"`
	// Via says how the URL was found ("route openshift-monitoring/thanos-querier"
	// or "--prometheus-url").
	Via string
	// InsecureSkipVerify turns TLS verification off (the user's choice).
	InsecureSkipVerify bool
}

// Discover finds the platform Prometheus of an OpenShift cluster as a user
// would: the thanos-querier (else prometheus-k8s) Route in
// openshift-monitoring, reached with the kubeconfig's bearer token and the
// cluster's CA (plus the default ingress CA when readable).
func Discover(ctx context.Context, dyn dynamic.Interface, kube kubernetes.Interface, cfg *rest.Config) (*Source, error) {
	var route *unstructured.Unstructured
	var lastErr error
	for _, name := range RouteNames {
		r, err := dyn.Resource(routesGVR).Namespace(MonitoringNamespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			route = r
			break
		}
		if !apierrors.IsNotFound(err) {
			lastErr = err
		}
	}
	if route == nil {
		if lastErr != nil {
			return nil, fmt.Errorf("read the Prometheus Routes in %s: %w", MonitoringNamespace, lastErr)
		}
		return nil, ErrNoPrometheus
	}
	u, err := routeURL(route)
	if err != nil {
		return nil, err
	}
	token, err := BearerToken(cfg)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, fmt.Errorf("the Prometheus at %s needs a bearer token and the kubeconfig has none (client certificates cannot be used there): log in with a token or pass --prometheus-token", u)
	}
	ca, err := ClusterCA(cfg)
	if err != nil {
		return nil, err
	}
	ca = append(ca, ingressCA(ctx, kube)...)
	return &Source{URL: u, Token: token, CA: ca, Via: "route " + MonitoringNamespace + "/" + route.GetName(),
		InsecureSkipVerify: cfg.Insecure}, nil
}

// routeURL builds the URL a Route exposes.
func routeURL(route *unstructured.Unstructured) (string, error) {
	host, _, _ := unstructured.NestedString(route.Object, "spec", "host")
	if host == "" {
		ingress, _, _ := unstructured.NestedSlice(route.Object, "status", "ingress")
		for _, i := range ingress {
			if m, ok := i.(map[string]any); ok {
				if h, _ := m["host"].(string); h != "" {
					host = h
					break
				}
			}
		}
	}
	if host == "" {
		return "", fmt.Errorf("route %s/%s has no host yet", route.GetNamespace(), route.GetName())
	}
	scheme := "http"
	if tlsCfg, ok, _ := unstructured.NestedMap(route.Object, "spec", "tls"); ok && tlsCfg != nil {
		scheme = "https"
	}
	p, _, _ := unstructured.NestedString(route.Object, "spec", "path")
	return (&url.URL{Scheme: scheme, Host: host, Path: p}).String(), nil
}

// BearerToken returns the kubeconfig's bearer token (inline or from its file).
func BearerToken(cfg *rest.Config) (string, error) {
	if cfg.BearerToken != "" {
		return cfg.BearerToken, nil
	}
	if cfg.BearerTokenFile != "" {
		b, err := os.ReadFile(cfg.BearerTokenFile)
		if err != nil {
			return "", fmt.Errorf("read bearer token file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// ClusterCA returns the CA bundle of the kubeconfig (inline or from its file).
func ClusterCA(cfg *rest.Config) ([]byte, error) {
	if len(cfg.CAData) > 0 {
		return append([]byte(nil), cfg.CAData...), nil
	}
	if cfg.CAFile != "" {
		b, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read the cluster CA file: %w", err)
		}
		return b, nil
	}
	return nil, nil
}

// ingressCA is the router's CA as OpenShift publishes it; unreadable is fine.
func ingressCA(ctx context.Context, kube kubernetes.Interface) []byte {
	if kube == nil {
		return nil
	}
	cm, err := kube.CoreV1().ConfigMaps("openshift-config-managed").Get(ctx, "default-ingress-cert", metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return []byte(cm.Data["ca-bundle.crt"])
}

// API returns a Prometheus API client for the source.
func (s *Source) API() (promv1.API, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(s.CA) > 0 {
		pool.AppendCertsFromPEM(s.CA)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.InsecureSkipVerify} //nolint:gosec // only on the user's request
	var rt http.RoundTripper = tr
	if s.Token != "" {
		rt = &bearer{token: s.Token, next: tr}
	}
	c, err := api.NewClient(api.Config{Address: s.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus client for %s: %w", s.URL, err)
	}
	return promv1.NewAPI(c), nil
}

// bearer adds the Authorization header.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}
