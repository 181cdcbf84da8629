package clusters

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// caPEM is a real self-signed CA certificate, made once per test binary.
var caPEM = func() string {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "testca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}()

func TestSpecValidate(t *testing.T) {
	base := Spec{Name: "source", URL: "https://api.src:6443", Token: "abc.def.ghi"}.WithDefaults()
	tests := []struct {
		name string
		mod  func(*Spec)
		want []string
	}{
		{"valid", func(*Spec) {}, nil},
		{"valid with CA", func(s *Spec) { s.CABundle = []byte(caPEM) }, nil},
		{"bad name", func(s *Spec) { s.Name = "Source_1" }, []string{`cluster name "Source_1"`}},
		{"no url", func(s *Spec) { s.URL = "" }, []string{"URL is required"}},
		{"bad scheme", func(s *Spec) { s.URL = "ftp://x" }, []string{"InvalidURL"}},
		{"empty token", func(s *Spec) { s.Token = "" }, []string{"token is empty"}},
		{"two tokens", func(s *Spec) { s.Token = "a b" }, []string{"whitespace"}},
		{"ca and insecure", func(s *Spec) { s.Insecure, s.CABundle = true, []byte(caPEM) }, []string{"exclusive"}},
		{"ca garbage", func(s *Spec) { s.CABundle = []byte("nope") }, []string{"CA bundle: no PEM certificate"}},
		{"registry with scheme", func(s *Spec) { s.ExposedRegistryPath = "https://reg" }, []string{"without a scheme"}},
		{"all at once", func(s *Spec) { s.URL, s.Token = "", "" }, []string{"URL is required", "token is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			tt.mod(&s)
			err := s.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want errors %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if s.Token != "" && strings.Contains(err.Error(), s.Token) && s.Token != "a b" {
				t.Errorf("error reveals the token: %v", err)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	s := Spec{Name: "source", URL: "https://api.src:6443", Token: "tok", CABundle: []byte(caPEM),
		ExposedRegistryPath: "registry.apps.src", AzureResourceGroup: "rg"}.WithDefaults()
	secret, mc := Build(s)
	if secret.Namespace != "openshift-config" || secret.Name != "source-token" || string(secret.Data["saToken"]) != "tok" {
		t.Fatalf("secret = %+v", secret.ObjectMeta)
	}
	if secret.Labels["app.kubernetes.io/managed-by"] != "kubectl-mig" {
		t.Fatalf("secret labels = %v", secret.Labels)
	}
	ref := mc.Spec.ServiceAccountSecretRef
	if mc.Namespace != mtc.Namespace || mc.Spec.IsHostCluster || mc.Spec.URL != s.URL || ref.Name != "source-token" ||
		ref.Namespace != "openshift-config" || string(mc.Spec.CABundle) != caPEM || mc.Spec.ExposedRegistryPath != "registry.apps.src" {
		t.Fatalf("MigCluster spec = %+v", mc.Spec)
	}
	// caBundle is []byte: base64 in JSON, as the CRD stores it.
	b, _ := json.Marshal(mc.Spec)
	if !strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(caPEM))) {
		t.Fatalf("caBundle not base64 in %s", b)
	}
	p := specPatch(mc)["spec"].(map[string]any)
	if p["refresh"] != true || p["url"] != s.URL {
		t.Fatalf("patch = %v", p)
	}
	_, plain := Build(Spec{Name: "x", URL: "https://x", Token: "t"}.WithDefaults())
	pp := specPatch(plain)["spec"].(map[string]any)
	if v, ok := pp["caBundle"]; !ok || v != nil {
		t.Fatalf("an overwrite without CA must clear caBundle: %v", pp)
	}
}

func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestInspectToken(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sa := "system:serviceaccount:openshift-migration:migration-controller"
	tests := []struct {
		name     string
		token    string
		kind     string
		subject  string
		warnings []string
	}{
		{"bound token", jwt(t, map[string]any{"sub": sa, "exp": now.Add(365 * 24 * time.Hour).Unix()}), "service-account", sa, nil},
		{"expiring soon", jwt(t, map[string]any{"sub": sa, "exp": now.Add(48 * time.Hour).Unix()}), "service-account", sa, []string{"expires in 48h0m0s"}},
		{"expired", jwt(t, map[string]any{"sub": sa, "exp": now.Add(-time.Hour).Unix()}), "service-account", sa, []string{"expired at"}},
		{"legacy secret token", jwt(t, map[string]any{
			"kubernetes.io/serviceaccount/namespace": "openshift-migration", "kubernetes.io/serviceaccount/service-account.name": "migration-controller",
		}), "service-account", sa, nil},
		{"openshift login", "sha256~abcdef", "openshift-oauth", "", []string{"login token"}},
		{"opaque", "0123456789abcdef", "opaque", "", []string{"not a service-account token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := InspectToken(tt.token)
			if i.Kind != tt.kind || i.Subject != tt.subject {
				t.Fatalf("InspectToken = %+v", i)
			}
			w := strings.Join(i.Warnings(now), "|")
			if len(tt.warnings) == 0 && w != "" {
				t.Fatalf("unexpected warnings %q", w)
			}
			for _, want := range tt.warnings {
				if !strings.Contains(w, want) {
					t.Errorf("warnings %q lack %q", w, want)
				}
			}
		})
	}
}

func TestReadToken(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"tok-1\n", "tok-1", ""},
		{"  \n", "", "empty"},
		{"a\nb\n", "", "whitespace"},
		{strings.Repeat("x", maxTokenBytes+1), "", "larger than"},
	}
	for _, tt := range tests {
		got, err := ReadToken(strings.NewReader(tt.in), "stdin")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ReadToken(%.10q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ReadToken(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestFromKubeconfig(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "tok")
	if err := os.WriteFile(tokenFile, []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://api.c:6443", CertificateAuthorityData: []byte(caPEM)}
	cfg.AuthInfos["static"] = &clientcmdapi.AuthInfo{Token: "static-token"}
	cfg.AuthInfos["file"] = &clientcmdapi.AuthInfo{TokenFile: tokenFile}
	cfg.AuthInfos["exec"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{Command: "x"}}
	cfg.AuthInfos["cert"] = &clientcmdapi.AuthInfo{ClientCertificateData: []byte("c"), ClientKeyData: []byte("k")}
	for _, u := range []string{"static", "file", "exec", "cert"} {
		cfg.Contexts[u] = &clientcmdapi.Context{Cluster: "c", AuthInfo: u}
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	tests := []struct {
		ctx       string
		withToken bool
		token     string
		err       string
	}{
		{"static", true, "static-token", ""},
		{"file", true, "file-token", ""},
		{"exec", true, "", "exec credential plugin"},
		{"cert", true, "", "client certificate"},
		{"cert", false, "", ""},
		{"missing", true, "", `no context "missing"`},
	}
	for _, tt := range tests {
		t.Run(tt.ctx, func(t *testing.T) {
			c, err := FromKubeconfig(rules, tt.ctx, tt.withToken)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Token != tt.token || c.Server != "https://api.c:6443" || string(c.CAData) != caPEM {
				t.Fatalf("creds = server %s, token %q, ca %d bytes", c.Server, c.Token, len(c.CAData))
			}
		})
	}
}

func TestSameURL(t *testing.T) {
	if !sameURL("https://API.x:443/", "https://api.x") || sameURL("https://a:6443", "https://a:6444") {
		t.Fatal("sameURL")
	}
}
