package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the Karmada cluster API group.
const GroupName = "cluster.karmada.io"

// SchemeGroupVersion is cluster.karmada.io/v1alpha1.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

// KindCluster is the kind name of Cluster.
const KindCluster = "Cluster"

// AddToScheme registers Cluster with s.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(SchemeGroupVersion, &Cluster{}, &ClusterList{})
	metav1.AddToGroupVersion(s, SchemeGroupVersion)
	return nil
}
