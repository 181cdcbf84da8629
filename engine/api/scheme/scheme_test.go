package scheme

import (
	"os"
	"reflect"
	"testing"

	routev1 "github.com/openshift/api/route/v1"
	velerov1 "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/kubectl-mig/kubectl-mig/engine/api/crds"
	clusterv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/cluster/v1alpha1"
	policyv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/policy/v1alpha1"
	workv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha1"
	workv1alpha2 "github.com/kubectl-mig/kubectl-mig/engine/api/karmada/work/v1alpha2"
	mtcv1alpha1 "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("New(): %v", err)
	}
	return s
}

// TestEveryCRDKindIsKnown checks that the scheme recognises the kind and list
// kind of every served version of every embedded CRD, so typed clients work
// against the test servers.
func TestEveryCRDKindIsKnown(t *testing.T) {
	s := newScheme(t)
	all, err := crds.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, crd := range all {
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			for _, kind := range []string{crd.Spec.Names.Kind, crd.Spec.Names.ListKind} {
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: kind}
				t.Run(gvk.String(), func(t *testing.T) {
					if !s.Recognizes(gvk) {
						t.Errorf("scheme does not recognise %s", gvk)
					}
				})
			}
		}
	}
}

func TestTypesMapToGVKs(t *testing.T) {
	s := newScheme(t)
	tests := []struct {
		obj  runtime.Object
		want schema.GroupVersionKind
	}{
		{&corev1.Pod{}, corev1.SchemeGroupVersion.WithKind("Pod")},
		{&appsv1.Deployment{}, appsv1.SchemeGroupVersion.WithKind("Deployment")},
		{&apiextensionsv1.CustomResourceDefinition{}, apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition")},
		{&mtcv1alpha1.MigPlan{}, mtcv1alpha1.SchemeGroupVersion.WithKind(mtcv1alpha1.KindMigPlan)},
		{&mtcv1alpha1.MigrationController{}, mtcv1alpha1.SchemeGroupVersion.WithKind(mtcv1alpha1.KindMigrationController)},
		{&velerov1.Restore{}, velerov1.SchemeGroupVersion.WithKind("Restore")},
		{&policyv1alpha1.PropagationPolicy{}, policyv1alpha1.SchemeGroupVersion.WithKind(policyv1alpha1.KindPropagationPolicy)},
		{&workv1alpha1.Work{}, workv1alpha1.SchemeGroupVersion.WithKind(workv1alpha1.KindWork)},
		{&workv1alpha2.ResourceBinding{}, workv1alpha2.SchemeGroupVersion.WithKind(workv1alpha2.KindResourceBinding)},
		{&clusterv1alpha1.Cluster{}, clusterv1alpha1.SchemeGroupVersion.WithKind(clusterv1alpha1.KindCluster)},
		{&routev1.Route{}, routev1.GroupVersion.WithKind("Route")},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			gvks, _, err := s.ObjectKinds(tt.obj)
			if err != nil {
				t.Fatal(err)
			}
			if len(gvks) != 1 || gvks[0] != tt.want {
				t.Errorf("ObjectKinds(%T) = %v, want %v", tt.obj, gvks, tt.want)
			}
		})
	}
}

// TestDecodeSamples decodes the API packages' sample manifests through the
// scheme's deserializer into the expected Go types.
func TestDecodeSamples(t *testing.T) {
	decoder := serializer.NewCodecFactory(newScheme(t)).UniversalDeserializer()
	tests := []struct {
		file string
		want runtime.Object
	}{
		{"../mtc/v1alpha1/testdata/migplan.yaml", &mtcv1alpha1.MigPlan{}},
		{"../mtc/v1alpha1/testdata/migmigration.yaml", &mtcv1alpha1.MigMigration{}},
		{"../mtc/v1alpha1/testdata/directvolumemigration.yaml", &mtcv1alpha1.DirectVolumeMigration{}},
		{"../karmada/testdata/propagationpolicy.yaml", &policyv1alpha1.PropagationPolicy{}},
		{"../karmada/testdata/resourcebinding.yaml", &workv1alpha2.ResourceBinding{}},
		{"../karmada/testdata/work.yaml", &workv1alpha1.Work{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			obj, _, err := decoder.Decode(data, nil, nil)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if reflect.TypeOf(obj) != reflect.TypeOf(tt.want) {
				t.Errorf("decoded %T, want %T", obj, tt.want)
			}
		})
	}
}

func TestNewReturnsIndependentSchemes(t *testing.T) {
	a, b := newScheme(t), newScheme(t)
	if a == b {
		t.Fatal("New() must return a fresh scheme")
	}
	a.AddKnownTypeWithName(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Thing"}, &corev1.Pod{})
	if b.Recognizes(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Thing"}) {
		t.Error("schemes share state")
	}
}
