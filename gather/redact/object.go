package redact

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

const (
	lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
	tokenSecretAnnotation = "openshift.io/token-secret.value"
)

// publicSecretKeys hold certificates, which are public: inspect keeps them
// so that trust chains can be checked, and so do we.
var publicSecretKeys = map[string]bool{"tls.crt": true, "ca.crt": true, "service-ca.crt": true}

// sensitiveField matches a field name whose string value is a credential,
// e.g. saToken, password, awsSecretAccessKey, clientSecret.
var sensitiveField = regexp.MustCompile(`(?i)(?:passw(?:or)?d|token|secret|api[_\-]?key|access[_\-]?key|secret[_\-]?key|private[_\-]?key|credentials?)$`)

// sensitiveEnv matches an environment variable name whose value is a
// credential: *PASSWORD, *TOKEN, *SECRET, *KEY (RSYNC_PASSWORD,
// AWS_SECRET_ACCESS_KEY, ...).
var sensitiveEnv = regexp.MustCompile(`(?i)(?:passw(?:or)?d|token|secret|key|credentials?)$`)

// Object redacts one Kubernetes object in place (the map of an
// unstructured.Unstructured): Secret values elided to "<N> bytes long" as oc
// adm inspect does (certificates kept), ConfigMap values filtered (whole
// value elided under a sensitive key, binary data elided), Route private keys
// blanked, MigHook playbooks decoded, filtered as text and re-encoded,
// last-applied-configuration removed, every string field with a
// credential-like name masked, credential environment values masked, and
// every other string filtered as text.
func (r *Redactor) Object(obj map[string]any) {
	group := apiGroup(obj)
	kind, _ := obj["kind"].(string)
	if md, ok := obj["metadata"].(map[string]any); ok {
		if ann, ok := md["annotations"].(map[string]any); ok {
			delete(ann, lastAppliedAnnotation)
			if _, ok := ann[tokenSecretAnnotation]; ok {
				ann[tokenSecretAnnotation] = ""
			}
		}
	}
	switch {
	case group == "" && kind == "Secret":
		elideValues(obj, "data", true, func(string) bool { return true })
		elideValues(obj, "stringData", false, func(string) bool { return true })
		// What is left under data is elided or a public certificate, which
		// the text rules must not touch.
		data, had := obj["data"]
		delete(obj, "data")
		r.walk(obj)
		if had {
			obj["data"] = data
		}
		return
	case group == "" && kind == "ConfigMap":
		elideValues(obj, "binaryData", true, func(string) bool { return true })
		elideValues(obj, "data", false, func(k string) bool { return sensitiveField.MatchString(k) })
	case group == "route.openshift.io" && kind == "Route":
		if spec, ok := obj["spec"].(map[string]any); ok {
			if tls, ok := spec["tls"].(map[string]any); ok {
				if _, ok := tls["key"]; ok {
					tls["key"] = ""
				}
			}
		}
	case isMigHook(obj):
		if r.redactMigHook(obj) {
			return
		}
	}
	r.walk(obj)
}

// elideValues replaces the values under obj[field] whose key passes pick by
// "<N> bytes long", N being the decoded length for base64 data.
func elideValues(obj map[string]any, field string, base64Data bool, pick func(string) bool) {
	m, ok := obj[field].(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok || publicSecretKeys[k] || !pick(k) {
			continue
		}
		n := len(s)
		if base64Data {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				n = len(b)
			}
		}
		m[k] = fmt.Sprintf("%d bytes long", n)
	}
}

// walk masks credentials anywhere in a decoded JSON tree.
func (r *Redactor) walk(v any) {
	switch t := v.(type) {
	case map[string]any:
		envLike := isEnvVar(t)
		for k, val := range t {
			switch s := val.(type) {
			case string:
				switch {
				case envLike && k == "value":
					t[k] = Mask
				case s != "" && sensitiveField.MatchString(k) && !strings.HasSuffix(s, " bytes long"):
					t[k] = Mask
				default:
					t[k] = r.String(s)
				}
			default:
				r.walk(val)
			}
		}
	case []any:
		for i, val := range t {
			if s, ok := val.(string); ok {
				t[i] = r.String(s)
				continue
			}
			r.walk(val)
		}
	}
}

// isEnvVar recognises {name: X, value: Y} entries (container env, Velero
// and MTC config lists) whose name says the value is a credential.
func isEnvVar(m map[string]any) bool {
	name, ok := m["name"].(string)
	if !ok {
		return false
	}
	v, ok := m["value"].(string)
	return ok && v != "" && sensitiveEnv.MatchString(name)
}

func apiGroup(obj map[string]any) string {
	av, _ := obj["apiVersion"].(string)
	if i := strings.IndexByte(av, '/'); i >= 0 {
		return av[:i]
	}
	return ""
}
