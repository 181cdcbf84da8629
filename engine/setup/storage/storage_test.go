package storage

import (
	"strings"
	"testing"
)

const (
	awsID     = "AKIAUNITTESTKEYID0001"
	awsSecret = "unit/Test+Secret/Value0001"
	azSecret  = "azure~client.secret-0001"
)

var gcpKey = `{"type":"service_account","project_id":"p","private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n","client_email":"velero@p.iam.gserviceaccount.com"}`

func TestParseCredentials(t *testing.T) {
	awsFile := "# comment\n[default]\naws_access_key_id = " + awsID + "\naws_secret_access_key=" + awsSecret + "\n\n[profile other]\naws_access_key_id=B\naws_secret_access_key=C\naws_session_token=S\n"
	azureFile := "export AZURE_TENANT_ID=t\nAZURE_SUBSCRIPTION_ID=\"s\"\nAZURE_CLIENT_ID='c'\nAZURE_CLIENT_SECRET=" + azSecret + "\nAZURE_CLOUD_NAME=AzurePublicCloud\n"
	tests := []struct {
		name, provider, data, profile string
		keys                          map[string]string // key -> exact value ("" = just present)
		warn, err                     string
	}{
		{name: "aws default profile", provider: ProviderAWS, data: awsFile,
			keys: map[string]string{KeyAWSAccessKeyID: awsID, KeyAWSSecretAccessKey: awsSecret}},
		{name: "aws named profile with session token", provider: ProviderGenericS3, data: awsFile, profile: "other",
			keys: map[string]string{KeyAWSAccessKeyID: "B"}, warn: "aws_session_token"},
		{name: "aws keys without section", provider: ProviderAWS, data: "aws_access_key_id=A\naws_secret_access_key=B\n",
			keys: map[string]string{KeyAWSAccessKeyID: "A"}},
		{name: "aws missing profile", provider: ProviderAWS, data: awsFile, profile: "nope", err: "no [nope] profile (profiles found: default, other)"},
		{name: "aws missing secret", provider: ProviderAWS, data: "[default]\naws_access_key_id=A\n", err: "lacks aws_access_key_id or aws_secret_access_key"},
		{name: "aws bad line", provider: ProviderAWS, data: "[default]\n" + awsSecret + "\n", err: "line 2"},
		{name: "gcp key", provider: ProviderGCP, data: gcpKey, keys: map[string]string{KeyGCPCredentials: gcpKey}},
		{name: "gcp user credentials", provider: ProviderGCP, data: `{"type":"authorized_user"}`, err: "not service_account"},
		{name: "gcp not json", provider: ProviderGCP, data: "[default]", err: "not a JSON service-account key"},
		{name: "gcp incomplete", provider: ProviderGCP, data: `{"type":"service_account"}`, err: "lacks client_email, private_key"},
		{name: "azure env file", provider: ProviderAzure, data: azureFile, keys: map[string]string{KeyAzureCredentials: ""}},
		{name: "azure incomplete", provider: ProviderAzure, data: "AZURE_TENANT_ID=t\n", err: "missing AZURE_SUBSCRIPTION_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"},
		{name: "too large", provider: ProviderAWS, data: strings.Repeat("x", MaxCredentialBytes+1), err: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCredentials(tt.provider, []byte(tt.data), tt.profile)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				for _, secret := range []string{awsSecret, azSecret, awsID} {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("error reveals a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.keys {
				got, ok := c.Data[k]
				if !ok || (v != "" && string(got) != v) {
					t.Errorf("key %s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			if w := strings.Join(c.Warnings, "|"); tt.warn != "" && !strings.Contains(w, tt.warn) {
				t.Errorf("warnings %q lack %q", w, tt.warn)
			}
		})
	}
}

func TestAzureRoundTrip(t *testing.T) {
	c, err := ParseCredentials(ProviderAzure, []byte("AZURE_TENANT_ID=t\nAZURE_SUBSCRIPTION_ID=s\nAZURE_CLIENT_ID=c\nAZURE_CLIENT_SECRET="+azSecret+"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := parseEnvFile(c.Data[KeyAzureCredentials])
	if err != nil || vars[AzureClientSecret] != azSecret || vars[AzureTenantID] != "t" {
		t.Fatalf("stored env file does not parse back: %v %v", vars, err)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := CredentialsFromEnv(ProviderAWS, env(map[string]string{"AWS_ACCESS_KEY_ID": awsID, "AWS_SECRET_ACCESS_KEY": awsSecret}))
	if err != nil || string(c.Data[KeyAWSSecretAccessKey]) != awsSecret || !strings.Contains(c.Source, "environment") {
		t.Fatalf("aws env: %v %v", c, err)
	}
	if _, err := CredentialsFromEnv(ProviderAWS, env(nil)); err == nil || !strings.Contains(err.Error(), "never on the command line") {
		t.Fatalf("missing aws env: %v", err)
	}
	if _, err := CredentialsFromEnv(ProviderGCP, env(nil)); err == nil {
		t.Fatal("gcp from env must fail")
	}
	az := map[string]string{AzureTenantID: "t", AzureSubscriptionID: "s", AzureClientID: "c", AzureClientSecret: azSecret}
	if c, err := CredentialsFromEnv(ProviderAzure, env(az)); err != nil || len(c.Data[KeyAzureCredentials]) == 0 {
		t.Fatalf("azure env: %v", err)
	}
	if c.Keys()[0] != KeyAWSAccessKeyID {
		t.Fatalf("Keys = %v", c.Keys())
	}
}

func awsCreds() *Credentials {
	return &Credentials{Data: map[string][]byte{KeyAWSAccessKeyID: []byte(awsID), KeyAWSSecretAccessKey: []byte(awsSecret)}}
}

func TestValidate(t *testing.T) {
	gcp := &Credentials{Data: map[string][]byte{KeyGCPCredentials: []byte(gcpKey)}}
	az := &Credentials{Data: map[string][]byte{KeyAzureCredentials: []byte("x")}}
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"aws ok", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Region: "us-east-1", Credentials: awsCreds()}, nil},
		{"aws needs region", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Credentials: awsCreds()}, []string{"--region is required"}},
		{"aws bad bucket", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "Mig_Repo", Region: "r", Credentials: awsCreds()}, []string{"not a valid S3 bucket name"}},
		{"generic needs url", Spec{Name: "m", Provider: ProviderGenericS3, Bucket: "mig", Credentials: awsCreds()}, []string{"--s3-url is required"}},
		{"generic bad url", Spec{Name: "m", Provider: ProviderGenericS3, Bucket: "mig", S3URL: "minio:9000", Credentials: awsCreds()}, []string{"not an http(s) URL"}},
		{"generic no snapshots", Spec{Name: "m", Provider: ProviderGenericS3, Bucket: "mig", S3URL: "https://m", SnapshotProvider: "aws", Credentials: awsCreds()},
			[]string{"filesystem copy method only"}},
		{"gcp ok", Spec{Name: "g", Provider: ProviderGCP, Bucket: "b", Credentials: gcp}, nil},
		{"gcp rejects s3 flags", Spec{Name: "g", Provider: ProviderGCP, Bucket: "b", Region: "x", Insecure: true, Credentials: gcp},
			[]string{"--region applies to aws", "--insecure applies to aws"}},
		{"azure needs account and group", Spec{Name: "a", Provider: ProviderAzure, Bucket: "c", Credentials: az},
			[]string{"--storage-account is required", "--resource-group is required"}},
		{"azure snapshots", Spec{Name: "a", Provider: ProviderAzure, Bucket: "c", StorageAccount: "acct", ResourceGroup: "rg",
			SnapshotProvider: "azure", SnapshotAPITimeout: "2m0s", Credentials: az}, nil},
		{"snapshot other cloud", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Region: "r", SnapshotProvider: "gcp", Credentials: awsCreds()},
			[]string{"must be the same cloud"}},
		{"snapshot timeout", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Region: "r", SnapshotProvider: "aws", SnapshotTimeout: "soon", Credentials: awsCreds()},
			[]string{"--snapshot-timeout"}},
		{"snapshot flags need provider", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Region: "r", SnapshotTimeout: "5m", Credentials: awsCreds()},
			[]string{"need --snapshot-provider"}},
		{"wrong credentials kind", Spec{Name: "s3", Provider: ProviderAWS, Bucket: "mig-repo", Region: "r", Credentials: gcp},
			[]string{"lack aws-access-key-id"}},
		{"unknown provider", Spec{Name: "x", Provider: "ibm"}, []string{`--provider "ibm"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.WithDefaults().Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), awsSecret) {
				t.Fatal("error reveals the secret key")
			}
		})
	}
}

// TestBuildShapes checks the fields each provider's MigStorage carries.
func TestBuildShapes(t *testing.T) {
	az := &Credentials{Data: map[string][]byte{KeyAzureCredentials: []byte("x")}}
	t.Run("aws with snapshots", func(t *testing.T) {
		secret, ms := Build(Spec{Name: "s3", Provider: ProviderAWS, Bucket: "b", Region: "eu-west-1", KMSKeyID: "k",
			SnapshotProvider: "aws", Credentials: awsCreds()}.WithDefaults())
		c := ms.Spec.BackupStorageConfig
		if ms.Spec.BackupStorageProvider != "aws" || c.AwsBucketName != "b" || c.AwsRegion != "eu-west-1" || c.AwsKmsKeyID != "k" || c.AwsS3ForcePathStyle {
			t.Fatalf("config = %+v", c)
		}
		v := ms.Spec.VolumeSnapshotConfig
		if ms.Spec.VolumeSnapshotProvider != "aws" || v.AwsRegion != "eu-west-1" || v.CredsSecretRef.Name != secret.Name {
			t.Fatalf("snapshot config = %+v", v)
		}
		if secret.Name != "s3-aws-credentials" || secret.Namespace != "openshift-config" || c.CredsSecretRef.Name != secret.Name {
			t.Fatalf("secret %s/%s, ref %+v", secret.Namespace, secret.Name, c.CredsSecretRef)
		}
	})
	t.Run("generic-s3", func(t *testing.T) {
		_, ms := Build(Spec{Name: "m", Provider: ProviderGenericS3, Bucket: "b", S3URL: "https://minio:9000", Insecure: true,
			Credentials: awsCreds()}.WithDefaults())
		c := ms.Spec.BackupStorageConfig
		if ms.Spec.BackupStorageProvider != "aws" || c.AwsS3URL != "https://minio:9000" || !c.AwsS3ForcePathStyle || !c.Insecure {
			t.Fatalf("config = %+v", c)
		}
		if Kind(ms) != ProviderGenericS3 || Endpoint(ms) != "https://minio:9000" {
			t.Fatalf("Kind/Endpoint = %s %s", Kind(ms), Endpoint(ms))
		}
	})
	t.Run("gcp", func(t *testing.T) {
		_, ms := Build(Spec{Name: "g", Provider: ProviderGCP, Bucket: "gb"}.WithDefaults())
		if ms.Spec.BackupStorageProvider != "gcp" || ms.Spec.BackupStorageConfig.GcpBucket != "gb" || Location(ms) != "gb" {
			t.Fatalf("spec = %+v", ms.Spec)
		}
	})
	t.Run("azure with snapshots", func(t *testing.T) {
		_, ms := Build(Spec{Name: "a", Provider: ProviderAzure, Bucket: "cont", StorageAccount: "acct", ResourceGroup: "rg",
			SnapshotProvider: "azure", SnapshotResourceGroup: "disks-rg", Credentials: az}.WithDefaults())
		c, v := ms.Spec.BackupStorageConfig, ms.Spec.VolumeSnapshotConfig
		if c.AzureStorageContainer != "cont" || c.AzureStorageAccount != "acct" || c.AzureResourceGroup != "rg" {
			t.Fatalf("config = %+v", c)
		}
		if v.AzureAPITimeout != DefaultAzureAPITimeout || v.AzureResourceGroup != "disks-rg" {
			t.Fatalf("snapshot config = %+v", v)
		}
		if Location(ms) != "acct/cont" {
			t.Fatalf("Location = %s", Location(ms))
		}
	})
	t.Run("overwrite patch clears the old provider's fields", func(t *testing.T) {
		_, ms := Build(Spec{Name: "g", Provider: ProviderGCP, Bucket: "gb"}.WithDefaults())
		spec := specPatch(ms)["spec"].(map[string]any)
		bsc := spec["backupStorageConfig"].(map[string]any)
		if v, ok := bsc["awsBucketName"]; !ok || v != nil {
			t.Fatalf("awsBucketName must be nulled: %v", bsc)
		}
		if spec["refresh"] != true || spec["volumeSnapshotProvider"] != nil {
			t.Fatalf("spec patch = %v", spec)
		}
	})
}
