package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// credentialLine finds "name = value" / "name: value" lines inside a
// credentials file stored in a Secret (the AWS "cloud" file of a BSL:
// aws_access_key_id=..., aws_secret_access_key=...).
var credentialLine = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_.\-]+)\s*[:=]\s*"?([^\s"]+)"?\s*$`)

// SecretLiterals returns the values of a Secret (an unstructured object map,
// before redaction) that must never appear anywhere in a bundle: the values
// under credential-like keys (password, token, secret, *key, credentials,
// cloud; the token of a service-account token Secret among them), and the
// values of credential-like lines in credential files. Values under other keys
// (usernames, bucket names, namespaces) are not learnt: masking them
// everywhere would blind the bundle.
func SecretLiterals(obj map[string]any) []string {
	if apiGroup(obj) != "" || obj["kind"] != "Secret" {
		return nil
	}
	var out []string
	collect := func(m map[string]any, b64 bool) {
		for k, v := range m {
			s, ok := v.(string)
			if !ok || publicSecretKeys[k] {
				continue
			}
			if b64 {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					continue
				}
				s = string(b)
			}
			out = append(out, valueLiterals(k, s)...)
		}
	}
	if m, ok := obj["data"].(map[string]any); ok {
		collect(m, true)
	}
	if m, ok := obj["stringData"].(map[string]any); ok {
		collect(m, false)
	}
	return out
}

// valueLiterals picks what to learn from one Secret value.
func valueLiterals(key, value string) []string {
	var out []string
	if sensitiveEnv.MatchString(key) || strings.EqualFold(key, "cloud") {
		if !strings.Contains(value, "\n") {
			out = append(out, value)
		}
	}
	// Credentials files and env files: learn the credential-like lines.
	for _, m := range credentialLine.FindAllStringSubmatch(value, -1) {
		if sensitiveEnv.MatchString(m[1]) || strings.Contains(strings.ToLower(m[1]), "key_id") {
			out = append(out, m[2])
		}
	}
	return out
}
