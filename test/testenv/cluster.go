package testenv

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/kubectl-mig/kubectl-mig/test/kubelet"
)

// Fixed facts about every test cluster.
const (
	// AdminUser is the static-token user in system:masters.
	AdminUser = "kubectl-mig-admin"
	// ServiceAccountIssuer is the issuer of service-account tokens.
	ServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local"
	// ServiceClusterIPRange is the Service CIDR.
	ServiceClusterIPRange = "10.96.0.0/16"
)

// Option adjusts StartCluster.
type Option func(*options)

type options struct {
	dir          string
	bins         *Binaries
	nodeLabels   map[string]string
	extraArgs    []string
	startTimeout time.Duration
}

// WithDir puts the cluster's files (etcd data, certificates, process logs,
// container logs) in dir, which is kept on Stop. By default a temporary
// directory is used and removed on Stop.
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithBinaries overrides FindBinaries.
func WithBinaries(b Binaries) Option { return func(o *options) { o.bins = &b } }

// WithNodeLabels adds labels to the stand-in kubelet's Node.
func WithNodeLabels(l map[string]string) Option { return func(o *options) { o.nodeLabels = l } }

// WithAPIServerArgs appends kube-apiserver flags (later flags win).
func WithAPIServerArgs(args ...string) Option {
	return func(o *options) { o.extraArgs = append(o.extraArgs, args...) }
}

// WithStartTimeout bounds how long the apiserver may take to become ready
// (default 90s: generous because parallel test packages share two cores).
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// Cluster is one running etcd + kube-apiserver + stand-in kubelet.
type Cluster struct {
	name       string
	dir        string
	removeDir  bool
	ca         *Authority
	url        string
	adminToken string
	etcd       *process
	apiserver  *process
	kubelet    *kubelet.Kubelet
	config     *rest.Config
	client     kubernetes.Interface
	dynamic    dynamic.Interface
	discovery  discovery.CachedDiscoveryInterface
	mapper     meta.ResettableRESTMapper
	stopOnce   sync.Once
}

// StartCluster starts a cluster named name (the name appears in certificates,
// the Node name and error messages) and returns once the apiserver is ready
// and the Node is registered.
func StartCluster(ctx context.Context, name string, opts ...Option) (*Cluster, error) {
	o := options{startTimeout: 90 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if o.bins == nil {
		b, err := FindBinaries()
		if err != nil {
			return nil, err
		}
		o.bins = &b
	}
	c := &Cluster{name: name}
	if err := c.prepareDir(o.dir); err != nil {
		return nil, err
	}
	if err := c.start(ctx, o); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) prepareDir(dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "kubectl-mig-"+c.name+"-")
		if err != nil {
			return fmt.Errorf("cluster %s: temp dir: %w", c.name, err)
		}
		c.dir, c.removeDir = d, true
	} else {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		c.dir = abs
	}
	for _, sub := range []string{"pki", "containers"} {
		if err := os.MkdirAll(filepath.Join(c.dir, sub), 0o700); err != nil {
			return fmt.Errorf("cluster %s: %w", c.name, err)
		}
	}
	return nil
}

func (c *Cluster) start(ctx context.Context, o options) error {
	pki, err := c.writePKI()
	if err != nil {
		return err
	}
	// A port picked as free can be taken by a parallel test package before
	// our child binds it; retry the start with fresh ports in that case.
	for attempt := 1; ; attempt++ {
		err = c.startProcesses(ctx, o, pki)
		if err == nil || !errors.Is(err, errAddrInUse) || attempt == 3 {
			break
		}
		c.stopProcesses()
	}
	if err != nil {
		return err
	}
	if err := c.buildClients(); err != nil {
		return err
	}
	return c.startKubelet(ctx, o, pki)
}

// pkiFiles are the paths of the generated credentials.
type pkiFiles struct {
	caCert, servingCert, servingKey, kubeletClientCert, kubeletClientKey string
	saKey, saPub, tokens                                                 string
	kubeletServing                                                       KeyPair
}

func (c *Cluster) writePKI() (pkiFiles, error) {
	dir := filepath.Join(c.dir, "pki")
	p := pkiFiles{
		caCert: filepath.Join(dir, "ca.crt"), servingCert: filepath.Join(dir, "apiserver.crt"),
		servingKey: filepath.Join(dir, "apiserver.key"), kubeletClientCert: filepath.Join(dir, "apiserver-kubelet-client.crt"),
		kubeletClientKey: filepath.Join(dir, "apiserver-kubelet-client.key"), saKey: filepath.Join(dir, "sa.key"),
		saPub: filepath.Join(dir, "sa.pub"), tokens: filepath.Join(dir, "tokens.csv"),
	}
	fail := func(err error) (pkiFiles, error) { return p, fmt.Errorf("cluster %s: credentials: %w", c.name, err) }
	ca, err := NewAuthority(c.name + "-ca")
	if err != nil {
		return fail(err)
	}
	c.ca = ca
	serving, err := ca.ServingPair("kube-apiserver", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
	if err != nil {
		return fail(err)
	}
	kc, err := ca.ClientPair("kube-apiserver-kubelet-client", "system:masters")
	if err != nil {
		return fail(err)
	}
	if p.kubeletServing, err = ca.ServingPair(c.NodeName()); err != nil {
		return fail(err)
	}
	saPriv, saPub, err := serviceAccountKeyPEM()
	if err != nil {
		return fail(err)
	}
	c.adminToken = randomToken()
	tokens := fmt.Sprintf("%s,%s,%s-uid,\"system:masters\"\n", c.adminToken, AdminUser, AdminUser)
	for _, err := range []error{
		os.WriteFile(p.caCert, ca.CertPEM(), 0o600),
		serving.WriteFiles(p.servingCert, p.servingKey),
		kc.WriteFiles(p.kubeletClientCert, p.kubeletClientKey),
		os.WriteFile(p.saKey, saPriv, 0o600),
		os.WriteFile(p.saPub, saPub, 0o600),
		os.WriteFile(p.tokens, []byte(tokens), 0o600),
	} {
		if err != nil {
			return fail(err)
		}
	}
	return p, nil
}

func (c *Cluster) startProcesses(ctx context.Context, o options, p pkiFiles) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdURL := "http://" + hostPort(ports[0])
	peerURL := "http://" + hostPort(ports[1])
	dataDir := filepath.Join(c.dir, "etcd-data")
	_ = os.RemoveAll(dataDir)
	c.etcd, err = startProcess("etcd", c.dir, o.bins.Etcd,
		"--name="+c.name, "--data-dir="+dataDir,
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster="+c.name+"="+peerURL, "--unsafe-no-fsync", "--log-level=warn",
	)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.name, err)
	}
	c.url = "https://" + hostPort(ports[2])
	args := []string{
		"--etcd-servers=" + etcdURL,
		fmt.Sprintf("--secure-port=%d", ports[2]), "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--tls-cert-file=" + p.servingCert, "--tls-private-key-file=" + p.servingKey, "--client-ca-file=" + p.caCert,
		"--token-auth-file=" + p.tokens,
		"--service-account-issuer=" + ServiceAccountIssuer,
		"--service-account-key-file=" + p.saPub, "--service-account-signing-key-file=" + p.saKey,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + ServiceClusterIPRange,
		"--allow-privileged=true",
		// No controller-manager runs: the ServiceAccount plugin would reject
		// pods for want of a "default" service account, TaintNodesByCondition
		// would leave the Node tainted not-ready, and pvc/pv-protection
		// finalizers would never be removed, so deletions would hang.
		"--disable-admission-plugins=ServiceAccount,TaintNodesByCondition,StorageObjectInUseProtection",
		"--kubelet-client-certificate=" + p.kubeletClientCert, "--kubelet-client-key=" + p.kubeletClientKey,
		"--kubelet-certificate-authority=" + p.caCert, "--kubelet-preferred-address-types=InternalIP",
		"--endpoint-reconciler-type=none", "--enable-priority-and-fairness=false",
		"--event-ttl=720h", "--profiling=false",
	}
	c.apiserver, err = startProcess("kube-apiserver", c.dir, o.bins.APIServer, append(args, o.extraArgs...)...)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.name, err)
	}
	return c.waitReady(ctx, o.startTimeout)
}

// waitReady polls /readyz until it answers ok, a process dies, or time runs out.
func (c *Cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: c.ca.Pool(), MinVersion: tls.VersionTLS12}},
	}
	defer hc.CloseIdleConnections()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range []*process{c.etcd, c.apiserver} {
			if done, werr := p.exited(); done {
				if werr == nil {
					werr = errors.New("exit status 0")
				}
				err := fmt.Errorf("cluster %s: %s exited early (%w); last lines of %s:\n%s", c.name, p.name, werr, p.logPath, p.tail(30))
				if p.logContains("address already in use") {
					err = fmt.Errorf("%w: %w", errAddrInUse, err)
				}
				return err
			}
		}
		if c.readyz(ctx, hc) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster %s: apiserver %s not ready after %v: %w\n%s", c.name, c.url, timeout, ctx.Err(), c.LogTails(20))
		case <-tick.C:
		}
	}
}

func (c *Cluster) readyz(ctx context.Context, hc *http.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/readyz", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+c.adminToken)
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (c *Cluster) buildClients() error {
	c.config = &rest.Config{
		Host:            c.url,
		BearerToken:     c.adminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.ca.CertPEM()},
		QPS:             200,
		Burst:           400,
		UserAgent:       "kubectl-mig-testenv",
	}
	var err error
	if c.client, err = kubernetes.NewForConfig(c.config); err != nil {
		return fmt.Errorf("cluster %s: clientset: %w", c.name, err)
	}
	if c.dynamic, err = dynamic.NewForConfig(c.config); err != nil {
		return fmt.Errorf("cluster %s: dynamic client: %w", c.name, err)
	}
	c.discovery = memory.NewMemCacheClient(c.client.Discovery())
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(c.discovery)
	return nil
}

func (c *Cluster) startKubelet(ctx context.Context, o options, p pkiFiles) error {
	cert, err := p.kubeletServing.TLSCertificate()
	if err != nil {
		return fmt.Errorf("cluster %s: kubelet certificate: %w", c.name, err)
	}
	c.kubelet, err = kubelet.Start(ctx, kubelet.Config{
		NodeName: c.NodeName(), Dir: filepath.Join(c.dir, "containers"), ServingCert: cert,
		ClientCAs: c.ca.Pool(), Client: c.client, NodeLabels: o.nodeLabels,
	})
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.name, err)
	}
	return nil
}

// Stop stops the kubelet stand-in, the apiserver and etcd, and removes the
// temporary directory (a directory given with WithDir is kept). Safe to call
// more than once.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		if c.kubelet != nil {
			_ = c.kubelet.Close()
		}
		c.stopProcesses()
		if c.removeDir {
			_ = os.RemoveAll(c.dir)
		}
	})
}

func (c *Cluster) stopProcesses() {
	// The data is thrown away, so there is nothing to shut down gracefully.
	c.apiserver.stop(0)
	c.etcd.stop(0)
}

// Name is the cluster's name ("host", "source", ...).
func (c *Cluster) Name() string { return c.name }

// URL is the apiserver URL, https://127.0.0.1:<port>.
func (c *Cluster) URL() string { return c.url }

// CA is the PEM CA bundle that verifies the apiserver (and the kubelet).
func (c *Cluster) CA() []byte { return c.ca.CertPEM() }

// CABase64 is the CA as JSON encodes a []byte field (MigCluster caBundle).
func (c *Cluster) CABase64() string { return base64.StdEncoding.EncodeToString(c.ca.CertPEM()) }

// Config returns a fresh admin (system:masters) rest.Config.
func (c *Cluster) Config() *rest.Config { return rest.CopyConfig(c.config) }

// AdminToken is the static bearer token of AdminUser.
func (c *Cluster) AdminToken() string { return c.adminToken }

// Dir is the directory holding the cluster's files.
func (c *Cluster) Dir() string { return c.dir }

// Client is an admin clientset.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// Dynamic is an admin dynamic client.
func (c *Cluster) Dynamic() dynamic.Interface { return c.dynamic }

// RESTMapper maps kinds to resources by discovery; it is reset after CRDs
// are installed through InstallCRDs.
func (c *Cluster) RESTMapper() meta.ResettableRESTMapper { return c.mapper }

// Kubelet is the stand-in kubelet behind the cluster's only Node.
func (c *Cluster) Kubelet() *kubelet.Kubelet { return c.kubelet }

// NodeName is the name of the cluster's Node, "<cluster>-worker-1".
func (c *Cluster) NodeName() string { return c.name + "-worker-1" }

// LogTails returns the last n lines of the etcd and apiserver logs.
func (c *Cluster) LogTails(n int) string {
	var b strings.Builder
	for _, p := range []*process{c.etcd, c.apiserver} {
		if p != nil {
			fmt.Fprintf(&b, "--- %s (%s), last %d lines:\n%s\n", p.name, p.logPath, n, p.tail(n))
		}
	}
	return b.String()
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
