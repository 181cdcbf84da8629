package cli

import (
	"os"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"
)

// DefaultMigNamespace is where MTC keeps its custom resources.
const DefaultMigNamespace = "openshift-migration"

// Env is what every command constructor receives: the streams, the standard
// kubeconfig flags, and the cluster overrides. The umbrella binary and each
// thin kubectl-mig-<verb> binary build one Env, so a verb behaves the same
// whichever binary kubectl finds.
type Env struct {
	Streams genericiooptions.IOStreams
	Config  *genericclioptions.ConfigFlags
	// SourceContext and DestinationContext override MigCluster-based access
	// with kubeconfig contexts (--source-context, --destination-context).
	SourceContext      string
	DestinationContext string
	// Getenv is os.Getenv outside tests.
	Getenv func(string) string
}

// NewEnv returns an Env reading the real environment.
func NewEnv(streams genericiooptions.IOStreams) *Env {
	return &Env{
		Streams: streams,
		Config:  genericclioptions.NewConfigFlags(true).WithDiscoveryBurst(300).WithWrapConfigFn(raiseRateLimits),
		Getenv:  os.Getenv,
	}
}

// raiseRateLimits lifts client-go's default 5 QPS: our LISTs are few and
// paginated, and a throttled diagnose or gather only wastes the user's time.
func raiseRateLimits(c *rest.Config) *rest.Config {
	c.QPS, c.Burst = 100, 200
	return c
}

// AddFlags registers the kubeconfig flags and cluster overrides on fs.
func (e *Env) AddFlags(fs *pflag.FlagSet) {
	e.Config.AddFlags(fs)
	fs.StringVar(&e.SourceContext, "source-context", "",
		"kubeconfig context for the source cluster, instead of its MigCluster's URL and token")
	fs.StringVar(&e.DestinationContext, "destination-context", "",
		"kubeconfig context for the destination cluster, instead of its MigCluster's URL and token")
}

// MigNamespace is the namespace holding the MTC resources: -n when given,
// otherwise openshift-migration (not the kubeconfig's default namespace, which
// is almost never where MTC lives).
func (e *Env) MigNamespace() string {
	if e.Config.Namespace != nil && *e.Config.Namespace != "" {
		return *e.Config.Namespace
	}
	return DefaultMigNamespace
}

// Name is the command line users type to reach us ("kubectl mig" or "oc mig").
func (e *Env) Name() string { return DisplayName(e.Getenv) }
