package cli

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-mig/kubectl-mig/engine/cluster"
)

// Access builds the engine's cluster access from the kubeconfig flags: the
// current context is the host; --source-context/--destination-context, when
// given, replace MigCluster-based access for that side.
func (e *Env) Access() (*cluster.Access, error) {
	host, err := e.Config.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("load the host cluster from kubeconfig: %w (set --kubeconfig or --context)", err)
	}
	opts := cluster.Options{Host: host, Namespace: e.MigNamespace()}
	if opts.Source, err = e.contextConfig(e.SourceContext); err != nil {
		return nil, err
	}
	if opts.Destination, err = e.contextConfig(e.DestinationContext); err != nil {
		return nil, err
	}
	return cluster.New(opts)
}

// contextConfig loads a named kubeconfig context ("" means none).
func (e *Env) contextConfig(name string) (*rest.Config, error) {
	if name == "" {
		return nil, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if e.Config.KubeConfig != nil && *e.Config.KubeConfig != "" {
		rules.ExplicitPath = *e.Config.KubeConfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: name}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig context %q: %w", name, err)
	}
	return raiseRateLimits(cfg), nil
}
