package testenv

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// InstallCRDs creates the CRDs (existing ones are left alone), waits until
// every one is Established and served by discovery, and resets the
// RESTMapper so the new kinds resolve.
func (c *Cluster) InstallCRDs(ctx context.Context, crds ...*apiextensionsv1.CustomResourceDefinition) error {
	cs, err := apiextensionsclient.NewForConfig(c.config)
	if err != nil {
		return fmt.Errorf("cluster %s: apiextensions client: %w", c.name, err)
	}
	api := cs.ApiextensionsV1().CustomResourceDefinitions()
	for _, crd := range crds {
		in := crd.DeepCopy()
		in.ResourceVersion = ""
		in.Status = apiextensionsv1.CustomResourceDefinitionStatus{}
		if _, err := api.Create(ctx, in, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("cluster %s: create CRD %s: %w", c.name, crd.Name, err)
		}
	}
	for _, crd := range crds {
		if err := waitEstablished(ctx, api, crd.Name); err != nil {
			return fmt.Errorf("cluster %s: CRD %s: %w", c.name, crd.Name, err)
		}
	}
	if err := c.waitServed(ctx, crds); err != nil {
		return err
	}
	c.mapper.Reset()
	return nil
}

type crdGetter interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*apiextensionsv1.CustomResourceDefinition, error)
}

func waitEstablished(ctx context.Context, api crdGetter, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		crd, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil //nolint:nilerr // keep polling: the apiserver is still registering the CRD
		}
		for _, cond := range crd.Status.Conditions {
			switch {
			case cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue:
				return true, nil
			case cond.Type == apiextensionsv1.NamesAccepted && cond.Status == apiextensionsv1.ConditionFalse:
				return false, fmt.Errorf("names not accepted: %s", cond.Message)
			}
		}
		last = "not Established yet"
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for Established: %w (last: %s)", err, last)
	}
	return nil
}

// waitServed waits until discovery lists every served version's resource.
func (c *Cluster) waitServed(ctx context.Context, crds []*apiextensionsv1.CustomResourceDefinition) error {
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			gv := crd.Spec.Group + "/" + v.Name
			err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
				list, err := c.client.Discovery().ServerResourcesForGroupVersion(gv)
				if err != nil {
					return false, nil //nolint:nilerr // keep polling: discovery lags behind Established
				}
				for _, r := range list.APIResources {
					if r.Name == crd.Spec.Names.Plural {
						return true, nil
					}
				}
				return false, nil
			})
			if err != nil {
				return fmt.Errorf("cluster %s: %s in %s never appeared in discovery: %w", c.name, crd.Spec.Names.Plural, gv, err)
			}
		}
	}
	return nil
}
