package testenv

import (
	"errors"
	"fmt"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Kubeconfig builds a kubeconfig with one context per cluster, named after
// the cluster, with admin token credentials and the CA inlined. The first
// cluster's context is current.
func Kubeconfig(clusters ...*Cluster) (*clientcmdapi.Config, error) {
	if len(clusters) == 0 {
		return nil, errors.New("kubeconfig: no clusters")
	}
	cfg := clientcmdapi.NewConfig()
	for _, c := range clusters {
		user := c.name + "-admin"
		cfg.Clusters[c.name] = &clientcmdapi.Cluster{Server: c.url, CertificateAuthorityData: c.CA()}
		cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: c.adminToken}
		cfg.Contexts[c.name] = &clientcmdapi.Context{Cluster: c.name, AuthInfo: user, Namespace: "default"}
	}
	cfg.CurrentContext = clusters[0].name
	return cfg, nil
}

// WriteKubeconfig writes Kubeconfig(clusters...) to path (mode 0600).
func WriteKubeconfig(path string, clusters ...*Cluster) error {
	cfg, err := Kubeconfig(clusters...)
	if err != nil {
		return err
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}
