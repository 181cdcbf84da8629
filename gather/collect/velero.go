package collect

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

var downloadRequestsGVR = schema.GroupVersionResource{Group: veleroGroup, Version: "v1", Resource: "downloadrequests"}

// pollInterval is how often a DownloadRequest is checked for its URL.
const pollInterval = 250 * time.Millisecond

// Velero phases whose logs have been uploaded (velero backup/restore logs
// refuses the others).
var loggedPhases = map[string]bool{
	"Completed": true, "Failed": true, "PartiallyFailed": true,
	"WaitingForPluginOperations": true, "WaitingForPluginOperationsPartiallyFailed": true,
	"FinalizingPartiallyFailed": true,
}

// veleroTarget is one file to fetch through a DownloadRequest.
type veleroTarget struct {
	resource string // backups | restores
	obj      *unstructured.Unstructured
	kind     string // DownloadRequest target kind
	path     string
	gzipped  bool
}

// gatherVelero fetches the log and results of every MTC Backup and Restore
// of the window, as `velero backup logs` does but without the velero
// binary: a DownloadRequest, then a GET of the signed URL.
func (c *clusterRun) gatherVelero(p *pool) {
	since := c.g.since()
	for _, res := range []string{"backups", "restores"} {
		kinds := map[string][2]string{"backups": {"BackupLog", "BackupResults"}, "restores": {"RestoreLog", "RestoreResults"}}[res]
		for _, obj := range c.cr(res) {
			if !isMTCVeleroObject(obj) {
				continue
			}
			if !since.IsZero() && obj.GetCreationTimestamp().Time.Before(since) {
				continue
			}
			if phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase"); !loggedPhases[phase] {
				continue
			}
			ns, name := obj.GetNamespace(), obj.GetName()
			targets := []veleroTarget{
				{resource: res, obj: obj, kind: kinds[0], path: c.path(mustgather.VeleroLog(ns, res, name)), gzipped: true},
				{resource: res, obj: obj, kind: kinds[1], path: c.path(mustgather.VeleroResults(ns, res, name)), gzipped: true},
			}
			for _, t := range targets {
				p.GoAs("velero", c.spec.Name, func(ctx context.Context) { c.fetchVelero(ctx, t) })
			}
		}
	}
}

// isMTCVeleroObject tells Backups/Restores MTC created from others (a
// cluster's own schedules).
func isMTCVeleroObject(o *unstructured.Unstructured) bool {
	l := o.GetLabels()
	for _, k := range []string{mtc.MigMigrationNameLabel, mtc.MigPlanNameLabel, mtc.InitialBackupLabel,
		mtc.StageBackupLabel, mtc.StageRestoreLabel, mtc.FinalRestoreLabel} {
		if l[k] != "" {
			return true
		}
	}
	return false
}

func (c *clusterRun) fetchVelero(ctx context.Context, t veleroTarget) {
	what := fmt.Sprintf("%s of %s %s", t.kind, t.resource, objectName(t.obj))
	url, drName, err := c.downloadURL(ctx, t)
	if drName != "" {
		defer c.deleteDownloadRequest(t.obj.GetNamespace(), drName)
	}
	if err != nil {
		c.fault("velero", what, t.path, err)
		return
	}
	if err := c.download(ctx, t, url); err != nil {
		c.fault("velero", what, t.path, err)
		return
	}
	c.mu.Lock()
	c.veleroFiles[t.path] = t.path
	c.mu.Unlock()
}

// downloadURL creates a DownloadRequest and waits for Velero to sign a URL.
func (c *clusterRun) downloadURL(ctx context.Context, t veleroTarget) (string, string, error) {
	ns := t.obj.GetNamespace()
	dr := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "velero.io/v1", "kind": "DownloadRequest",
		"metadata": map[string]any{
			"generateName": truncate(t.obj.GetName(), 50) + "-",
			"namespace":    ns,
			"labels":       map[string]any{"app.kubernetes.io/managed-by": "kubectl-mig"},
		},
		"spec": map[string]any{"target": map[string]any{"kind": t.kind, "name": t.obj.GetName()}},
	}}
	var created *unstructured.Unstructured
	err := c.do(ctx, func(ctx context.Context) error {
		var err error
		created, err = c.dyn.Resource(downloadRequestsGVR).Namespace(ns).Create(ctx, dr, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("create a DownloadRequest in %s: %w", ns, err)
	}
	name := created.GetName()
	deadline := time.Now().Add(c.g.cfg.RequestTimeout)
	for {
		var cur *unstructured.Unstructured
		err := c.do(ctx, func(ctx context.Context) error {
			var err error
			cur, err = c.dyn.Resource(downloadRequestsGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			return err
		})
		if err != nil {
			return "", name, fmt.Errorf("read DownloadRequest %s/%s: %w", ns, name, err)
		}
		if u, _, _ := unstructured.NestedString(cur.Object, "status", "downloadURL"); u != "" {
			return u, name, nil
		}
		if time.Now().After(deadline) {
			return "", name, fmt.Errorf("DownloadRequest %s/%s got no download URL within %v: check that the Velero server runs in %s and that the BackupStorageLocation is Available (the same lines are in the velero pod's log): %w",
				ns, name, c.g.cfg.RequestTimeout, ns, context.DeadlineExceeded)
		}
		select {
		case <-ctx.Done():
			return "", name, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

func (c *clusterRun) deleteDownloadRequest(ns, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.g.cfg.RequestTimeout)
	defer cancel()
	// Best effort: Velero also deletes expired requests itself.
	_ = c.dyn.Resource(downloadRequestsGVR).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{})
}

// download streams a signed URL (gunzipped) through the redactor into the
// bundle. The URL's query carries credentials: it is never written.
func (c *clusterRun) download(ctx context.Context, t veleroTarget, signed string) error {
	host := "the object store"
	if u, err := url.Parse(signed); err == nil {
		host = u.Host
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watch := newIdleWatch(c.g.cfg.RequestTimeout, cancel)
	defer watch.stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, signed, nil)
	if err != nil {
		return fmt.Errorf("signed URL: %w", err)
	}
	resp, err := c.objectStoreClient(t).Do(req)
	if err != nil {
		return fmt.Errorf("fetch the signed URL from %s: %w (the object store must be reachable from this machine: set the BackupStorageLocation's config.publicUrl, or read the lines in the velero pod's log)",
			host, stripURL(causeOf(ctx, err)))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s answered 404: the file is not in the object store (nothing was uploaded for this object)", host)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", host, resp.Status)
	}
	body := watch.reader(resp.Body)
	if t.gzipped {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return fmt.Errorf("%s: not gzip data: %w", host, err)
		}
		defer zr.Close()
		body = zr
	}
	f, err := c.g.bundle.Create(t.path, c.g.cfg.MaxLogBytes)
	if err != nil {
		return err
	}
	w := c.g.redactor.NewWriter(f)
	_, err = io.CopyBuffer(w, body, make([]byte, 64<<10))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.MarkIncomplete()
		err = fmt.Errorf("download from %s cut short after %d bytes (kept): %w", host, f.Written(), stripURL(causeOf(ctx, err)))
	}
	if cerr := f.Close(context.WithoutCancel(ctx)); cerr != nil {
		return cerr
	}
	if err == nil {
		return nil
	}
	// The partial file is kept and listed; the fault still says what broke.
	c.mu.Lock()
	c.veleroFiles[t.path] = t.path
	c.mu.Unlock()
	return err
}

// stripURL removes the signed URL (and its credentials) from an error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// objectStoreClient trusts the system roots plus the BackupStorageLocation's
// caCert, as the velero CLI does.
func (c *clusterRun) objectStoreClient(t veleroTarget) *http.Client {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if ca := c.bslCACert(t); len(ca) > 0 {
		pool.AppendCertsFromPEM(ca)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// bslCACert finds the caCert of the BackupStorageLocation a Backup (or the
// Backup of a Restore) was stored in.
func (c *clusterRun) bslCACert(t veleroTarget) []byte {
	backup := t.obj
	if t.resource == "restores" {
		name, _, _ := unstructured.NestedString(t.obj.Object, "spec", "backupName")
		backup = nil
		for _, b := range c.cr("backups") {
			if b.GetName() == name && b.GetNamespace() == t.obj.GetNamespace() {
				backup = b
			}
		}
		if backup == nil {
			return nil
		}
	}
	loc, _, _ := unstructured.NestedString(backup.Object, "spec", "storageLocation")
	for _, bsl := range c.cr("backupstoragelocations") {
		if bsl.GetName() != loc || bsl.GetNamespace() != backup.GetNamespace() {
			continue
		}
		ca, _, _ := unstructured.NestedString(bsl.Object, "spec", "objectStorage", "caCert")
		if pem, err := base64.StdEncoding.DecodeString(ca); err == nil {
			return pem
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
