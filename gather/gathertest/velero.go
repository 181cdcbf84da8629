// Package gathertest holds test helpers for the gather packages and the
// gather and metrics commands: a stand-in for the Velero server's
// DownloadRequest controller with an object store, and a stand-in for the
// OpenShift monitoring stack (a real Prometheus behind a bearer-checking TLS
// front reached through a Route).
package gathertest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

var (
	downloadRequests = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "downloadrequests"}
	bsls             = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "backupstoragelocations"}
)

// Velero plays the Velero server for DownloadRequests: it signs URLs into
// an HTTPS object store (whose CA it sets on every BackupStorageLocation),
// or, for targets listed in Unreachable, into an address nobody answers.
type Velero struct {
	// Files maps "<TargetKind>/<name>" to the uncompressed content served.
	Files map[string]string
	// Unreachable lists "<TargetKind>/<name>" whose URL points nowhere.
	Unreachable map[string]bool

	store *httptest.Server
	mu    sync.Mutex
	seen  map[string]bool
	// Signed counts the URLs handed out.
	Signed int
}

// StartVelero starts the object store and the DownloadRequest loop on the
// clusters until the test ends.
func StartVelero(t testing.TB, clusters map[string]*testenv.Cluster, files map[string]string, unreachable map[string]bool) *Velero {
	t.Helper()
	v := &Velero{Files: files, Unreachable: unreachable, seen: map[string]bool{}}
	v.store = httptest.NewTLSServer(http.HandlerFunc(v.serve))
	t.Cleanup(v.store.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: v.store.Certificate().Raw})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for _, c := range clusters {
		if err := setBSLCA(ctx, c, ca); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.loop(ctx, c)
		}()
	}
	return v
}

func setBSLCA(ctx context.Context, c *testenv.Cluster, ca []byte) error {
	list, err := c.Dynamic().Resource(bsls).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list BSLs on %s: %w", c.Name(), err)
	}
	for _, b := range list.Items {
		if err := unstructured.SetNestedField(b.Object, base64.StdEncoding.EncodeToString(ca), "spec", "objectStorage", "caCert"); err != nil {
			return err
		}
		if _, err := c.Dynamic().Resource(bsls).Namespace(b.GetNamespace()).Update(ctx, &b, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("set the CA of BSL %s on %s: %w", b.GetName(), c.Name(), err)
		}
	}
	return nil
}

// loop answers new DownloadRequests every 50 ms.
func (v *Velero) loop(ctx context.Context, c *testenv.Cluster) {
	for ctx.Err() == nil {
		list, err := c.Dynamic().Resource(downloadRequests).List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, dr := range list.Items {
				v.answer(ctx, c, &dr)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (v *Velero) answer(ctx context.Context, c *testenv.Cluster, dr *unstructured.Unstructured) {
	key := c.Name() + "/" + dr.GetNamespace() + "/" + dr.GetName()
	v.mu.Lock()
	if v.seen[key] {
		v.mu.Unlock()
		return
	}
	v.seen[key] = true
	v.Signed++
	v.mu.Unlock()
	kind, _, _ := unstructured.NestedString(dr.Object, "spec", "target", "kind")
	name, _, _ := unstructured.NestedString(dr.Object, "spec", "target", "name")
	target := kind + "/" + name
	// Signed URLs carry credentials in their query, as S3's do.
	u := v.store.URL + "/" + target + "?X-Amz-Credential=AKIAEXAMPLESIGNED001%2F20240101&X-Amz-Signature=0123456789abcdef"
	if v.Unreachable[target] {
		u = "https://127.0.0.1:1/" + target + "?X-Amz-Signature=0123456789abcdef"
	}
	status := map[string]any{"phase": "Processed", "downloadURL": u,
		"expiration": time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)}
	_ = c.PatchStatus(ctx, downloadRequests, dr.GetNamespace(), dr.GetName(), status)
}

// serve answers the signed URLs with gzipped content.
func (v *Velero) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("X-Amz-Signature") == "" {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	content, ok := v.Files[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(content))
	_ = zw.Close()
	_, _ = w.Write(buf.Bytes())
}
