package clusters

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

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

// Entry is one row of `cluster list`.
type Entry struct {
	Cluster mtc.MigCluster
	// Problems are the asserted conditions that need attention.
	Problems []string
	Plans    []string
}

// List returns every MigCluster with the plans using it (two LISTs).
func List(ctx context.Context, host *cluster.Target, ns string) ([]Entry, error) {
	ri := host.Dynamic.Resource(kube.MigClusters).Namespace(ns)
	list, err := kube.List[mtc.MigCluster](ctx, ri, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigClusters in %s on the host cluster: %w", ns, err)
	}
	idx, err := refs.Plans(ctx, host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := make([]Entry, 0, len(list))
	for i := range list {
		e := Entry{Cluster: list[i], Plans: idx.Clusters[list[i].Name]}
		for _, c := range list[i].Status.Conditions.ByCategory(mtc.CategoryCritical, mtc.CategoryError, mtc.CategoryWarn) {
			e.Problems = append(e.Problems, c.Type)
		}
		out = append(out, e)
	}
	return out, nil
}

// Names lists MigCluster names (shell completion).
func Names(ctx context.Context, host *cluster.Target, ns string) ([]string, error) {
	return kube.Names(ctx, host.Dynamic.Resource(kube.MigClusters).Namespace(ns), metav1.ListOptions{})
}

// Description is `cluster describe`: everything about a MigCluster except
// its token's value.
type Description struct {
	Name                string                `json:"name"`
	Namespace           string                `json:"namespace"`
	Created             time.Time             `json:"created"`
	IsHost              bool                  `json:"isHost"`
	URL                 string                `json:"url,omitempty"`
	Insecure            bool                  `json:"insecure"`
	CABundle            []certs.Info          `json:"caBundle,omitempty"`
	CAProblem           string                `json:"caProblem,omitempty"`
	TokenSecret         string                `json:"tokenSecret,omitempty"`
	TokenSecretKeys     []string              `json:"tokenSecretKeys,omitempty"`
	TokenProblem        string                `json:"tokenProblem,omitempty"`
	Token               *TokenInfo            `json:"token,omitempty"`
	ExposedRegistryPath string                `json:"exposedRegistryPath,omitempty"`
	RegistryPath        string                `json:"registryPath,omitempty"`
	AzureResourceGroup  string                `json:"azureResourceGroup,omitempty"`
	OperatorVersion     string                `json:"operatorVersion,omitempty"`
	Ready               bool                  `json:"ready"`
	Conditions          []readiness.Explained `json:"conditions,omitempty"`
	Plans               []string              `json:"plans,omitempty"`
	Events              []readiness.Event     `json:"events,omitempty"`
}

// Describe reads a MigCluster, its token Secret (keys and token claims only),
// the plans using it and its events.
func Describe(ctx context.Context, host *cluster.Target, ns, name, prefix string) (*Description, error) {
	mc, err := kube.Get[mtc.MigCluster](ctx, host.Dynamic.Resource(kube.MigClusters).Namespace(ns), name)
	if err != nil {
		return nil, fmt.Errorf("read MigCluster %s/%s on the host cluster: %w", ns, name, err)
	}
	d := &Description{
		Name: mc.Name, Namespace: mc.Namespace, Created: mc.CreationTimestamp.UTC(), IsHost: mc.Spec.IsHostCluster,
		URL: mc.Spec.URL, Insecure: mc.Spec.Insecure, ExposedRegistryPath: mc.Spec.ExposedRegistryPath,
		RegistryPath: mc.Status.RegistryPath, AzureResourceGroup: mc.Spec.AzureResourceGroup,
		OperatorVersion: mc.Status.OperatorVersion, Ready: mc.Status.Conditions.IsReady(),
	}
	if len(mc.Spec.CABundle) > 0 {
		cs, err := certs.Parse(mc.Spec.CABundle)
		if err != nil {
			d.CAProblem = err.Error()
		}
		d.CABundle = certs.DescribeAll(cs)
	}
	for _, c := range mc.Status.Conditions {
		if c.IsTrue() {
			d.Conditions = append(d.Conditions, readiness.Explain(c, prefix, name))
		}
	}
	describeToken(ctx, host, mc, d)
	if idx, err := refs.Plans(ctx, host.Dynamic, ns); err == nil {
		d.Plans = idx.Clusters[name]
	}
	d.Events, _ = readiness.Events(ctx, host.Kube, ns, mtc.KindMigCluster, name)
	return d, nil
}

func describeToken(ctx context.Context, host *cluster.Target, mc *mtc.MigCluster, d *Description) {
	ref := mc.Spec.ServiceAccountSecretRef
	if mc.Spec.IsHostCluster {
		return
	}
	if ref == nil || ref.Name == "" {
		d.TokenProblem = "spec.serviceAccountSecretRef is not set"
		return
	}
	ns := ref.Namespace
	if ns == "" {
		ns = mc.Namespace
	}
	d.TokenSecret = ns + "/" + ref.Name
	s, err := host.Kube.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		d.TokenProblem = "the Secret does not exist"
		return
	case err != nil:
		d.TokenProblem = "cannot read the Secret: " + err.Error()
		return
	}
	d.TokenSecretKeys = secrets.Keys(s)
	tok := strings.TrimSpace(string(s.Data[mtc.SATokenKey]))
	if tok == "" {
		d.TokenProblem = "the Secret has no saToken (or it is empty)"
		return
	}
	info := InspectToken(tok)
	d.Token = &info
}

// RemoveResult says what Remove did.
type RemoveResult struct {
	Plans []string
	// SecretDeleted names the token Secret removed with the cluster.
	SecretDeleted string
	// SecretKept explains why a token Secret stayed.
	SecretKept string
}

// RemoveOptions tunes Remove.
type RemoveOptions struct {
	// Force removes the cluster although plans use it (or it is the host).
	Force bool
	// KeepSecret leaves the token Secret in place.
	KeepSecret bool
	DryRun     bool
}

// Remove deletes a MigCluster, then its token Secret when kubectl-mig
// created it for this cluster and no other MigCluster uses it. It refuses
// while plans use the cluster, or for the host cluster, unless forced.
func Remove(ctx context.Context, host *cluster.Target, ns, name string, opts RemoveOptions) (*RemoveResult, error) {
	ri := host.Dynamic.Resource(kube.MigClusters).Namespace(ns)
	mc, err := kube.Get[mtc.MigCluster](ctx, ri, name)
	if err != nil {
		return nil, fmt.Errorf("read MigCluster %s/%s on the host cluster: %w", ns, name, err)
	}
	idx, err := refs.Plans(ctx, host.Dynamic, ns)
	if err != nil {
		return nil, err
	}
	res := &RemoveResult{Plans: idx.Clusters[name]}
	if !opts.Force {
		if mc.Spec.IsHostCluster {
			return res, fmt.Errorf("MigCluster %s/%s is the host cluster: MTC cannot migrate without it (pass --force if you really mean it)", ns, name)
		}
		if len(res.Plans) > 0 {
			return res, fmt.Errorf("MigCluster %s/%s is used by plan(s) %s: delete or edit them first, or pass --force", ns, name, strings.Join(res.Plans, ", "))
		}
	}
	if err := apply.Delete(ctx, ri, mtc.KindMigCluster, ns, name, opts.DryRun); err != nil {
		return res, err
	}
	if opts.KeepSecret {
		res.SecretKept = "kept as asked (--keep-secret)"
		return res, nil
	}
	return res, removeTokenSecret(ctx, host, ns, mc, opts.DryRun, res)
}

func removeTokenSecret(ctx context.Context, host *cluster.Target, ns string, mc *mtc.MigCluster, dryRun bool, res *RemoveResult) error {
	ref := mc.Spec.ServiceAccountSecretRef
	if ref == nil || ref.Name == "" {
		return nil
	}
	sns := ref.Namespace
	if sns == "" {
		sns = ns
	}
	inUse := func() (string, error) {
		others, err := kube.List[mtc.MigCluster](ctx, host.Dynamic.Resource(kube.MigClusters).Namespace(ns), metav1.ListOptions{})
		if err != nil {
			return "", fmt.Errorf("list MigClusters: %w", err)
		}
		for _, o := range others {
			r := o.Spec.ServiceAccountSecretRef
			if o.Name != mc.Name && r != nil && r.Name == ref.Name && (r.Namespace == sns || (r.Namespace == "" && ns == sns)) {
				return "MigCluster " + o.Name, nil
			}
		}
		return "", nil
	}
	deleted, kept, err := apply.DeleteOwnedSecret(ctx, host.Kube, sns, ref.Name, OwnerKind+"."+mc.Name, inUse, dryRun)
	if err != nil {
		return fmt.Errorf("the MigCluster is deleted, but its token Secret was not: %w", err)
	}
	if deleted {
		res.SecretDeleted = sns + "/" + ref.Name
	}
	res.SecretKept = kept
	return nil
}
