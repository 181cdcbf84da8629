package setup_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit/cmdtest"
	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// Secret values of the storage tests: none of them may ever be printed.
const (
	s3ID        = "AKIAINTEGRATION00001"
	s3Secret    = "integration/S3+secret/value/0001"
	minioID     = "minio-access-0001"
	minioSecret = "minio-secret-key-0001"
	azSecret    = "azure-client-secret~0001"
	gcpPrivate  = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-integration-0001"
)

// TestSetupCommands runs storage, hook and plan analyze commands against one
// host+source pair.
func TestSetupCommands(t *testing.T) {
	h := newHarness(t)
	t.Run("storage", func(t *testing.T) { testStorage(t, h) })
	t.Run("hooks", func(t *testing.T) { testHooks(t, h) })
	t.Run("plan analyze", func(t *testing.T) { testPlanAnalyze(t, h) })
}

func testStorage(t *testing.T, h *harness) {
	ctx := context.Background()
	gcpKey := `{"type":"service_account","project_id":"p","private_key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\n` + gcpPrivate +
		`\n-----END PRIVATE KEY-----\n","client_email":"velero@p.iam.gserviceaccount.com"}`
	secretValues := []string{s3ID, s3Secret, minioID, minioSecret, azSecret, gcpPrivate, gcpKey}
	minioCA := string(h.Pair.Source.CA()) // any real CA certificate will do

	cases := []struct {
		name   string
		call   call
		secret string
		keys   map[string]string
		check  func(t *testing.T, ms *mtc.MigStorage)
	}{
		{
			name: "aws", secret: "s3-aws-credentials",
			call: call{args: []string{"storage", "add", "s3", "--provider", "aws", "--bucket", "mig-repo", "--region", "eu-west-1",
				"--kms-key-id", "alias/mig", "--snapshot-provider", "aws"},
				env: map[string]string{"AWS_ACCESS_KEY_ID": s3ID, "AWS_SECRET_ACCESS_KEY": s3Secret}},
			keys: map[string]string{"aws-access-key-id": s3ID, "aws-secret-access-key": s3Secret},
			check: func(t *testing.T, ms *mtc.MigStorage) {
				c := ms.Spec.BackupStorageConfig
				if ms.Spec.BackupStorageProvider != "aws" || c.AwsBucketName != "mig-repo" || c.AwsRegion != "eu-west-1" || c.AwsKmsKeyID != "alias/mig" ||
					ms.Spec.VolumeSnapshotProvider != "aws" || ms.Spec.VolumeSnapshotConfig.AwsRegion != "eu-west-1" {
					t.Fatalf("spec = %+v", ms.Spec)
				}
			},
		},
		{
			name: "generic-s3", secret: "minio-generic-s3-credentials",
			call: call{args: []string{"storage", "add", "minio", "--provider", "generic-s3", "--bucket", "mig", "--s3-url", "https://minio.example.com:9000",
				"--ca-bundle", h.file("minio-ca.crt", minioCA), "--credentials-file", "-"},
				stdin: "[default]\naws_access_key_id = " + minioID + "\naws_secret_access_key = " + minioSecret + "\n"},
			keys: map[string]string{"aws-access-key-id": minioID, "aws-secret-access-key": minioSecret},
			check: func(t *testing.T, ms *mtc.MigStorage) {
				c := ms.Spec.BackupStorageConfig
				if ms.Spec.BackupStorageProvider != "aws" || c.AwsS3URL != "https://minio.example.com:9000" || !c.AwsS3ForcePathStyle ||
					string(c.S3CustomCABundle) != minioCA || c.AwsRegion != "" {
					t.Fatalf("spec = %+v", c)
				}
			},
		},
		{
			name: "gcp", secret: "gcs-gcp-credentials",
			call: call{args: []string{"storage", "add", "gcs", "--provider", "gcp", "--bucket", "mig-gcs", "--credentials-file", h.file("key.json", gcpKey)}},
			keys: map[string]string{"gcp-credentials": gcpKey},
			check: func(t *testing.T, ms *mtc.MigStorage) {
				if ms.Spec.BackupStorageProvider != "gcp" || ms.Spec.BackupStorageConfig.GcpBucket != "mig-gcs" {
					t.Fatalf("spec = %+v", ms.Spec)
				}
			},
		},
		{
			name: "azure", secret: "blob-azure-credentials",
			call: call{args: []string{"storage", "add", "blob", "--provider", "azure", "--bucket", "mig", "--storage-account", "migacct",
				"--resource-group", "mig-rg", "--snapshot-provider", "azure", "--credentials-file",
				h.file("credentials-velero", "AZURE_TENANT_ID=t\nAZURE_SUBSCRIPTION_ID=s\nAZURE_CLIENT_ID=c\nAZURE_CLIENT_SECRET="+azSecret+"\n")}},
			keys: map[string]string{"azure-credentials": ""},
			check: func(t *testing.T, ms *mtc.MigStorage) {
				c, v := ms.Spec.BackupStorageConfig, ms.Spec.VolumeSnapshotConfig
				if ms.Spec.BackupStorageProvider != "azure" || c.AzureStorageContainer != "mig" || c.AzureStorageAccount != "migacct" ||
					c.AzureResourceGroup != "mig-rg" || v.AzureResourceGroup != "mig-rg" || v.AzureAPITimeout != "2m0s" {
					t.Fatalf("spec = %+v", ms.Spec)
				}
			},
		},
	}
	var outputs strings.Builder
	record := func(r result) result { outputs.WriteString(r.all()); return r }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dry := c.call
			dry.args = append(append([]string{}, c.call.args...), "--dry-run=server", "-o", "yaml")
			r := record(h.exec(dry))
			mustSucceed(t, r)
			mustContain(t, "dry run yaml", r.Out, "kind: Secret", "<redacted>", "kind: MigStorage")

			r = record(h.exec(c.call))
			mustSucceed(t, r)
			mustContain(t, "stdout", r.Out, "secret/"+c.secret+" created", "migstorage.migration.openshift.io/"+strings.Fields(strings.Join(c.call.args, " "))[2]+" created")
			s, err := h.Pair.Host.Client().CoreV1().Secrets(testenv.ConfigNamespace).Get(ctx, c.secret, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Data) != len(c.keys) {
				t.Fatalf("Secret keys = %v, want %v", keysOf(s.Data), c.keys)
			}
			for k, v := range c.keys {
				if got, ok := s.Data[k]; !ok || (v != "" && string(got) != v) {
					t.Fatalf("Secret key %s wrong or missing (keys %v)", k, keysOf(s.Data))
				}
			}
			name := c.call.args[2]
			u, err := h.Host.Get(ctx, kube.MigStorages, name)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := kube.FromUnstructured[mtc.MigStorage](u)
			if err != nil {
				t.Fatal(err)
			}
			if ref := ms.Spec.BackupStorageConfig.CredsSecretRef; ref == nil || ref.Name != c.secret || ref.Namespace != testenv.ConfigNamespace {
				t.Fatalf("credsSecretRef = %+v", ref)
			}
			c.check(t, ms)

			r = record(h.exec(c.call))
			if r.Code != 1 || !strings.Contains(r.Err, "already exists") {
				t.Fatalf("re-adding must fail with a hint: %d\n%s", r.Code, r.all())
			}
			over := c.call
			over.args = append(append([]string{}, c.call.args...), "--overwrite", "-o", "json")
			r = record(h.exec(over))
			mustSucceed(t, r)
			var list map[string]any
			if err := json.Unmarshal([]byte(r.Out), &list); err != nil || list["kind"] != "List" {
				t.Fatalf("-o json: %v\n%s", err, r.Out)
			}
			r = record(h.run("storage", "describe", name))
			mustSucceed(t, r)
			mustContain(t, "describe", r.Out, "Credentials:", c.secret, "keys:")
			record(h.run("storage", "describe", name, "-o", "json"))
		})
	}
	t.Run("list", func(t *testing.T) {
		r := record(h.run("storage", "list"))
		mustSucceed(t, r)
		mustContain(t, "list", r.Out, "PROVIDER", "BUCKET", "s3", "aws", "mig-repo", "eu-west-1", "minio", "generic-s3",
			"https://minio.example.com:9000", "gcs", "gcp", "blob", "azure", "migacct/mig")
		record(h.run("storage", "list", "-o", "yaml"))
		record(h.run("storage", "list", "-o", "wide"))
	})
	t.Run("wait for the controller's bucket test", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		done := make(chan result, 1)
		go func() {
			done <- h.exec(call{ctx: ctx, args: []string{"storage", "add", "bad-bucket", "--provider", "aws", "--bucket", "nope", "--region", "us-east-1",
				"--wait-ready", "--timeout", "50s"}, env: map[string]string{"AWS_ACCESS_KEY_ID": s3ID, "AWS_SECRET_ACCESS_KEY": s3Secret}})
		}()
		if _, err := h.Host.WaitFor(ctx, kube.MigStorages, "bad-bucket", nil); err != nil {
			t.Fatal(err)
		}
		if err := h.Host.Status(ctx, kube.MigStorages, "bad-bucket", map[string]any{"conditions": cmdtest.Conditions(
			cmdtest.Condition("BackupStorageProviderTestFailed", "Critical", "TestFailed", "The Backup Storage cloudprovider test failed [].")),
		}); err != nil {
			t.Fatal(err)
		}
		r := record(<-done)
		if r.Code != 1 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "BackupStorageProviderTestFailed", "write, read and delete", "region")
	})
	t.Run("invalid input", func(t *testing.T) {
		r := record(h.exec(call{args: []string{"storage", "add", "bad", "--provider", "aws", "--bucket", "Bad_Bucket"},
			env: map[string]string{"AWS_ACCESS_KEY_ID": s3ID, "AWS_SECRET_ACCESS_KEY": s3Secret}}))
		if r.Code != 2 {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		mustContain(t, "stderr", r.Err, "--region is required", "not a valid S3 bucket name")
		r = record(h.exec(call{args: []string{"storage", "add", "bad", "--provider", "gcp", "--bucket", "b", "--credentials-file", h.file("bad.json", `{"type":"authorized_user","refresh_token":"`+azSecret+`"}`)}}))
		if r.Code != 2 || !strings.Contains(r.Err, "not service_account") {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		if h.exists(kube.MigStorages, "bad") {
			t.Fatal("invalid input created a MigStorage")
		}
	})
	t.Run("remove", func(t *testing.T) {
		plan := map[string]any{"apiVersion": "migration.openshift.io/v1alpha1", "kind": "MigPlan",
			"metadata": map[string]any{"name": "uses-gcs", "namespace": migNS},
			"spec":     map[string]any{"migStorageRef": map[string]any{"name": "gcs", "namespace": migNS}}}
		if err := h.Host.Create(ctx, kube.MigPlans, plan); err != nil {
			t.Fatal(err)
		}
		r := record(h.run("storage", "remove", "gcs"))
		if r.Code != 1 || !strings.Contains(r.Err, "used by plan(s) uses-gcs") {
			t.Fatalf("exit %d:\n%s", r.Code, r.all())
		}
		r = record(h.run("storage", "remove", "gcs", "--force"))
		mustSucceed(t, r)
		mustContain(t, "output", r.all(), "migstorage.migration.openshift.io/gcs deleted", "secret/gcs-gcp-credentials deleted", "uses-gcs")
		if h.exists(kube.MigStorages, "gcs") || h.secretExists(testenv.ConfigNamespace, "gcs-gcp-credentials") {
			t.Fatal("storage or Secret left behind")
		}
	})
	// The point of it all: no credential ever reached stdout or stderr.
	neverShows(t, outputs.String(), secretValues...)
}

func keysOf(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
