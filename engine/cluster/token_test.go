package cluster

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func TestRESTConfig(t *testing.T) {
	ca := []byte("-----BEGIN CERTIFICATE-----\n...")
	tests := []struct {
		name     string
		spec     mtc.MigClusterSpec
		wantErr  string
		insecure bool
		wantCA   bool
	}{
		{name: "verified with CA", spec: mtc.MigClusterSpec{URL: "https://api.src:6443", CABundle: ca}, wantCA: true},
		{name: "system roots", spec: mtc.MigClusterSpec{URL: "https://api.src:6443"}},
		{name: "insecure drops CA", spec: mtc.MigClusterSpec{URL: "https://api.src:6443", CABundle: ca, Insecure: true}, insecure: true},
		{name: "no url", spec: mtc.MigClusterSpec{}, wantErr: "spec.url is empty"},
		{name: "bad scheme", spec: mtc.MigClusterSpec{URL: "ftp://x"}, wantErr: "not a valid http(s) URL"},
		{name: "no host", spec: mtc.MigClusterSpec{URL: "https://"}, wantErr: "not a valid http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mc := &mtc.MigCluster{ObjectMeta: metav1.ObjectMeta{Name: "src"}, Spec: tt.spec}
			cfg, err := RESTConfig(mc, "tok")
			if tt.wantErr != "" {
				var ce *Error
				if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a cluster.Error containing %q", err, tt.wantErr)
				}
				if ce.Cluster != "src" || ce.Fix == "" {
					t.Fatalf("error must name the cluster and a fix: %+v", ce)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BearerToken != "tok" || cfg.Host != tt.spec.URL || cfg.Insecure != tt.insecure {
				t.Fatalf("cfg = %+v", cfg)
			}
			if (len(cfg.CAData) > 0) != tt.wantCA {
				t.Fatalf("CAData set = %v, want %v", len(cfg.CAData) > 0, tt.wantCA)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err     string
		problem string
		fix     string
	}{
		{`Get "https://api.src:6443/version": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
			"unknown authority", "openssl s_client -connect api.src:6443"},
		{"dial tcp 10.0.0.1:6443: connect: connection refused", "connection refused", "spec.url"},
		{"context deadline exceeded (Client.Timeout exceeded)", "did not answer in time", "network path"},
		{"something else", "cannot be reached", "token"},
	}
	for _, tt := range tests {
		t.Run(tt.problem, func(t *testing.T) {
			r := ProbeResult{URL: "https://api.src:6443"}
			classify(&r, errors.New(tt.err))
			if !strings.Contains(r.Problem, tt.problem) || !strings.Contains(r.Fix, tt.fix) || r.OK() {
				t.Fatalf("classify(%q) = problem %q fix %q", tt.err, r.Problem, r.Fix)
			}
		})
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.x:6443": "api.x:6443",
		"https://api.x":      "api.x:443",
		"::bad":              "::bad",
	} {
		if got := hostPort(in); got != want {
			t.Errorf("hostPort(%q) = %q, want %q", in, got, want)
		}
	}
}
