package scenario

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// errMissingRef marks a `uid` call naming an object that does not exist yet;
// the file is retried after the other files have been applied.
var errMissingRef = errors.New("referenced object does not exist (yet)")

// TemplateData is what scenario templates see as ".".
type TemplateData struct {
	// Clusters by name: {{ .Clusters.source.URL }}.
	Clusters map[string]ClusterFacts
}

// ClusterFacts describes one running cluster to templates.
type ClusterFacts struct {
	Name     string
	URL      string // https://127.0.0.1:<port>
	CA       string // PEM
	CABase64 string // base64 of the PEM, as in MigCluster spec.caBundle
	NodeName string // the stand-in kubelet's Node
}

// uidLookup resolves a UID; it returns an error wrapping errMissingRef when
// the object is not there.
type uidLookup func(ctx context.Context, cluster, kind, namespace, name string) (string, error)

// funcs are the template functions. now is fixed once per Load so that all
// relative times in a scenario agree.
func funcs(ctx context.Context, now time.Time, lookup uidLookup) template.FuncMap {
	ago := func(d string) (time.Time, error) {
		dur, err := time.ParseDuration(d)
		if err != nil {
			return time.Time{}, fmt.Errorf("ago %q: %w", d, err)
		}
		return now.Add(-dur), nil
	}
	return template.FuncMap{
		"uid": func(cluster, kind, namespace, name string) (string, error) {
			return lookup(ctx, cluster, kind, namespace, name)
		},
		"ago": func(d string) (string, error) {
			t, err := ago(d)
			return t.Format(time.RFC3339), err
		},
		"agoTime": ago,
		// epochMillis: milliseconds since 1970, as mig-controller's zap "ts".
		"epochMillis": func(d string) (int64, error) {
			t, err := ago(d)
			return t.UnixMilli(), err
		},
		"now":     func() string { return now.Format(time.RFC3339) },
		"nowTime": func() time.Time { return now },
		"md5": func(s ...string) string {
			sum := md5.Sum([]byte(strings.Join(s, "")))
			return hex.EncodeToString(sum[:])
		},
		"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	}
}

// render executes one file as a template.
func render(name string, src []byte, fm template.FuncMap, data TemplateData) ([]byte, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Funcs(fm).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
