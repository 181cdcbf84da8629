package clusters

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/apply"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
)

// CheckTimeout bounds each request of a connection check. The controller
// allows 5 s; a CLI user on a slower path gets a little more.
const CheckTimeout = 15 * time.Second

// CheckResult is a connection check: the probe, the identity the token
// authenticates as, and for TLS failures what the server presents compared
// with the CA bundle.
type CheckResult struct {
	cluster.ProbeResult
	Identity string `json:"identity,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Check connects to the cluster the spec describes exactly as the controller
// will (URL, bearer token, caBundle or system roots, or insecure) and
// reports the first thing that fails.
func Check(ctx context.Context, s Spec) CheckResult {
	_, mc := Build(s)
	cfg, err := cluster.RESTConfig(mc, s.Token)
	if err != nil {
		return CheckResult{ProbeResult: cluster.ProbeResult{Cluster: s.Name, URL: s.URL, Problem: err.Error(), Fix: "fix the URL"}}
	}
	cfg.Timeout = CheckTimeout
	t, err := cluster.NewTarget(s.Name, cfg, false)
	if err != nil {
		return CheckResult{ProbeResult: cluster.ProbeResult{Cluster: s.Name, URL: s.URL, Problem: err.Error()}}
	}
	return checkTarget(ctx, t, s.CABundle)
}

// checkTarget probes t and adds identity and TLS details.
func checkTarget(ctx context.Context, t *cluster.Target, caBundle []byte) CheckResult {
	r := CheckResult{ProbeResult: cluster.Probe(ctx, t)}
	if r.Authenticated {
		r.Identity = whoAmI(ctx, t)
	}
	if !r.OK() && r.Reachable && !r.TLSVerified && strings.Contains(r.Problem, "certificate") {
		r.Detail = tlsDetail(ctx, t.Config.Host, caBundle)
	}
	return r
}

// whoAmI asks the server who the token is (SelfSubjectReview); "" when the
// server is too old to say.
func whoAmI(ctx context.Context, t *cluster.Target) string {
	res, err := t.Kube.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return ""
	}
	return res.Status.UserInfo.Username
}

// tlsDetail fetches what the server presents and says why the bundle does
// not verify it.
func tlsDetail(ctx context.Context, rawURL string, caBundle []byte) string {
	chain, err := certs.FetchChain(ctx, rawURL, CheckTimeout)
	if err != nil {
		return ""
	}
	host := rawURL
	if hp, err := certs.HostPort(rawURL); err == nil {
		host = hp[:strings.LastIndex(hp, ":")]
	}
	if len(caBundle) == 0 {
		leaf := chain[0]
		return fmt.Sprintf("no caBundle is set, so the system's trusted CAs were used; the server presents %q issued by %q (SHA-256 %s)",
			leaf.Subject.String(), chain[len(chain)-1].Issuer.String(), certs.Fingerprint(leaf))
	}
	bundle, err := certs.Parse(caBundle)
	if err != nil {
		return "the caBundle does not parse: " + err.Error()
	}
	return certs.Mismatch(chain, bundle, strings.Trim(host, "[]"), time.Now())
}

// Existing is what Preflight found on the host.
type Existing struct {
	// Cluster is the MigCluster of that name, if any.
	Cluster *mtc.MigCluster
	// Warnings do not block.
	Warnings []string
}

// ErrExists is wrapped when the MigCluster exists and overwrite is off.
var ErrExists = errors.New("already exists")

// Preflight checks on the host cluster, before anything is written, that
// the namespaces exist, that the name is free (or overwrite is asked and the
// cluster is not the host), that the token Secret's name is not someone
// else's, and whether another MigCluster already points at the same URL.
func Preflight(ctx context.Context, host *cluster.Target, s Spec, overwrite bool) (*Existing, error) {
	if err := apply.NamespacesExist(ctx, host.Kube, s.Namespace, s.SecretNamespace); err != nil {
		return nil, err
	}
	ri := host.Dynamic.Resource(kube.MigClusters).Namespace(s.Namespace)
	all, err := kube.List[mtc.MigCluster](ctx, ri, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list MigClusters in %s on the host cluster: %w", s.Namespace, err)
	}
	out := &Existing{}
	for i := range all {
		mc := &all[i]
		if mc.Name == s.Name {
			out.Cluster = mc
			continue
		}
		if !mc.Spec.IsHostCluster && sameURL(mc.Spec.URL, s.URL) {
			out.Warnings = append(out.Warnings, fmt.Sprintf("MigCluster %s already points at %s: plans may use either name", mc.Name, s.URL))
		}
	}
	if out.Cluster != nil {
		switch {
		case out.Cluster.Spec.IsHostCluster:
			return nil, fmt.Errorf("MigCluster %s/%s is the host cluster (the MTC operator manages it): choose another name", s.Namespace, s.Name)
		case !overwrite:
			return nil, fmt.Errorf("MigCluster %s/%s %w: pass --overwrite to replace its URL, token and CA, or choose another name", s.Namespace, s.Name, ErrExists)
		}
	}
	if err := apply.SecretFree(ctx, host.Kube, s.SecretNamespace, s.SecretName, OwnerKind+"."+s.Name, overwrite); err != nil {
		return nil, err
	}
	return out, nil
}

func sameURL(a, b string) bool {
	norm := func(s string) string {
		hp, err := certs.HostPort(s)
		if err != nil {
			return strings.TrimRight(strings.ToLower(s), "/")
		}
		return strings.ToLower(hp)
	}
	return norm(a) == norm(b)
}

// AddResult is what Add wrote.
type AddResult struct {
	// Secret is the token Secret as built; it holds the token: mask it
	// before printing.
	Secret        *corev1.Secret
	SecretAction  apply.Action
	Cluster       *mtc.MigCluster
	ClusterAction apply.Action
}

// Add writes the token Secret, then creates the MigCluster (or, with
// overwrite and an existing one, patches its spec and asks the controller to
// re-validate). A failed add leaves no new Secret behind.
func Add(ctx context.Context, host *cluster.Target, s Spec, overwrite, dryRun bool) (*AddResult, error) {
	secret, mc := Build(s)
	ri := host.Dynamic.Resource(kube.MigClusters).Namespace(s.Namespace)
	r, err := apply.Pair(ctx, host.Kube, ri, apply.Request{
		Secret: secret, Object: mc, Kind: mtc.KindMigCluster, Patch: specPatch(mc), Overwrite: overwrite, DryRun: dryRun,
	})
	if err != nil {
		return nil, err
	}
	out := &AddResult{Secret: secret, SecretAction: r.SecretAction, ClusterAction: r.ObjectAction}
	out.Cluster, err = kube.FromUnstructured[mtc.MigCluster](r.Object)
	return out, err
}
