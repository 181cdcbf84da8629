package cluster

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// SATokenKey is the key of the service-account token in a MigCluster's secret.
const SATokenKey = "saToken"

// saToken reads the MigCluster's service-account token from its Secret on
// the host cluster.
func (a *Access) saToken(ctx context.Context, mc *mtc.MigCluster) (string, error) {
	ref := mc.Spec.ServiceAccountSecretRef
	if ref == nil || ref.Name == "" {
		return "", &Error{Cluster: mc.Name, Problem: "spec.serviceAccountSecretRef is not set",
			Fix: "point it at a Secret holding the cluster's service-account token under key saToken ('kubectl mig cluster add' does this)"}
	}
	ns := ref.Namespace
	if ns == "" {
		ns = mc.Namespace
	}
	s, err := a.host.Kube.CoreV1().Secrets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return "", &Error{Cluster: mc.Name, Problem: fmt.Sprintf("token Secret %s/%s not found on the host cluster", ns, ref.Name),
				Fix: "create it with the service-account token under key saToken, or fix spec.serviceAccountSecretRef", Err: err}
		}
		return "", &Error{Cluster: mc.Name, Problem: fmt.Sprintf("cannot read token Secret %s/%s on the host cluster", ns, ref.Name),
			Fix: "you need 'get secrets' there, or pass --source-context/--destination-context", Err: err}
	}
	token := strings.TrimSpace(string(s.Data[SATokenKey]))
	if token == "" {
		return "", &Error{Cluster: mc.Name, Problem: fmt.Sprintf("Secret %s/%s has no %s (or it is empty)", ns, ref.Name, SATokenKey),
			Fix: "store the service-account token of the remote cluster under key saToken"}
	}
	return token, nil
}

// RESTConfig builds the configuration the MTC controller would use for a
// remote MigCluster: spec.url, the bearer token, and spec.caBundle (or the
// system roots when it is empty) unless spec.insecure is set. Unlike the
// controller's, the rate limits stay modest: this is a CLI.
func RESTConfig(mc *mtc.MigCluster, token string) (*rest.Config, error) {
	if mc.Spec.URL == "" {
		return nil, &Error{Cluster: mc.Name, Problem: "spec.url is empty",
			Fix: "set the API server URL of the cluster, e.g. https://api.example.com:6443"}
	}
	u, err := url.Parse(mc.Spec.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Cluster: mc.Name, Problem: fmt.Sprintf("spec.url %q is not a valid http(s) URL", mc.Spec.URL),
			Fix: "set it to the API server URL, e.g. https://api.example.com:6443"}
	}
	cfg := &rest.Config{
		Host:        mc.Spec.URL,
		BearerToken: token,
		QPS:         100,
		Burst:       200,
	}
	if mc.Spec.Insecure {
		cfg.Insecure = true
	} else {
		cfg.CAData = mc.Spec.CABundle
	}
	return cfg, nil
}
