package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/apply"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/readiness"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/refs"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
)

// ErrExists is wrapped when the MigStorage exists and overwrite is off.
var ErrExists = errors.New("already exists")

// Preflight checks on the host, before anything is written: namespaces,
// the name (free, or overwrite), and the credentials Secret's name.
func Preflight(ctx context.Context, host *cluster.Target, s Spec, overwrite bool) error {
	if err := apply.NamespacesExist(ctx, host.Kube, s.Namespace, s.SecretNamespace); err != nil {
		return err
	}
	_, err := host.Dynamic.Resource(kube.MigStorages).Namespace(s.Namespace).Get(ctx, s.Name, metav1.GetOptions{})
	switch {
	case err == nil && !overwrite:
		return fmt.Errorf("MigStorage %s/%s %w: pass --overwrite to replace its settings and credentials, or choose another name", s.Namespace, s.Name, ErrExists)
	case err != nil && !apierrors.IsNotFound(err):
		return fmt.Errorf("read MigStorage %s/%s on the host cluster: %w", s.Namespace, s.Name, err)
	}
	return apply.SecretFree(ctx, host.Kube, s.SecretNamespace, s.SecretName, OwnerKind+"."+s.Name, overwrite)
}

// AddResult is what Add wrote.
type AddResult struct {
	// Secret is the credentials Secret as built: mask before printing.
	Secret        *corev1.Secret
	SecretAction  apply.Action
	Storage       *mtc.MigStorage
	StorageAction apply.Action
}

// Add writes the credentials Secret and the MigStorage (or, with overwrite,
// replaces an existing one's spec and asks the controller to re-validate).
func Add(ctx context.Context, host *cluster.Target, s Spec, overwrite, dryRun bool) (*AddResult, error) {
	secret, ms := Build(s)
	ri := host.Dynamic.Resource(kube.MigStorages).Namespace(s.Namespace)
	r, err := apply.Pair(ctx, host.Kube, ri, apply.Request{
		Secret: secret, Object: ms, Kind: mtc.KindMigStorage, Patch: specPatch(ms), Overwrite: overwrite, DryRun: dryRun,
	})
	if err != nil {
		return nil, err
	}
	out := &AddResult{Secret: secret, SecretAction: r.SecretAction, StorageAction: r.ObjectAction}
	out.Storage, err = kube.FromUnstructured[mtc.MigStorage](r.Object)
	return out, err
}

// specPatch replaces the whole spec (a merge patch of a full spec with the
// old provider's fields nulled) and sets refresh.
func specPatch(ms *mtc.MigStorage) map[string]any {
	u, err := kube.ToUnstructured(ms)
	if err != nil {
		return nil
	}
	spec, _ := u.Object["spec"].(map[string]any)
	nullOthers := func(m map[string]any, fields ...string) {
		for _, f := range fields {
			if _, ok := m[f]; !ok {
				m[f] = nil
			}
		}
	}
	bsc, _ := spec["backupStorageConfig"].(map[string]any)
	if bsc != nil {
		nullOthers(bsc, "awsBucketName", "awsRegion", "awsS3ForcePathStyle", "awsS3Url", "awsPublicUrl", "awsKmsKeyId",
			"awsSignatureVersion", "s3CustomCABundle", "azureStorageAccount", "azureStorageContainer", "azureResourceGroup",
			"gcpBucket", "insecure")
	}
	if _, ok := spec["volumeSnapshotProvider"]; !ok {
		spec["volumeSnapshotProvider"] = nil
		spec["volumeSnapshotConfig"] = nil
	}
	spec["refresh"] = true
	return map[string]any{"spec": spec}
}

// Entry is one row of `storage list`.
type Entry struct {
	Storage  mtc.MigStorage
	Problems []string
	Plans    []string
}

// Location is where a MigStorage keeps data, for display: bucket or
// account/container.
func Location(ms *mtc.MigStorage) string {
	c := ms.Spec.BackupStorageConfig
	switch ms.Spec.BackupStorageProvider {
	case ProviderGCP:
		return c.GcpBucket
	case ProviderAzure:
		return c.AzureStorageAccount + "/" + c.AzureStorageContainer
	}
	return c.AwsBucketName
}

// Endpoint is the S3 URL or region (or resource group for Azure).
func Endpoint(ms *mtc.MigStorage) string {
	c := ms.Spec.BackupStorageConfig
	switch {
	case c.AwsS3URL != "":
		return c.AwsS3URL
	case c.AwsRegion != "":
		return c.AwsRegion
	case c.AzureResourceGroup != "":
		return "resource group " + c.AzureResourceGroup
	}
	return ""
}

// Kind names the provider as the user chose it (generic-s3 for aws with an
// S3 URL).
func Kind(ms *mtc.MigStorage) string {
	if ms.Spec.BackupStorageProvider == ProviderAWS && ms.Spec.BackupStorageConfig.AwsS3URL != "" {
		return ProviderGenericS3
	}
	return ms.Spec.BackupStorageProvider
}

// List returns every MigStorage with the plans using it (two LISTs).
func List(ctx context.Context, host *cluster.Target, ns string) ([]Entry, error) {
	list, err := kube.List[mtc.MigStorage](ctx, host.Dynamic.Resource(kube.MigStorages).Namespace(ns), metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigStorages in %s on the host cluster: %w", ns, err)
	}
	idx, err := refs.Plans(ctx, host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := make([]Entry, 0, len(list))
	for i := range list {
		e := Entry{Storage: list[i], Plans: idx.Storages[list[i].Name]}
		for _, c := range list[i].Status.Conditions.ByCategory(mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn) {
			e.Problems = append(e.Problems, c.Type)
		}
		out = append(out, e)
	}
	return out, nil
}

// Names lists MigStorage names (shell completion).
func Names(ctx context.Context, host *cluster.Target, ns string) ([]string, error) {
	return kube.Names(ctx, host.Dynamic.Resource(kube.MigStorages).Namespace(ns), metav1.ListOptions{})
}

// Description is `storage describe`: settings, the credentials Secret's keys
// (never values), conditions explained, plans, events.
type Description struct {
	Name                string                `json:"name"`
	Namespace           string                `json:"namespace"`
	Created             time.Time             `json:"created"`
	Provider            string                `json:"provider"`
	Location            string                `json:"location"`
	Endpoint            string                `json:"endpoint,omitempty"`
	Config              map[string]any        `json:"backupStorageConfig,omitempty"`
	CABundle            []certs.Info          `json:"caBundle,omitempty"`
	SnapshotProvider    string                `json:"volumeSnapshotProvider,omitempty"`
	SnapshotConfig      map[string]any        `json:"volumeSnapshotConfig,omitempty"`
	CredentialsSecret   string                `json:"credentialsSecret,omitempty"`
	CredentialsKeys     []string              `json:"credentialsKeys,omitempty"`
	CredentialsProblem  string                `json:"credentialsProblem,omitempty"`
	Ready               bool                  `json:"ready"`
	Conditions          []readiness.Explained `json:"conditions,omitempty"`
	Plans               []string              `json:"plans,omitempty"`
	Events              []readiness.Event     `json:"events,omitempty"`
	expectedCredentials []string
}

// Describe reads a MigStorage and what surrounds it.
func Describe(ctx context.Context, host *cluster.Target, ns, name, prefix string) (*Description, error) {
	ms, err := kube.Get[mtc.MigStorage](ctx, host.Dynamic.Resource(kube.MigStorages).Namespace(ns), name)
	if err != nil {
		return nil, fmt.Errorf("read MigStorage %s/%s on the host cluster: %w", ns, name, err)
	}
	d := &Description{
		Name: ms.Name, Namespace: ms.Namespace, Created: ms.CreationTimestamp.UTC(), Provider: Kind(ms),
		Location: Location(ms), Endpoint: Endpoint(ms), SnapshotProvider: ms.Spec.VolumeSnapshotProvider,
		Ready: ms.Status.Conditions.IsReady(), expectedCredentials: credentialKeys(Kind(ms)),
	}
	if u, err := kube.ToUnstructured(ms); err == nil {
		spec, _ := u.Object["spec"].(map[string]any)
		d.Config, _ = spec["backupStorageConfig"].(map[string]any)
		d.SnapshotConfig, _ = spec["volumeSnapshotConfig"].(map[string]any)
		if d.Config != nil {
			delete(d.Config, "s3CustomCABundle") // shown decoded below
		}
	}
	if len(ms.Spec.BackupStorageConfig.S3CustomCABundle) > 0 {
		cs, _ := certs.Parse(ms.Spec.BackupStorageConfig.S3CustomCABundle)
		d.CABundle = certs.DescribeAll(cs)
	}
	for _, c := range ms.Status.Conditions {
		if c.IsTrue() {
			d.Conditions = append(d.Conditions, readiness.Explain(c, prefix, name))
		}
	}
	describeCredentials(ctx, host, ms, d)
	if idx, err := refs.Plans(ctx, host.Dynamic, ns); err == nil {
		d.Plans = idx.Storages[name]
	}
	d.Events, _ = readiness.Events(ctx, host.Kube, ns, mtc.KindMigStorage, name)
	return d, nil
}

func describeCredentials(ctx context.Context, host *cluster.Target, ms *mtc.MigStorage, d *Description) {
	ref := ms.Spec.BackupStorageConfig.CredsSecretRef
	if ref == nil || ref.Name == "" {
		d.CredentialsProblem = "backupStorageConfig.credsSecretRef is not set"
		return
	}
	ns := ref.Namespace
	if ns == "" {
		ns = ms.Namespace
	}
	d.CredentialsSecret = ns + "/" + ref.Name
	s, err := host.Kube.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		d.CredentialsProblem = "the Secret does not exist"
		return
	case err != nil:
		d.CredentialsProblem = "cannot read the Secret: " + err.Error()
		return
	}
	d.CredentialsKeys = secrets.Keys(s)
	var missing []string
	for _, k := range d.expectedCredentials {
		if len(s.Data[k]) == 0 {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		d.CredentialsProblem = fmt.Sprintf("the Secret lacks %s, which provider %s needs", strings.Join(missing, ", "), d.Provider)
	}
}

// RemoveResult says what Remove did.
type RemoveResult struct {
	Plans         []string
	SecretDeleted string
	SecretKept    string
}

// Remove deletes a MigStorage, then its credentials Secret when kubectl-mig
// created it for this storage and no other MigStorage uses it. It refuses
// while plans use the storage, unless forced.
func Remove(ctx context.Context, host *cluster.Target, ns, name string, force, keepSecret, dryRun bool) (*RemoveResult, error) {
	ri := host.Dynamic.Resource(kube.MigStorages).Namespace(ns)
	ms, err := kube.Get[mtc.MigStorage](ctx, ri, name)
	if err != nil {
		return nil, fmt.Errorf("read MigStorage %s/%s on the host cluster: %w", ns, name, err)
	}
	idx, err := refs.Plans(ctx, host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	res := &RemoveResult{Plans: idx.Storages[name]}
	if len(res.Plans) > 0 && !force {
		return res, fmt.Errorf("MigStorage %s/%s is used by plan(s) %s: delete or edit them first, or pass --force", ns, name, strings.Join(res.Plans, ", "))
	}
	if err := apply.Delete(ctx, ri, mtc.KindMigStorage, ns, name, dryRun); err != nil {
		return res, err
	}
	if keepSecret {
		res.SecretKept = "kept as asked (--keep-secret)"
		return res, nil
	}
	return res, removeSecrets(ctx, host, ns, ms, dryRun, res)
}

func removeSecrets(ctx context.Context, host *cluster.Target, ns string, ms *mtc.MigStorage, dryRun bool, res *RemoveResult) error {
	ref := ms.Spec.BackupStorageConfig.CredsSecretRef
	if ref == nil || ref.Name == "" {
		return nil
	}
	sns := ref.Namespace
	if sns == "" {
		sns = ns
	}
	uses := func(o *mtc.MigStorage) bool {
		for _, r := range []*corev1.ObjectReference{o.Spec.BackupStorageConfig.CredsSecretRef, o.Spec.VolumeSnapshotConfig.CredsSecretRef} {
			if r != nil && r.Name == ref.Name && (r.Namespace == sns || (r.Namespace == "" && ns == sns)) {
				return true
			}
		}
		return false
	}
	inUse := func() (string, error) {
		others, err := kube.List[mtc.MigStorage](ctx, host.Dynamic.Resource(kube.MigStorages).Namespace(ns), metav1.ListOptions{})
		if err != nil {
			return "", fmt.Errorf("list MigStorages: %w", err)
		}
		for i := range others {
			if others[i].Name != ms.Name && uses(&others[i]) {
				return "MigStorage " + others[i].Name, nil
			}
		}
		return "", nil
	}
	deleted, kept, err := apply.DeleteOwnedSecret(ctx, host.Kube, sns, ref.Name, OwnerKind+"."+ms.Name, inUse, dryRun)
	if err != nil {
		return fmt.Errorf("the MigStorage is deleted, but its credentials Secret was not: %w", err)
	}
	if deleted {
		res.SecretDeleted = sns + "/" + ref.Name
	}
	res.SecretKept = kept
	return nil
}
