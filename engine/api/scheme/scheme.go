// Package scheme builds the runtime.Scheme kubectl-mig uses for typed clients,
// decoding and printing: client-go's built-in kinds, apiextensions/v1, MTC,
// Velero v1, Karmada (policy, work v1alpha1/v1alpha2, cluster) and OpenShift
// route/v1 and apps/v1. Nothing is registered at init time; callers own the
// scheme they get.
package scheme

import (
	"fmt"

	openshiftappsv1 "github.com/openshift/api/apps/v1"
	routev1 "github.com/openshift/api/route/v1"
	velerov1 "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	clusterv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/cluster/v1alpha1"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	mtcv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// adder registers one API group version with a scheme.
type adder struct {
	name string
	add  func(*runtime.Scheme) error
}

func adders() []adder {
	return []adder{
		{"client-go built-in kinds", clientgoscheme.AddToScheme},
		{"apiextensions.k8s.io/v1", apiextensionsv1.AddToScheme},
		{"migration.openshift.io/v1alpha1", mtcv1alpha1.AddToScheme},
		{"velero.io/v1", velerov1.AddToScheme},
		{"policy.karmada.io/v1alpha1", policyv1alpha1.AddToScheme},
		{"work.karmada.io/v1alpha1", workv1alpha1.AddToScheme},
		{"work.karmada.io/v1alpha2", workv1alpha2.AddToScheme},
		{"cluster.karmada.io/v1alpha1", clusterv1alpha1.AddToScheme},
		{"route.openshift.io/v1", routev1.Install},
		{"apps.openshift.io/v1", openshiftappsv1.Install},
	}
}

// New returns a fresh scheme with every API kubectl-mig talks to.
func New() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, a := range adders() {
		if err := a.add(s); err != nil {
			return nil, fmt.Errorf("register %s in scheme: %w", a.name, err)
		}
	}
	return s, nil
}
