// Package storage configures MTC's replication repository: the credentials
// Secret in the layout the controller reads for each provider, and the
// MigStorage with the fields that provider needs (AWS S3, Google Cloud
// Storage, Azure Blob, or any S3-compatible store such as MinIO, Ceph RGW or
// the Multicloud Object Gateway, which MTC drives through its aws provider).
package storage

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
)

// OwnerKind prefixes the instance label of credentials Secrets we create.
const OwnerKind = "migstorage"

// Providers a user names. generic-s3 is MTC's aws provider with an S3 URL
// and path-style addressing.
const (
	ProviderAWS       = "aws"
	ProviderGCP       = "gcp"
	ProviderAzure     = "azure"
	ProviderGenericS3 = "generic-s3"
)

// Providers lists the accepted --provider values.
var Providers = []string{ProviderAWS, ProviderGCP, ProviderAzure, ProviderGenericS3}

// DefaultAzureAPITimeout is what the MTC console sets for Azure snapshots.
const DefaultAzureAPITimeout = "2m0s"

// Spec is everything `storage add` needs. Credentials are secret.
type Spec struct {
	Name      string
	Namespace string
	Provider  string
	// Bucket is the S3 or GCS bucket, or the Azure blob container.
	Bucket           string
	Region           string
	S3URL            string
	PublicURL        string
	ForcePathStyle   *bool
	SignatureVersion string
	KMSKeyID         string
	CABundle         []byte
	Insecure         bool
	// Azure.
	StorageAccount string
	ResourceGroup  string
	// Volume snapshots (snapshot copy method); "" means filesystem copy only.
	SnapshotProvider   string
	SnapshotRegion     string
	SnapshotTimeout    string
	SnapshotAPITimeout string
	// SnapshotResourceGroup is the Azure resource group of the cluster's
	// disks (default: ResourceGroup).
	SnapshotResourceGroup string

	Credentials *Credentials

	SecretName      string
	SecretNamespace string
}

// WithDefaults fills defaults that depend on the provider.
func (s Spec) WithDefaults() Spec {
	if s.Namespace == "" {
		s.Namespace = mtc.Namespace
	}
	if s.SecretNamespace == "" {
		s.SecretNamespace = secrets.DefaultNamespace
	}
	if s.SecretName == "" {
		s.SecretName = s.Name + "-" + s.Provider + "-credentials"
	}
	if s.Provider == ProviderGenericS3 && s.ForcePathStyle == nil {
		t := true
		s.ForcePathStyle = &t
	}
	if s.SnapshotProvider == ProviderAzure && s.SnapshotAPITimeout == "" {
		s.SnapshotAPITimeout = DefaultAzureAPITimeout
	}
	if s.SnapshotProvider != "" && s.SnapshotRegion == "" {
		s.SnapshotRegion = s.Region
	}
	if s.SnapshotProvider == ProviderAzure && s.SnapshotResourceGroup == "" {
		s.SnapshotResourceGroup = s.ResourceGroup
	}
	return s
}

// CloudProvider is the MTC provider name (generic-s3 is aws).
func (s Spec) CloudProvider() string {
	if s.Provider == ProviderGenericS3 {
		return ProviderAWS
	}
	return s.Provider
}

// credentialKeys are the Secret keys each provider needs.
func credentialKeys(provider string) []string {
	switch provider {
	case ProviderAWS, ProviderGenericS3:
		return []string{KeyAWSAccessKeyID, KeyAWSSecretAccessKey}
	case ProviderGCP:
		return []string{KeyGCPCredentials}
	case ProviderAzure:
		return []string{KeyAzureCredentials}
	}
	return nil
}

var s3BucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Validate returns every problem of the spec at once (nil when none).
func (s Spec) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, m := range validation.IsDNS1123Subdomain(s.Name) {
		add("storage name %q: %s", s.Name, m)
	}
	switch s.Provider {
	case ProviderAWS, ProviderGenericS3, ProviderGCP, ProviderAzure:
	default:
		add("--provider %q: must be one of %s", s.Provider, strings.Join(Providers, ", "))
		return errors.Join(errs...)
	}
	errs = append(errs, s.validateProvider()...)
	errs = append(errs, s.validateSnapshot()...)
	if s.Credentials == nil {
		add("no credentials were given")
	} else {
		for _, k := range credentialKeys(s.Provider) {
			if len(s.Credentials.Data[k]) == 0 {
				add("the credentials lack %s", k)
			}
		}
	}
	for _, m := range validation.IsDNS1123Subdomain(s.SecretName) {
		add("secret name %q: %s", s.SecretName, m)
	}
	return errors.Join(errs...)
}

func (s Spec) validateProvider() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s3 := s.Provider == ProviderAWS || s.Provider == ProviderGenericS3
	if s.Bucket == "" {
		what := "--bucket (the bucket name)"
		if s.Provider == ProviderAzure {
			what = "--bucket (the blob container name)"
		}
		add("%s is required for provider %s", what, s.Provider)
	} else if s3 && !s3BucketRE.MatchString(s.Bucket) {
		add("bucket %q is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)", s.Bucket)
	}
	switch s.Provider {
	case ProviderAWS:
		if s.Region == "" {
			add("--region is required for aws (the bucket's region, e.g. us-east-1): a wrong region makes MTC's bucket test fail")
		}
	case ProviderGenericS3:
		if s.S3URL == "" {
			add("--s3-url is required for generic-s3 (the endpoint, e.g. https://minio.example.com:9000)")
		}
	}
	for flag, v := range map[string]string{"--s3-url": s.S3URL, "--public-url": s.PublicURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			add("%s %q is not an http(s) URL", flag, v)
		}
	}
	if s.SignatureVersion != "" && s.SignatureVersion != "1" && s.SignatureVersion != "4" {
		add("--signature-version %q: must be 1 or 4", s.SignatureVersion)
	}
	if !s3 {
		for flag, set := range map[string]bool{
			"--region": s.Region != "", "--s3-url": s.S3URL != "", "--public-url": s.PublicURL != "",
			"--s3-force-path-style": s.ForcePathStyle != nil, "--signature-version": s.SignatureVersion != "",
			"--kms-key-id": s.KMSKeyID != "", "--ca-bundle": len(s.CABundle) > 0, "--insecure": s.Insecure,
		} {
			if set {
				add("%s applies to aws and generic-s3 only, not %s", flag, s.Provider)
			}
		}
	}
	if s.Provider == ProviderAzure {
		if s.StorageAccount == "" {
			add("--storage-account is required for azure")
		}
		if s.ResourceGroup == "" {
			add("--resource-group is required for azure (the storage account's resource group)")
		}
	} else if s.StorageAccount != "" {
		add("--storage-account applies to azure only")
	}
	if s.Insecure && len(s.CABundle) > 0 {
		add("--ca-bundle and --insecure are exclusive")
	}
	if len(s.CABundle) > 0 {
		if _, err := certs.Parse(s.CABundle); err != nil {
			add("--ca-bundle: %v", err)
		}
	}
	return errs
}

func (s Spec) validateSnapshot() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.SnapshotProvider == "" {
		if s.SnapshotTimeout != "" || s.SnapshotRegion != "" || s.SnapshotAPITimeout != "" || s.SnapshotResourceGroup != "" {
			add("snapshot settings need --snapshot-provider")
		}
		return errs
	}
	switch {
	case s.Provider == ProviderGenericS3:
		add("volume snapshots need a cloud provider: generic S3 storage supports the filesystem copy method only (drop --snapshot-provider)")
	case s.SnapshotProvider != s.CloudProvider():
		add("--snapshot-provider %s differs from the storage provider %s: the snapshot credentials are the storage's, so they must be the same cloud", s.SnapshotProvider, s.Provider)
	}
	if s.SnapshotProvider == ProviderAWS && s.SnapshotRegion == "" {
		add("--snapshot-region (or --region) is required for aws snapshots: the region of the cluster's volumes")
	}
	for flag, v := range map[string]string{"--snapshot-timeout": s.SnapshotTimeout, "--snapshot-api-timeout": s.SnapshotAPITimeout} {
		if v == "" {
			continue
		}
		if _, err := time.ParseDuration(v); err != nil {
			add("%s %q is not a duration like 10m or 2m0s", flag, v)
		}
	}
	return errs
}

// Warnings returns advice that does not block.
func (s Spec) Warnings() []string {
	var out []string
	if s.Insecure {
		out = append(out, "TLS verification of the object store is off (--insecure): the credentials can be intercepted")
	}
	if strings.HasPrefix(s.S3URL, "http://") {
		out = append(out, "the S3 URL uses plain http: the credentials and data travel unencrypted")
	}
	if s.Credentials != nil {
		out = append(out, s.Credentials.Warnings...)
	}
	return out
}

// Build returns the credentials Secret and the MigStorage for the spec.
func Build(s Spec) (*corev1.Secret, *mtc.MigStorage) {
	var data map[string][]byte
	if s.Credentials != nil {
		data = s.Credentials.Data
	}
	secret := secrets.New(s.SecretNamespace, s.SecretName, OwnerKind, s.Name, data)
	ref := &corev1.ObjectReference{Name: s.SecretName, Namespace: s.SecretNamespace}
	cfg := mtc.BackupStorageConfig{CredsSecretRef: ref}
	switch s.Provider {
	case ProviderAWS, ProviderGenericS3:
		cfg.AwsBucketName, cfg.AwsRegion, cfg.AwsS3URL, cfg.AwsPublicURL = s.Bucket, s.Region, s.S3URL, s.PublicURL
		cfg.AwsKmsKeyID, cfg.AwsSignatureVersion = s.KMSKeyID, s.SignatureVersion
		cfg.S3CustomCABundle, cfg.Insecure = s.CABundle, s.Insecure
		if s.ForcePathStyle != nil {
			cfg.AwsS3ForcePathStyle = *s.ForcePathStyle
		}
	case ProviderGCP:
		cfg.GcpBucket = s.Bucket
	case ProviderAzure:
		cfg.AzureStorageContainer, cfg.AzureStorageAccount, cfg.AzureResourceGroup = s.Bucket, s.StorageAccount, s.ResourceGroup
	}
	ms := &mtc.MigStorage{
		TypeMeta: metav1.TypeMeta{APIVersion: mtc.SchemeGroupVersion.String(), Kind: mtc.KindMigStorage},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace,
			Labels: map[string]string{"controller-tools.k8s.io": "1.0"}},
		Spec: mtc.MigStorageSpec{BackupStorageProvider: s.CloudProvider(), BackupStorageConfig: cfg},
	}
	if s.SnapshotProvider != "" {
		ms.Spec.VolumeSnapshotProvider = s.SnapshotProvider
		ms.Spec.VolumeSnapshotConfig = mtc.VolumeSnapshotConfig{
			CredsSecretRef:          ref.DeepCopy(),
			SnapshotCreationTimeout: s.SnapshotTimeout,
		}
		switch s.SnapshotProvider {
		case ProviderAWS:
			ms.Spec.VolumeSnapshotConfig.AwsRegion = s.SnapshotRegion
		case ProviderAzure:
			ms.Spec.VolumeSnapshotConfig.AzureAPITimeout = s.SnapshotAPITimeout
			ms.Spec.VolumeSnapshotConfig.AzureResourceGroup = s.SnapshotResourceGroup
		}
	}
	return secret, ms
}
