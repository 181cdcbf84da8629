package redact

import (
	"encoding/base64"
	"reflect"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestObject(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "secret elided like inspect",
			in: `apiVersion: v1
kind: Secret
metadata:
  name: s
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
    openshift.io/token-secret.value: sha256~abc
data:
  password: ` + b64("hunter2") + `
  ca.crt: ` + b64("-----BEGIN CERTIFICATE-----") + `
stringData:
  token: abcdefgh
`,
			want: `apiVersion: v1
kind: Secret
metadata:
  name: s
  annotations:
    openshift.io/token-secret.value: ""
data:
  password: 7 bytes long
  ca.crt: ` + b64("-----BEGIN CERTIFICATE-----") + `
stringData:
  token: 8 bytes long
`,
		},
		{
			name: "rsync client pod env",
			in: `apiVersion: v1
kind: Pod
metadata: {name: rsync-abc, labels: {app.kubernetes.io/part-of: openshift-migration}}
spec:
  containers:
  - name: rsync
    args: ["--password=xyz123", "-avz"]
    env:
    - {name: RSYNC_PASSWORD, value: changeme-plaintext}
    - {name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI}
    - {name: LOG_LEVEL, value: debug}
    - name: FROM_SECRET
      valueFrom: {secretKeyRef: {name: s, key: password}}
`,
			want: `apiVersion: v1
kind: Pod
metadata: {name: rsync-abc, labels: {app.kubernetes.io/part-of: openshift-migration}}
spec:
  containers:
  - name: rsync
    args: ["--password=<redacted>", "-avz"]
    env:
    - {name: RSYNC_PASSWORD, value: <redacted>}
    - {name: AWS_SECRET_ACCESS_KEY, value: <redacted>}
    - {name: LOG_LEVEL, value: debug}
    - name: FROM_SECRET
      valueFrom: {secretKeyRef: {name: s, key: password}}
`,
		},
		{
			name: "configmap",
			in: `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  db_password: plain
  config.yaml: |
    user: bob
    password: inline
  note: nothing
binaryData:
  blob: ` + b64("0123456789") + `
`,
			want: `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  db_password: 5 bytes long
  config.yaml: |
    user: bob
    password: <redacted>
  note: nothing
binaryData:
  blob: 10 bytes long
`,
		},
		{
			name: "route key blanked",
			in: `apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: r}
spec: {host: h, tls: {termination: edge, key: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----", certificate: cert}}
`,
			want: `apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: r}
spec: {host: h, tls: {termination: edge, key: "", certificate: cert}}
`,
		},
		{
			name: "credential fields in custom resources",
			in: `apiVersion: migration.openshift.io/v1alpha1
kind: MigCluster
metadata: {name: source}
spec:
  url: https://api.source:6443
  serviceAccountSecretRef: {name: source-sa, namespace: openshift-config}
  saToken: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln
  caBundle: Y2EK
`,
			want: `apiVersion: migration.openshift.io/v1alpha1
kind: MigCluster
metadata: {name: source}
spec:
  url: https://api.source:6443
  serviceAccountSecretRef: {name: source-sa, namespace: openshift-config}
  saToken: <redacted>
  caBundle: Y2EK
`,
		},
		{
			name: "BSL config",
			in: `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: {name: b}
spec:
  provider: aws
  credential: {name: cloud-credentials, key: cloud}
  config: {region: us-east-1, s3Url: "http://admin:minio-pass-1@minio:9000", accessKey: AKIAIOSFODNN7EXAMPLE, secretKey: wJalrXUtnFEMIK7MDENG}
`,
			want: `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: {name: b}
spec:
  provider: aws
  credential: {name: cloud-credentials, key: cloud}
  config: {region: us-east-1, s3Url: "http://admin:<redacted>@minio:9000", accessKey: <redacted>, secretKey: <redacted>}
`,
		},
		{
			name: "MigHook playbook filtered, last-applied copy dropped",
			in: `apiVersion: migration.openshift.io/v1alpha1
kind: MigHook
metadata:
  name: pre-backup
  namespace: openshift-migration
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"spec":{"playbook":"` + b64("token: abc123") + `"}}'
spec:
  custom: false
  image: quay.io/konveyor/hook-runner:latest
  targetCluster: source
  activeDeadlineSeconds: 1800
  playbook: ` + b64("- hosts: localhost\n  vars:\n    token: abc123\n") + `
status:
  conditions:
  - {type: Ready, status: "True", category: Required, message: The hook is ready.}
`,
			want: `apiVersion: migration.openshift.io/v1alpha1
kind: MigHook
metadata:
  name: pre-backup
  namespace: openshift-migration
  annotations: {}
spec:
  custom: false
  image: quay.io/konveyor/hook-runner:latest
  targetCluster: source
  activeDeadlineSeconds: 1800
  playbook: ` + b64("- hosts: localhost\n  vars:\n    token: <redacted>\n") + `
status:
  conditions:
  - {type: Ready, status: "True", category: Required, message: The hook is ready.}
`,
		},
		{
			name: "custom MigHook without playbook",
			in: `apiVersion: migration.openshift.io/v1alpha1
kind: MigHook
metadata: {name: custom, namespace: openshift-migration}
spec: {custom: true, image: "quay.io/acme/hook:1", targetCluster: destination, args: ["--password=hunter2hunter2"]}
`,
			want: `apiVersion: migration.openshift.io/v1alpha1
kind: MigHook
metadata: {name: custom, namespace: openshift-migration}
spec: {custom: true, image: "quay.io/acme/hook:1", targetCluster: destination, args: ["--password=<redacted>"]}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := obj(t, tt.in)
			r.Object(got)
			want := obj(t, tt.want)
			if !reflect.DeepEqual(got, want) {
				gy, _ := yaml.Marshal(got)
				wy, _ := yaml.Marshal(want)
				t.Errorf("got:\n%s\nwant:\n%s", gy, wy)
			}
		})
	}
}

func TestSecretLiterals(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"sensitive keys only", `apiVersion: v1
kind: Secret
data:
  username: ` + b64("admin-user") + `
  password: ` + b64("pa55w0rd-value") + `
  RSYNC_PASSWORD: ` + b64("rsync-pass-value") + `
`, []string{"pa55w0rd-value", "rsync-pass-value"}},
		{"aws credentials file", `apiVersion: v1
kind: Secret
data:
  cloud: ` + b64("[default]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCY\n") + `
`, []string{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENGbPxRfiCY"}},
		{"service account token", `apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
data:
  token: ` + b64("eyJhbGciOi.eyJzdWIi.sig") + `
  namespace: ` + b64("openshift-migration") + `
  ca.crt: ` + b64("cert") + `
`, []string{"eyJhbGciOi.eyJzdWIi.sig"}},
		{"saToken key", `apiVersion: v1
kind: Secret
stringData:
  saToken: plain-token-value
`, []string{"plain-token-value"}},
		{"not a secret", `apiVersion: v1
kind: ConfigMap
data: {password: x}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SecretLiterals(obj(t, tt.in))
			sort.Strings(got)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
