package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Backup storage providers accepted by MigStorage.
const (
	StorageProviderAWS   = "aws"
	StorageProviderGCP   = "gcp"
	StorageProviderAzure = "azure"
)

// MigStorageSpec describes the replication repository (object storage) and
// optional volume snapshot provider.
type MigStorageSpec struct {
	// BackupStorageProvider is aws, gcp or azure.
	BackupStorageProvider string `json:"backupStorageProvider"`
	// BackupStorageConfig configures the Velero BackupStorageLocation.
	BackupStorageConfig BackupStorageConfig `json:"backupStorageConfig"`
	// VolumeSnapshotProvider is the snapshot provider for snapshot copies.
	VolumeSnapshotProvider string `json:"volumeSnapshotProvider,omitempty"`
	// VolumeSnapshotConfig configures the Velero VolumeSnapshotLocation.
	VolumeSnapshotConfig VolumeSnapshotConfig `json:"volumeSnapshotConfig,omitempty"`
	// Refresh forces a full re-validation.
	Refresh bool `json:"refresh,omitempty"`
}

// BackupStorageConfig is the provider-specific object storage configuration.
type BackupStorageConfig struct {
	CredsSecretRef        *corev1.ObjectReference `json:"credsSecretRef,omitempty"`
	AwsBucketName         string                  `json:"awsBucketName,omitempty"`
	AwsRegion             string                  `json:"awsRegion,omitempty"`
	AwsS3ForcePathStyle   bool                    `json:"awsS3ForcePathStyle,omitempty"`
	AwsS3URL              string                  `json:"awsS3Url,omitempty"`
	AwsPublicURL          string                  `json:"awsPublicUrl,omitempty"`
	AwsKmsKeyID           string                  `json:"awsKmsKeyId,omitempty"`
	AwsSignatureVersion   string                  `json:"awsSignatureVersion,omitempty"`
	S3CustomCABundle      []byte                  `json:"s3CustomCABundle,omitempty"`
	AzureStorageAccount   string                  `json:"azureStorageAccount,omitempty"`
	AzureStorageContainer string                  `json:"azureStorageContainer,omitempty"`
	AzureResourceGroup    string                  `json:"azureResourceGroup,omitempty"`
	GcpBucket             string                  `json:"gcpBucket,omitempty"`
	Insecure              bool                    `json:"insecure,omitempty"`
}

// VolumeSnapshotConfig is the provider-specific snapshot configuration.
type VolumeSnapshotConfig struct {
	CredsSecretRef          *corev1.ObjectReference `json:"credsSecretRef,omitempty"`
	SnapshotCreationTimeout string                  `json:"snapshotCreationTimeout,omitempty"`
	AwsRegion               string                  `json:"awsRegion,omitempty"`
	AzureAPITimeout         string                  `json:"azureApiTimeout,omitempty"`
	AzureResourceGroup      string                  `json:"azureResourceGroup,omitempty"`
}

// MigStorageStatus is written by the controller.
type MigStorageStatus struct {
	Conditions     Conditions `json:"conditions,omitempty"`
	ObservedDigest string     `json:"observedDigest,omitempty"`
}

// MigStorage is the replication repository used by indirect migrations.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=migstorages,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="BackupStorageProvider",type=string,JSONPath=".spec.backupStorageProvider"
// +kubebuilder:printcolumn:name="VolumeSnapshotProvider",type=string,JSONPath=".spec.volumeSnapshotProvider"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigStorage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigStorageSpec   `json:"spec,omitempty"`
	Status MigStorageStatus `json:"status,omitempty"`
}

// MigStorageList is a list of MigStorages.
//
// +kubebuilder:object:root=true
type MigStorageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigStorage `json:"items"`
}
