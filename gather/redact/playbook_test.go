package redact

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// cleanPlaybook holds nothing to mask, though it talks about tokens and
// secrets.
const cleanPlaybook = `- hosts: localhost
  gather_facts: false
  vars:
    app_namespace: shop
    token_ttl_minutes: 30
  tasks:
  - name: scale down the frontend before the backup
    k8s_scale:
      kind: Deployment
      name: frontend
      namespace: "{{ app_namespace }}"
      replicas: 0
  - name: the secret name is not a secret
    debug:
      msg: secretName is db-creds
`

// wrap76 encodes s the way base64(1) does without -w0: 76-column lines and
// a final newline, as a YAML block scalar keeps it.
func wrap76(s string) string {
	enc := b64(s)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func TestMigHookPlaybook(t *testing.T) {
	const (
		hookAPI  = "migration.openshift.io/v1alpha1"
		password = `- hosts: localhost
  vars:
    db_user: app
    db_password: s3cr3t-db-pass
  tasks:
  - name: dump the database
    command: pg_dump -U {{ db_user }} shop
`
		bearer = `- hosts: localhost
  tasks:
  - name: quiesce through the API
    uri:
      url: https://api.example.com/v1/quiesce
      method: POST
      headers:
        Authorization: "Bearer abcdef0123456789ghijkl"
`
		literal = `- hosts: localhost
  tasks:
  - name: restore
    command: /opt/restore.sh --profile literal-value-123 --verbose
`
		pem = `- hosts: localhost
  tasks:
  - name: install the client key
    copy:
      dest: /etc/app/client.key
      mode: "0600"
      content: |
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEAplantedPEMbody0001
        plantedPEMbodyLineTwo0002
        -----END RSA PRIVATE KEY-----
  - name: restart
    command: systemctl restart app
`
		pemUnterminated = `- hosts: localhost
  vars:
    key: |
      -----BEGIN PRIVATE KEY-----
      plantedPEMbodyNoEnd0003
  tasks: []
`
		urlPass = "- hosts: localhost\r\n  tasks:\r\n  - get_url:\r\n      url: https://backup:url-pass-4711@dump.example.com/db.tgz\r\n      dest: /tmp\r\n"
	)
	binary := string([]byte{0x7f, 'E', 'L', 'F', 0, 1, 2, 0xff, 0xfe})
	// A learnt literal that occurs in the base64 form of the clean playbook
	// but not in its text: the generic string walk would corrupt the
	// encoding if it ran over the playbook.
	inEncoding := b64(cleanPlaybook)[40:56]
	if strings.Contains(cleanPlaybook, inEncoding) || New(inEncoding).String(b64(cleanPlaybook)) == b64(cleanPlaybook) {
		t.Fatalf("precondition: %q must mark the encoding only", inEncoding)
	}
	if !strings.HasSuffix(b64(password+"#"), "=") {
		t.Fatal("precondition: the unpadded case needs an encoding with padding")
	}

	tests := []struct {
		name       string
		apiVersion string // default hookAPI
		kind       string // default MigHook
		literals   []string
		playbook   string // spec.playbook as stored
		wantText   string // decoded playbook expected, when the result is base64
		wantRaw    string // spec.playbook expected verbatim, when set
		gone       []string
	}{
		{name: "password var", playbook: b64(password),
			wantText: strings.Replace(password, "s3cr3t-db-pass", Mask, 1), gone: []string{"s3cr3t-db-pass"}},
		{name: "bearer token", playbook: b64(bearer),
			wantText: strings.Replace(bearer, "abcdef0123456789ghijkl", Mask, 1), gone: []string{"abcdef0123456789ghijkl"}},
		{name: "learnt literal", literals: []string{"literal-value-123"}, playbook: b64(literal),
			wantText: strings.Replace(literal, "literal-value-123", Mask, 1), gone: []string{"literal-value-123"}},
		{name: "PEM private key across lines", playbook: b64(pem),
			wantText: `- hosts: localhost
  tasks:
  - name: install the client key
    copy:
      dest: /etc/app/client.key
      mode: "0600"
      content: |
        -----BEGIN RSA PRIVATE KEY-----
        <redacted>
        -----END RSA PRIVATE KEY-----
  - name: restart
    command: systemctl restart app
`, gone: []string{"MIIEowIBAAKCAQEAplantedPEMbody0001", "plantedPEMbodyLineTwo0002"}},
		{name: "PEM private key without END", playbook: b64(pemUnterminated),
			wantText: `- hosts: localhost
  vars:
    key: |
      -----BEGIN PRIVATE KEY-----
      <redacted>
`, gone: []string{"plantedPEMbodyNoEnd0003"}},
		{name: "URL password, CRLF lines", playbook: b64(urlPass),
			wantText: strings.Replace(urlPass, "url-pass-4711", Mask, 1), gone: []string{"url-pass-4711"}},
		{name: "wrapped base64 with a secret", playbook: wrap76(password),
			wantText: strings.Replace(password, "s3cr3t-db-pass", Mask, 1), gone: []string{"s3cr3t-db-pass"}},
		{name: "clean playbook unchanged", playbook: b64(cleanPlaybook), wantRaw: b64(cleanPlaybook)},
		{name: "clean wrapped playbook keeps its encoding", playbook: wrap76(cleanPlaybook), wantRaw: wrap76(cleanPlaybook)},
		{name: "unpadded base64", playbook: strings.TrimRight(b64(password+"#"), "="),
			wantText: strings.Replace(password, "s3cr3t-db-pass", Mask, 1) + "#", gone: []string{"s3cr3t-db-pass"}},
		{name: "base64 not touched by the string walk", literals: []string{inEncoding},
			playbook: b64(cleanPlaybook), wantRaw: b64(cleanPlaybook)},
		{name: "invalid base64 elided", playbook: "db_password: s3cr3t-db-pass",
			wantRaw: "27 bytes long", gone: []string{"s3cr3t-db-pass"}},
		{name: "binary elided", playbook: b64(binary), wantRaw: fmt.Sprintf("%d bytes long", len(binary))},
		{name: "empty playbook", playbook: "", wantRaw: ""},
		{name: "other kind in the MTC group left alone", kind: "MigPlan", playbook: b64(password), wantRaw: b64(password)},
		{name: "MigHook of another group left alone", apiVersion: "example.com/v1", playbook: b64(password), wantRaw: b64(password)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiVersion, kind := tt.apiVersion, tt.kind
			if apiVersion == "" {
				apiVersion = hookAPI
			}
			if kind == "" {
				kind = "MigHook"
			}
			o := map[string]any{"apiVersion": apiVersion, "kind": kind,
				"metadata": map[string]any{"name": "h", "namespace": "openshift-migration"},
				"spec": map[string]any{"custom": false, "image": "quay.io/konveyor/hook-runner:latest",
					"targetCluster": "source", "playbook": tt.playbook}}
			New(tt.literals...).Object(o)
			got, ok := o["spec"].(map[string]any)["playbook"].(string)
			if !ok {
				t.Fatalf("spec.playbook is gone or not a string: %#v", o["spec"])
			}
			var decoded string
			if tt.wantRaw != "" || tt.playbook == "" {
				if got != tt.wantRaw {
					t.Fatalf("spec.playbook = %q, want %q", got, tt.wantRaw)
				}
				if b, err := base64.StdEncoding.DecodeString(got); err == nil {
					decoded = string(b)
				}
			} else {
				b, err := base64.StdEncoding.Strict().DecodeString(got)
				if err != nil {
					t.Fatalf("spec.playbook %q is not canonical base64: %v", got, err)
				}
				decoded = string(b)
				if decoded != tt.wantText {
					t.Fatalf("decoded playbook:\n%s\nwant:\n%s", decoded, tt.wantText)
				}
				var v any
				if err := yaml.Unmarshal(b, &v); err != nil {
					t.Errorf("masked playbook is no longer YAML: %v\n%s", err, decoded)
				}
			}
			dump, err := yaml.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.gone {
				for where, text := range map[string]string{"encoded": got, "decoded": decoded, "object": string(dump)} {
					if strings.Contains(text, s) {
						t.Errorf("%q survives in the %s output", s, where)
					}
				}
			}
			if spec := o["spec"].(map[string]any); spec["image"] != "quay.io/konveyor/hook-runner:latest" || spec["targetCluster"] != "source" {
				t.Errorf("other spec fields changed: %v", spec)
			}
		})
	}
}

// TestPEMEdges covers, through the playbook text filter, private keys whose
// markers share a line with something else, and the indentation of the mask
// line: where the input is YAML, the output must still be YAML.
func TestPEMEdges(t *testing.T) {
	r := New("literal-value-123")
	tests := []struct{ name, in, want string }{
		{"indented block scalar",
			"  k: |\n    -----BEGIN EC PRIVATE KEY-----\n    body\n    -----END EC PRIVATE KEY-----\n",
			"  k: |\n    -----BEGIN EC PRIVATE KEY-----\n    <redacted>\n    -----END EC PRIVATE KEY-----\n"},
		{"column zero",
			"-----BEGIN PRIVATE KEY-----\nbody\n-----END PRIVATE KEY-----\n",
			"-----BEGIN PRIVATE KEY-----\n<redacted>\n-----END PRIVATE KEY-----\n"},
		{"credential before BEGIN",
			"password: hunter2hunter2 -----BEGIN RSA PRIVATE KEY-----\nbody\n-----END RSA PRIVATE KEY-----\n",
			"password: <redacted> -----BEGIN RSA PRIVATE KEY-----\n<redacted>\n-----END RSA PRIVATE KEY-----\n"},
		{"literal glued to BEGIN",
			"-----BEGIN PRIVATE KEY-----literal-value-123\nbody\n",
			"-----BEGIN PRIVATE KEY-----<redacted>\n<redacted>\n"},
		{"body glued to END",
			"-----BEGIN RSA PRIVATE KEY-----\nbody\n  lastbodyline-----END RSA PRIVATE KEY-----\n",
			"-----BEGIN RSA PRIVATE KEY-----\n<redacted>\n  <redacted>-----END RSA PRIVATE KEY-----\n"},
		{"escaped newlines in a quoted scalar",
			"k: \"-----BEGIN RSA PRIVATE KEY-----\\nbody\n  lastbody\\n-----END RSA PRIVATE KEY-----\\n\"\n",
			"k: \"-----BEGIN RSA PRIVATE KEY-----<redacted>\n  <redacted>\n  <redacted>-----END RSA PRIVATE KEY-----\\n\"\n"},
		{"one-line key", "k: \"-----BEGIN PRIVATE KEY-----\\nbody\\n-----END PRIVATE KEY-----\"\n",
			"k: \"-----BEGIN PRIVATE KEY-----<redacted>-----END PRIVATE KEY-----\"\n"},
		{"certificate kept", "-----BEGIN CERTIFICATE-----\nMIIcert\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nMIIcert\n-----END CERTIFICATE-----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.text([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := string(r.text([]byte(got))); again != got {
				t.Errorf("not idempotent:\n once %q\ntwice %q", got, again)
			}
			var v any
			if yaml.Unmarshal([]byte(tt.in), &v) == nil {
				if err := yaml.Unmarshal([]byte(got), &v); err != nil {
					t.Errorf("the input is YAML, the output is not: %v\n%s", err, got)
				}
			}
		})
	}
}

// FuzzMigHookPlaybook checks that a learnt secret planted anywhere in a
// playbook survives neither in spec.playbook nor in what it decodes to.
func FuzzMigHookPlaybook(f *testing.F) {
	f.Add("- hosts: localhost\n  vars:\n    x: ", "\n")
	f.Add("-----BEGIN PRIVATE KEY-----\n", "\n-----END PRIVATE KEY-----\n")
	f.Add("url: https://u:", "@host/\n")
	f.Add("-----BEGIN PRIVATE KEY-----\nbody\n", "-----END PRIVATE KEY-----\n")
	f.Add("password: x -----BEGIN PRIVATE KEY-----", "\nbody\n")
	f.Add("\x00", "")
	r := New(planted)
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		in := prefix + planted + suffix
		o := map[string]any{"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigHook",
			"spec": map[string]any{"playbook": b64(in)}}
		r.Object(o)
		got := o["spec"].(map[string]any)["playbook"].(string)
		if strings.Contains(got, planted) {
			t.Fatalf("planted secret survived in %q", got)
		}
		if strings.HasSuffix(got, " bytes long") {
			return
		}
		b, err := base64.StdEncoding.DecodeString(got)
		if err != nil {
			t.Fatalf("spec.playbook %q is not base64: %v", got, err)
		}
		if strings.Contains(string(b), planted) {
			t.Fatalf("planted secret survived: %q -> %q", in, b)
		}
	})
}
