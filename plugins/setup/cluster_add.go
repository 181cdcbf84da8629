package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/tools/clientcmd"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/certs"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/clusters"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// ClusterAddOptions are the inputs of `cluster add`.
type ClusterAddOptions struct {
	env *cli.Env

	Name                string
	URL                 string
	TokenFile           string
	TokenFromContext    string
	CABundleFile        string
	CAFromServer        bool
	Insecure            bool
	Yes                 bool
	ExposedRegistryPath string
	AzureResourceGroup  string
	SecretName          string
	SecretNamespace     string
	Overwrite           bool
	SkipCheck           bool
	WaitReady           bool
	Timeout             time.Duration
	DryRunValue         string

	output *cmdkit.Output
	dryRun cmdkit.DryRun
	spec   clusters.Spec
	// context is what --token-from-context read (nil otherwise).
	context *clusters.ContextCredentials
	now     func() time.Time
}

// NewCmdClusterAdd returns `cluster add`.
func NewCmdClusterAdd(env *cli.Env) *cobra.Command {
	o := &ClusterAddOptions{env: env, output: cmdkit.NewOutput("created", false), Timeout: 2 * time.Minute, now: time.Now}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "add NAME --url URL (--token-file FILE | --token-from-context CONTEXT) [--ca-bundle FILE | --ca-from-server | --insecure]",
		Short: "Register a remote cluster with MTC (token Secret + MigCluster), checked by connecting first",
		Long: `Register a source or destination cluster with MTC. The cluster's service-account
token is stored in a Secret (key saToken, in openshift-config unless
--secret-namespace says otherwise) and a MigCluster points at it.

Before anything is written, ` + name + ` connects to the cluster exactly as the
MTC controller will: the URL, the bearer token, and the CA bundle (or the
system's CAs, or no verification with --insecure). A wrong CA, a rejected
token, a token without cluster-admin rights or an unreachable URL is explained
and nothing is created. Use --skip-check when only the host cluster, not your
workstation, can reach the cluster.

The token is read from a file (--token-file, "-" for stdin) or from a
kubeconfig context (--token-from-context), never from the command line. With
--token-from-context the URL and CA default to that context's.

--ca-from-server fetches the certificate chain the server presents (as
'openssl s_client -connect host:port' shows it), prints its SHA-256
fingerprints and asks you to confirm them before trusting them (--yes skips
the question: compare the fingerprints out of band first).`,
		Example: `  # Token of the source cluster's migration-controller service account, CA from a file
  kubectl --context source -n openshift-migration create token migration-controller --duration=8760h > token
  ` + name + ` cluster add source --url https://api.source.example.com:6443 --token-file token --ca-bundle ca.crt

  # Pipe the token; take the URL and CA from the kubeconfig context
  kubectl --context source -n openshift-migration create token migration-controller --duration=8760h |
    ` + name + ` cluster add source --token-from-context source --token-file -

  # Trust the certificate the server presents (after checking its fingerprint), then wait for MTC
  ` + name + ` cluster add source --url https://api.source.example.com:6443 --token-file token --ca-from-server --wait-ready

  # Replace an expired token
  ` + name + ` cluster add source --url https://api.source.example.com:6443 --token-file new-token --ca-bundle ca.crt --overwrite`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "API server URL of the cluster, e.g. https://api.example.com:6443 (default with --token-from-context: the context's server)")
	f.StringVar(&o.TokenFile, "token-file", "", `file holding the cluster's service-account token ("-" reads stdin)`)
	f.StringVar(&o.TokenFromContext, "token-from-context", "", "kubeconfig context whose bearer token (and, by default, server and CA) to use")
	f.StringVar(&o.CABundleFile, "ca-bundle", "", "PEM file with the CA certificate(s) that verify the API server")
	f.BoolVar(&o.CAFromServer, "ca-from-server", false, "fetch the certificate chain the server presents, show its fingerprint and trust it once confirmed")
	f.BoolVar(&o.Insecure, "insecure", false, "do not verify the API server's certificate (not recommended)")
	f.BoolVarP(&o.Yes, "yes", "y", false, "trust the fetched certificate chain without asking")
	f.StringVar(&o.ExposedRegistryPath, "exposed-registry-path", "", "route of the cluster's image registry, for direct image migration")
	f.StringVar(&o.AzureResourceGroup, "azure-resource-group", "", "resource group of the cluster's disks (Azure only)")
	f.StringVar(&o.SecretName, "secret-name", "", `name of the token Secret (default "<NAME>-token")`)
	f.StringVar(&o.SecretNamespace, "secret-namespace", secrets.DefaultNamespace, "namespace of the token Secret on the host cluster")
	f.BoolVar(&o.Overwrite, "overwrite", false, "replace the URL, token and CA of an existing MigCluster (and ask MTC to re-validate it)")
	f.BoolVar(&o.SkipCheck, "skip-check", false, "do not connect to the cluster before writing (when only the host cluster can reach it)")
	f.BoolVar(&o.WaitReady, "wait-ready", false, "wait until the MTC controller has validated the cluster and marked it Ready")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait-ready waits")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	_ = cmd.MarkFlagFilename("token-file")
	_ = cmd.MarkFlagFilename("ca-bundle", "crt", "pem")
	return cmd
}

// Complete reads the token and CA and builds the spec.
func (o *ClusterAddOptions) Complete(args []string) error {
	o.Name = args[0]
	var err error
	if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
		return err
	}
	if err := o.checkSources(); err != nil {
		return err
	}
	token, err := o.readToken()
	if err != nil {
		return err
	}
	url := o.URL
	var ca []byte
	if o.context != nil && url == "" {
		url = o.context.Server
	}
	if o.CABundleFile != "" {
		if ca, err = readFile("--ca-bundle", o.CABundleFile, o.env.Streams.In); err != nil {
			return err
		}
	} else if ca, err = o.contextCA(url); err != nil {
		return err
	}
	o.spec = clusters.Spec{
		Name: o.Name, Namespace: o.env.MigNamespace(), URL: url, Token: token, CABundle: ca, Insecure: o.Insecure,
		ExposedRegistryPath: o.ExposedRegistryPath, AzureResourceGroup: o.AzureResourceGroup,
		SecretName: o.SecretName, SecretNamespace: o.SecretNamespace,
	}.WithDefaults()
	return nil
}

// checkSources checks the flag combinations before any input is read.
func (o *ClusterAddOptions) checkSources() error {
	switch {
	case o.TokenFile == "" && o.TokenFromContext == "":
		return cli.Usagef("give the cluster's service-account token with --token-file FILE (\"-\" for stdin) or --token-from-context CONTEXT")
	case o.TokenFile != "" && o.TokenFromContext != "" && o.TokenFile != "-":
		return cli.Usagef("--token-file and --token-from-context are exclusive (with --token-from-context, --token-file - may still supply the token)")
	}
	n := 0
	for _, set := range []bool{o.CABundleFile != "", o.CAFromServer, o.Insecure} {
		if set {
			n++
		}
	}
	if n > 1 {
		return cli.Usagef("--ca-bundle, --ca-from-server and --insecure are exclusive")
	}
	if o.TokenFile == "-" && o.CABundleFile == "-" {
		return cli.Usagef("stdin can feed --token-file or --ca-bundle, not both")
	}
	if o.TokenFile == "-" && o.CAFromServer && !o.Yes && o.dryRun == cmdkit.DryRunNone {
		return cli.Usagef("the token comes from stdin, so the certificate cannot be confirmed there: check the fingerprint with --dry-run=client first, then pass --yes")
	}
	return nil
}

// readToken reads the token from the file, stdin or the context.
func (o *ClusterAddOptions) readToken() (string, error) {
	if o.TokenFromContext != "" {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		if kc := o.env.Config.KubeConfig; kc != nil && *kc != "" {
			rules.ExplicitPath = *kc
		}
		creds, err := clusters.FromKubeconfig(rules, o.TokenFromContext, o.TokenFile != "-")
		if err != nil {
			return "", cli.Usagef("--token-from-context: %v", err)
		}
		o.context = creds
		if o.TokenFile != "-" {
			return creds.Token, nil
		}
	}
	f, err := openInput(o.TokenFile, o.env.Streams.In)
	if err != nil {
		return "", cli.Usagef("--token-file: %v", err)
	}
	defer f.Close()
	what := "token file " + o.TokenFile
	if o.TokenFile == "-" {
		what = "the token on stdin"
	}
	token, err := clusters.ReadToken(f, what)
	if err != nil {
		return "", cli.Usagef("%v", err)
	}
	return token, nil
}

// contextCA returns the context's CA when the user gave no CA option and
// the URL is the context's.
func (o *ClusterAddOptions) contextCA(url string) ([]byte, error) {
	c := o.context
	if c == nil || o.CAFromServer || o.Insecure || url != c.Server {
		return nil, nil
	}
	if c.Insecure && len(c.CAData) == 0 {
		return nil, cli.Usagef("context %q skips TLS verification: pass --ca-bundle, --ca-from-server, or --insecure explicitly", c.Context)
	}
	return c.CAData, nil
}

// Validate checks everything that needs no cluster.
func (o *ClusterAddOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.WaitReady && o.dryRun != cmdkit.DryRunNone {
		return cli.Usagef("--wait-ready cannot be combined with --dry-run")
	}
	if o.CAFromServer && !strings.HasPrefix(o.spec.URL, "https://") {
		return cli.Usagef("--ca-from-server needs an https URL")
	}
	if err := o.spec.Validate(); err != nil {
		return cli.WithExitCode(cli.ExitUsage, fmt.Errorf("cannot add cluster %s:\n%s", o.Name, indent(err.Error())))
	}
	return nil
}

// Run fetches the CA if asked, checks the host and the connection, writes
// the Secret and the MigCluster, and optionally waits for Ready.
func (o *ClusterAddOptions) Run(ctx context.Context) error {
	errOut := o.env.Streams.ErrOut
	if o.CAFromServer {
		if err := o.fetchCA(ctx); err != nil {
			return err
		}
	}
	o.warnings()
	if o.dryRun == cmdkit.DryRunClient {
		skippedChecks(errOut, "the MTC and Secret namespaces exist on the host cluster",
			"the cluster name is free (or --overwrite)",
			"connecting to "+o.spec.URL+" with the token and CA, and the token's cluster-admin rights")
		secret, mc := clusters.Build(o.spec)
		return printObjects(o.env.Streams.Out, o.output, o.dryRun, secrets.Masked(secret), mc)
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	existing, err := clusters.Preflight(ctx, host, o.spec, o.Overwrite)
	if err != nil {
		return err
	}
	warn(errOut, existing.Warnings...)
	if err := o.check(ctx); err != nil {
		return err
	}
	res, err := clusters.Add(ctx, host, o.spec, o.Overwrite, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if err := o.printResult(res); err != nil {
		return err
	}
	if !o.WaitReady {
		return nil
	}
	return waitReady(ctx, o.env, host, kube.MigClusters, mtc.KindMigCluster, o.Name, o.Timeout)
}

func (o *ClusterAddOptions) printResult(res *clusters.AddResult) error {
	out := o.output
	saved := out.Flags.NamePrintFlags.Operation
	defer func() { out.Flags.NamePrintFlags.Operation = saved }()
	w := o.env.Streams.Out
	if f := out.Format(); f == "" || f == "name" {
		out.Flags.NamePrintFlags.Operation = string(res.SecretAction)
		if err := out.Print(w, secrets.Masked(res.Secret), o.dryRun); err != nil {
			return err
		}
		out.Flags.NamePrintFlags.Operation = string(res.ClusterAction)
		return out.Print(w, res.Cluster, o.dryRun)
	}
	return printObjects(w, out, o.dryRun, secrets.Masked(res.Secret), res.Cluster)
}

// warnings prints what does not block: plain http, insecure, the token's
// kind and expiry.
func (o *ClusterAddOptions) warnings() {
	errOut := o.env.Streams.ErrOut
	warn(errOut, o.spec.Warnings()...)
	warn(errOut, clusters.InspectToken(o.spec.Token).Warnings(o.now())...)
	if o.context != nil && len(o.spec.CABundle) > 0 && o.CABundleFile == "" && !o.CAFromServer {
		fmt.Fprintf(errOut, "using the CA of kubeconfig context %q\n", o.context.Context)
	}
}

// check connects before writing, unless --skip-check.
func (o *ClusterAddOptions) check(ctx context.Context) error {
	errOut := o.env.Streams.ErrOut
	if o.SkipCheck {
		fmt.Fprintf(errOut, "not connecting to %s (--skip-check): run '%s cluster test %s' from a machine that can reach it\n", o.spec.URL, o.env.Name(), o.Name)
		return nil
	}
	r := clusters.Check(ctx, o.spec)
	if !r.OK() {
		// Printed here rather than returned: the generic error hints speak
		// of kubeconfig flags, and this explanation is complete.
		fmt.Fprintf(errOut, "error: %s\n", checkError(o.Name, r))
		return cli.WithExitCode(cli.ExitFailure, nil)
	}
	who := r.Identity
	if who == "" {
		who = "the token's identity"
	}
	fmt.Fprintf(errOut, "connected to %s (Kubernetes %s) as %s, with cluster-admin rights\n", o.spec.URL, orDash(r.ServerVersion), who)
	return nil
}

// checkError explains a failed connection check; nothing was written.
func checkError(name string, r clusters.CheckResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot add cluster %s: %s\n", name, r.Problem)
	if r.Detail != "" {
		fmt.Fprintf(&b, "  detail: %s\n", r.Detail)
	}
	if r.Fix != "" {
		fmt.Fprintf(&b, "  fix:    %s\n", r.Fix)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "  error:  %s\n", r.Error)
	}
	b.WriteString("nothing was written (use --skip-check if only the host cluster can reach this URL)")
	return b.String()
}

// fetchCA fetches the chain the server presents, shows it and asks for
// confirmation.
func (o *ClusterAddOptions) fetchCA(ctx context.Context) error {
	errOut := o.env.Streams.ErrOut
	chain, err := certs.FetchChain(ctx, o.spec.URL, clusters.CheckTimeout)
	if err != nil {
		return fmt.Errorf("--ca-from-server: %w", err)
	}
	fmt.Fprintf(errOut, "%s presents this certificate chain:\n", o.spec.URL)
	writeCerts(errOut, certs.DescribeAll(chain), "  ")
	if certs.PinsLeaf(chain) {
		warn(errOut, "the server does not send its root CA: trusting this chain pins the server's own certificate, which stops working when it is renewed; a --ca-bundle with the cluster's CA lasts longer")
	}
	o.spec.CABundle = certs.Encode(chain)
	if o.Yes || o.dryRun != cmdkit.DryRunNone {
		return nil
	}
	if !confirm(o.env.Streams.In, errOut, "Trust this certificate chain for cluster "+o.Name+"?") {
		return cli.WithExitCode(cli.ExitFailure, errors.New("certificate chain not trusted: nothing was written (compare the SHA-256 fingerprint with the cluster administrator's, then re-run with --yes)"))
	}
	return nil
}

// writeCerts prints certificate infos.
func writeCerts(w io.Writer, infos []certs.Info, pad string) {
	for i, c := range infos {
		fmt.Fprintf(w, "%s[%d] subject: %s\n", pad, i+1, c.Subject)
		fmt.Fprintf(w, "%s    issuer:  %s\n", pad, c.Issuer)
		fmt.Fprintf(w, "%s    valid:   %s to %s\n", pad, c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
		fmt.Fprintf(w, "%s    SHA-256: %s\n", pad, c.SHA256)
	}
}

func indent(s string) string {
	return "  - " + strings.ReplaceAll(s, "\n", "\n  - ")
}
