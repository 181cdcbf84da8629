package karmada

import (
	"context"
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	engine "github.com/kubectl-mig/kubectl-mig/engine/karmada"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Access turns the kubeconfig flags into the engine's clusters: the Karmada
// API server (--karmada-context, else the current context with every
// standard kubeconfig flag) and member clusters (--cluster-context for the
// member named by --cluster, else the context named after the member, as
// karmadactl does).
type Access struct {
	env            *cli.Env
	KarmadaContext string
	// Cluster and ClusterContext are the --cluster/--cluster-context flags
	// of the running command.
	Cluster, ClusterContext string
}

// Karmada returns the Karmada API server and the namespace to work in: -n,
// else the namespace of the Karmada context, else "default".
func (a *Access) Karmada() (*engine.Cluster, string, error) {
	cc := a.env.Config.ToRawKubeConfigLoader()
	if a.KarmadaContext != "" {
		cc = a.loader(a.KarmadaContext)
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("load the Karmada API server's kubeconfig context: %w (set --karmada-context or --kubeconfig)", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", err
	}
	if flag := a.env.Config.Namespace; flag != nil && *flag != "" {
		ns = *flag
	}
	if ns == "" {
		ns = "default"
	}
	c, err := engine.NewCluster("karmada", withRateLimits(cfg))
	return c, ns, err
}

// Member reaches the member cluster Karmada calls name; it is the engine's
// MemberAccess.
func (a *Access) Member(_ context.Context, name string) (*engine.Cluster, error) {
	contextName := name
	if name == a.Cluster && a.ClusterContext != "" {
		contextName = a.ClusterContext
	}
	loader := a.loader(contextName)
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig: %w", err)
	}
	if _, ok := raw.Contexts[contextName]; !ok {
		return nil, fmt.Errorf("%w %s: the kubeconfig has no context %q (pass --cluster %s --cluster-context CONTEXT)",
			engine.ErrNoMemberAccess, name, contextName, name)
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig context %q for member cluster %s: %w", contextName, name, err)
	}
	return engine.NewCluster(name, withRateLimits(cfg))
}

func (a *Access) loader(contextName string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kc := a.env.Config.KubeConfig; kc != nil && *kc != "" {
		rules.ExplicitPath = *kc
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: contextName})
}

// withRateLimits lifts client-go's default 5 QPS: the commands make few,
// paginated LISTs and a throttled wait only wastes the user's time.
func withRateLimits(c *rest.Config) *rest.Config {
	c = rest.CopyConfig(c)
	c.QPS, c.Burst = 100, 200
	return c
}
