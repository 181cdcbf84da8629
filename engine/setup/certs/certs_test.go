package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

type pair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t *testing.T, cn string) pair {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return pair{c, key}
}

func (ca pair) serving(t *testing.T) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "api"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestParse(t *testing.T) {
	ca := newCA(t, "ca-one")
	good := Encode([]*x509.Certificate{ca.cert, newCA(t, "ca-two").cert})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2}})
	tests := []struct {
		name  string
		in    []byte
		count int
		err   string
	}{
		{"two certificates", good, 2, ""},
		{"empty", nil, 0, "no PEM certificate"},
		{"garbage", []byte("not pem"), 0, "no PEM certificate"},
		{"a key is refused", append(good, keyPEM...), 0, `"EC PRIVATE KEY" block`},
		{"broken certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30}}), 0, "certificate 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Parse(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(cs) != tt.count {
				t.Fatalf("Parse = %d certs, %v", len(cs), err)
			}
		})
	}
	if _, err := Parse(nil); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("want ErrNoCertificate, got %v", err)
	}
}

func TestFingerprintAndDescribe(t *testing.T) {
	ca := newCA(t, "my-ca")
	fp := Fingerprint(ca.cert)
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Fatalf("fingerprint %q is not openssl's colon hex", fp)
	}
	i := Describe(ca.cert)
	if !i.IsCA || !i.SelfSigned || !strings.Contains(i.Subject, "my-ca") || i.SHA256 != fp {
		t.Fatalf("Describe = %+v", i)
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.x:6443": "api.x:6443", "https://api.x": "api.x:443", "http://api.x": "api.x:80",
		"https://[::1]:6443": "[::1]:6443",
	} {
		got, err := HostPort(in)
		if err != nil || got != want {
			t.Errorf("HostPort(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := HostPort("not a url"); err == nil {
		t.Error("HostPort accepted a string without host")
	}
}

// TestFetchChainAndMismatch fetches what a TLS server presents, then checks
// that the chain verifies against its CA and is explained against another.
func TestFetchChainAndMismatch(t *testing.T) {
	ca, other := newCA(t, "right-ca"), newCA(t, "wrong-ca")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.serving(t)}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	chain, err := FetchChain(context.Background(), srv.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 1 || chain[0].Subject.CommonName != "api" {
		t.Fatalf("chain = %v", chain)
	}
	if !PinsLeaf(chain) {
		t.Fatal("a chain without its root pins the leaf")
	}
	now := time.Now()
	if m := Mismatch(chain, []*x509.Certificate{ca.cert}, "127.0.0.1", now); m != "" {
		t.Fatalf("the right CA must verify, got %q", m)
	}
	if m := Mismatch(chain, chain, "127.0.0.1", now); m != "" {
		t.Fatalf("the pinned leaf must verify (Go trusts a root that is the leaf), got %q", m)
	}
	m := Mismatch(chain, []*x509.Certificate{other.cert}, "127.0.0.1", now)
	for _, want := range []string{`"CN=api"`, `issued by "CN=right-ca"`, `"CN=wrong-ca"`, "unknown authority"} {
		if !strings.Contains(m, want) {
			t.Errorf("Mismatch = %q, want it to contain %s", m, want)
		}
	}

	if _, err := FetchChain(context.Background(), "http://127.0.0.1:1", time.Second); err == nil {
		t.Fatal("FetchChain of an http URL must fail")
	}
	if _, err := FetchChain(context.Background(), "https://127.0.0.1:1", time.Second); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("unreachable: err = %v", err)
	}
}
