// Package certs reads, fetches and describes the X.509 certificates a
// MigCluster or MigStorage trusts: the caBundle a user supplies, or the chain
// a server presents (what `openssl s_client -connect host:port` prints), with
// the SHA-256 fingerprints a person compares out of band before trusting it.
package certs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Info describes one certificate for a person.
type Info struct {
	Subject    string    `json:"subject"`
	Issuer     string    `json:"issuer"`
	NotBefore  time.Time `json:"notBefore"`
	NotAfter   time.Time `json:"notAfter"`
	SHA256     string    `json:"sha256"`
	IsCA       bool      `json:"isCA"`
	SelfSigned bool      `json:"selfSigned"`
	DNSNames   []string  `json:"dnsNames,omitempty"`
	IPs        []string  `json:"ipAddresses,omitempty"`
}

// Describe returns the Info of c.
func Describe(c *x509.Certificate) Info {
	i := Info{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		SHA256: Fingerprint(c), IsCA: c.IsCA, SelfSigned: selfSigned(c),
		DNSNames: c.DNSNames,
	}
	for _, ip := range c.IPAddresses {
		i.IPs = append(i.IPs, ip.String())
	}
	return i
}

// DescribeAll describes every certificate of a chain or bundle.
func DescribeAll(cs []*x509.Certificate) []Info {
	out := make([]Info, 0, len(cs))
	for _, c := range cs {
		out = append(out, Describe(c))
	}
	return out
}

// Fingerprint is the SHA-256 of the DER certificate in the form
// `openssl x509 -fingerprint -sha256` prints (AB:CD:...).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// ErrNoCertificate is returned by Parse when the input holds no certificate.
var ErrNoCertificate = errors.New("no PEM certificate found")

// Parse reads every CERTIFICATE block of a PEM bundle. Other blocks (keys)
// are refused: a CA bundle never needs one, and storing a key in a
// MigCluster would leak it.
func Parse(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("the bundle holds a %q block: only CERTIFICATE blocks belong in a CA bundle", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d of the bundle: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificate
	}
	return out, nil
}

// Encode returns the PEM form of certificates, as a caBundle holds them.
func Encode(cs []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range cs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// HostPort returns host:port of an http(s) URL (port 443 or 80 by default).
func HostPort(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not a URL with a host", raw)
	}
	if u.Port() != "" {
		return u.Host, nil
	}
	if u.Scheme == "http" {
		return net.JoinHostPort(u.Hostname(), "80"), nil
	}
	return net.JoinHostPort(u.Hostname(), "443"), nil
}

// FetchChain connects to the server of rawURL and returns the certificate
// chain it presents, without verifying it (the point is to look at it).
// This is what `echo -n | openssl s_client -connect host:port` shows.
func FetchChain(ctx context.Context, rawURL string, timeout time.Duration) ([]*x509.Certificate, error) {
	addr, err := HostPort(rawURL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL)
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%s is not an https URL: there is no certificate to fetch", rawURL)
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: timeout},
		Config: &tls.Config{
			ServerName:         u.Hostname(),
			InsecureSkipVerify: true, //nolint:gosec // we only read the chain to show it; trust is the user's decision
			MinVersion:         tls.VersionTLS12,
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	defer conn.Close()
	chain := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(chain) == 0 {
		return nil, fmt.Errorf("%s presented no certificate", addr)
	}
	return chain, nil
}

// Mismatch explains why chain (as a server presents it) does not verify
// against bundle for host, in words: which certificate the server shows, who
// issued it, and what the bundle holds instead. It returns "" when the
// chain verifies.
func Mismatch(chain, bundle []*x509.Certificate, host string, now time.Time) string {
	if len(chain) == 0 {
		return ""
	}
	roots := x509.NewCertPool()
	for _, c := range bundle {
		roots.AddCert(c)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	leaf := chain[0]
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: host, CurrentTime: now})
	if err == nil {
		return ""
	}
	var held []string
	for _, c := range bundle {
		held = append(held, fmt.Sprintf("%q (SHA-256 %s)", c.Subject.String(), short(Fingerprint(c))))
	}
	bundleText := "no certificate"
	if len(held) > 0 {
		bundleText = strings.Join(held, ", ")
	}
	top := chain[len(chain)-1]
	return fmt.Sprintf("the server presents %q issued by %q (SHA-256 %s); the CA bundle holds %s: %v",
		leaf.Subject.String(), top.Issuer.String(), short(Fingerprint(leaf)), bundleText, err)
}

// short abbreviates a fingerprint for messages (first and last 4 bytes).
func short(fp string) string {
	if len(fp) < 36 {
		return fp
	}
	return fp[:11] + "..." + fp[len(fp)-11:]
}

// PinsLeaf reports whether a chain fetched from a server lacks a
// self-signed root, so that trusting it pins the server's own certificate:
// that keeps working only until the certificate is renewed.
func PinsLeaf(chain []*x509.Certificate) bool {
	if len(chain) == 0 {
		return false
	}
	return !selfSigned(chain[len(chain)-1])
}
