package gathertest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Exporter is a stand-in for the migration controller's /metrics: the three
// MTC families, with request counters that keep growing while it runs.
type Exporter struct {
	Registry *prometheus.Registry
	Requests *prometheus.CounterVec
	Elapsed  *prometheus.CounterVec
	Migs     *prometheus.GaugeVec
	stop     chan struct{}
}

// NewExporter registers the MTC metric families with a few series and
// starts growing the counters every 100 ms until Stop.
func NewExporter() *Exporter {
	labels := []string{"cluster", "component", "function", "kind", "method"}
	e := &Exporter{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mtc_client_request_count", Help: "Count of requests"}, labels),
		Elapsed:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mtc_client_request_elapsed", Help: "Elapsed ms"}, labels),
		Migs:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cam_app_workload_migrations", Help: "MigMigrations"}, []string{"type", "status"}),
		stop:     make(chan struct{}),
	}
	e.Registry.MustRegister(e.Requests, e.Elapsed, e.Migs)
	e.Migs.WithLabelValues("final", "running").Set(1)
	e.Migs.WithLabelValues("final", "completed").Set(3)
	e.Migs.WithLabelValues("stage", "failed").Set(1)
	e.tick()
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				e.tick()
			}
		}
	}()
	return e
}

func (e *Exporter) tick() {
	for kind, ms := range map[string]float64{"Secret": 2, "MigPlan": 5, "Pod": 3} {
		l := []string{"https://source.example:6443", "migplan", "(*ReconcileMigPlan).Reconcile", kind, "Get"}
		e.Requests.WithLabelValues(l...).Add(1)
		e.Elapsed.WithLabelValues(l...).Add(ms)
	}
}

// Handler serves the exposition format.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.Registry, promhttp.HandlerOpts{})
}

// Stop stops growing the counters.
func (e *Exporter) Stop() { close(e.stop) }

// Monitoring stands in for OpenShift's monitoring stack: a real Prometheus
// (the Debian package's binary) scraping an Exporter, behind a TLS front
// that, like OpenShift's oauth proxy, answers only requests bearing Token;
// exposed as Route openshift-monitoring/thanos-querier, with the front's CA
// published in openshift-config-managed/default-ingress-cert.
type Monitoring struct {
	Exporter *Exporter
	// PrometheusURL is the plain loopback address of Prometheus.
	PrometheusURL string
	// URL is the front's https URL (the Route's).
	URL string
	// CA is the PEM CA of the front.
	CA    []byte
	Token string
}

// PrometheusBinary finds the prometheus binary, skipping the test without
// it unless KUBECTL_MIG_REQUIRE_TESTBIN is set.
func PrometheusBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("prometheus")
	if err == nil {
		return p
	}
	msg := "prometheus binary not found (apt-get install prometheus; it need not run as a service)"
	if os.Getenv(testenv.EnvRequireTestbin) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// StartMonitoring starts everything on loopback and, when c is not nil,
// creates the Route and the ingress CA ConfigMap on c.
func StartMonitoring(t testing.TB, c *testenv.Cluster, token string) *Monitoring {
	t.Helper()
	bin := PrometheusBinary(t)
	m := &Monitoring{Exporter: NewExporter(), Token: token}
	t.Cleanup(m.Exporter.Stop)
	exp := httptest.NewServer(m.Exporter.Handler())
	t.Cleanup(exp.Close)
	m.PrometheusURL = startPrometheus(t, bin, exp.Listener.Addr().String())
	m.startFront(t)
	if c != nil {
		if err := m.publish(c); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// startPrometheus runs prometheus scraping target every second and waits
// until the MTC series are queryable.
func startPrometheus(t testing.TB, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n- job_name: mig-controller\n  static_configs: [{targets: [%q]}]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logf.Close()
	})
	u := "http://" + addr
	deadline := time.Now().Add(90 * time.Second)
	for {
		if n, err := seriesNow(u, "mtc_client_request_count"); err == nil && n > 0 {
			// Two scrapes at least, so that increase() has something to say.
			time.Sleep(2500 * time.Millisecond)
			return u
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Fatalf("prometheus did not scrape the exporter in time; its log:\n%s", b)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func seriesNow(base, expr string) (int, error) {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	return len(body.Data.Result), nil
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startFront serves https://127.a.b.c/ (port 443, as a Route is reached)
// with a certificate of its own CA, checking the bearer token and
// proxying to Prometheus. Binding port 443 needs root (or a low
// ip_unprivileged_port_start); without it the test is skipped.
func (m *Monitoring) startFront(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var ip net.IP
	var err error
	for i := 0; i < 20; i++ {
		ip = net.IPv4(127, byte(mrand.IntN(250)+2), byte(mrand.IntN(250)+1), byte(mrand.IntN(250)+1))
		ln, err = net.Listen("tcp", net.JoinHostPort(ip.String(), "443"))
		if err == nil || errors.Is(err, syscall.EACCES) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, syscall.EACCES) && os.Getenv(testenv.EnvRequireTestbin) == "" {
			t.Skipf("cannot listen on port 443 (%v): the Route front needs root", err)
		}
		t.Fatalf("listen on %s:443: %v", ip, err)
	}
	caPEM, cert, err := selfSignedFront(ip)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(m.PrometheusURL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+m.Token {
				http.Error(w, "Unauthorized", http.StatusUnauthorized)
				return
			}
			proxy.ServeHTTP(w, r)
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	m.URL, m.CA = "https://"+ip.String(), caPEM
}

// selfSignedFront makes a CA and a serving certificate for ip.
func selfSignedFront(ip net.IP) ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ingress-operator test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip.String()},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{ip},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, key.Public(), caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

var routes = schema.GroupVersionResource{Group: "route.openshift.io", Version: "v1", Resource: "routes"}

// publish creates Route openshift-monitoring/thanos-querier and the
// default ingress CA on c.
func (m *Monitoring) publish(c *testenv.Cluster) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, ns := range []string{"openshift-monitoring", "openshift-config-managed"} {
		if err := c.EnsureNamespace(ctx, ns); err != nil {
			return err
		}
	}
	host := m.URL[len("https://"):]
	route := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "route.openshift.io/v1", "kind": "Route",
		"metadata": map[string]any{"name": "thanos-querier", "namespace": "openshift-monitoring"},
		"spec": map[string]any{
			"host": host, "path": "/",
			"to":   map[string]any{"kind": "Service", "name": "thanos-querier", "weight": int64(100)},
			"port": map[string]any{"targetPort": "web"},
			"tls":  map[string]any{"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect"},
		},
	}}
	if _, err := c.Dynamic().Resource(routes).Namespace("openshift-monitoring").Create(ctx, route, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create the thanos-querier Route: %w", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "default-ingress-cert", Namespace: "openshift-config-managed"},
		Data: map[string]string{"ca-bundle.crt": string(m.CA)}}
	if _, err := c.Client().CoreV1().ConfigMaps("openshift-config-managed").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create the ingress CA ConfigMap: %w", err)
	}
	return nil
}
