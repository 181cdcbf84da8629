package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupName is the Karmada work API group.
const GroupName = "work.karmada.io"

// SchemeGroupVersion is work.karmada.io/v1alpha1.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1alpha1"}

// KindWork is the kind name of Work.
const KindWork = "Work"

// AddToScheme registers Work with s. ResourceBinding v1alpha1 is not
// registered: only v1alpha2 (the storage version) is used.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(SchemeGroupVersion, &Work{}, &WorkList{})
	metav1.AddToGroupVersion(s, SchemeGroupVersion)
	return nil
}
