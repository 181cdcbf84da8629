package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MigAnalyticSpec selects what to analyze in a plan's namespaces.
type MigAnalyticSpec struct {
	MigPlanRef                *corev1.ObjectReference `json:"migPlanRef"`
	AnalyzePVCapacity         bool                    `json:"analyzePVCapacity"`
	AnalyzeImageCount         bool                    `json:"analyzeImageCount"`
	AnalyzeK8SResources       bool                    `json:"analyzeK8SResources"`
	ListImages                bool                    `json:"listImages,omitempty"`
	ListImagesLimit           int                     `json:"listImagesLimit,omitempty"`
	AnalyzeExtendedPVCapacity bool                    `json:"analyzeExtendedPVCapacity,omitempty"`
	Refresh                   bool                    `json:"refresh,omitempty"`
}

// MigAnalyticStatus is written by the controller.
type MigAnalyticStatus struct {
	Conditions         Conditions      `json:"conditions,omitempty"`
	ObservedGeneration int64           `json:"observedGeneration,omitempty"`
	Analytics          MigAnalyticPlan `json:"analytics,omitempty"`
}

// MigAnalyticPlan holds plan-wide totals. Note the json casing of the
// excluded/incompatible totals differs from the per-namespace ones (as in
// MTC).
type MigAnalyticPlan struct {
	Plan                         string                 `json:"plan"`
	PercentComplete              int                    `json:"percentComplete"`
	K8SResourceTotal             int                    `json:"k8sResourceTotal"`
	ExcludedK8SResourceTotal     int                    `json:"excludedk8sResourceTotal"`
	IncompatibleK8SResourceTotal int                    `json:"incompatiblek8sResourceTotal"`
	PVCapacity                   resource.Quantity      `json:"pvCapacity"`
	PVCount                      int                    `json:"pvCount"`
	ImageCount                   int                    `json:"imageCount"`
	ImageSizeTotal               resource.Quantity      `json:"imageSizeTotal"`
	Namespaces                   []MigAnalyticNamespace `json:"namespaces,omitempty"`
}

// MigAnalyticNamespace holds the totals of one namespace.
type MigAnalyticNamespace struct {
	Namespace                    string                             `json:"namespace"`
	K8SResourceTotal             int                                `json:"k8sResourceTotal"`
	ExcludedK8SResourceTotal     int                                `json:"excludedK8SResourceTotal"`
	IncompatibleK8SResourceTotal int                                `json:"incompatibleK8SResourceTotal"`
	PVCapacity                   resource.Quantity                  `json:"pvCapacity"`
	PVCount                      int                                `json:"pvCount"`
	ImageCount                   int                                `json:"imageCount"`
	ImageSizeTotal               resource.Quantity                  `json:"imageSizeTotal"`
	Images                       []MigAnalyticNSImage               `json:"images,omitempty"`
	K8SResources                 []MigAnalyticNSResource            `json:"k8sResources,omitempty"`
	PersistentVolumes            []MigAnalyticPersistentVolumeClaim `json:"persistentVolumes,omitempty"`
	ExcludedK8SResources         []MigAnalyticNSResource            `json:"excludedK8SResources,omitempty"`
	IncompatibleK8SResources     []MigAnalyticNSResource            `json:"incompatibleK8SResources,omitempty"`
}

// MigAnalyticNSResource counts objects of one GVK.
type MigAnalyticNSResource struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
}

// MigAnalyticNSImage is one image stream image.
type MigAnalyticNSImage struct {
	Name      string            `json:"name"`
	Reference string            `json:"reference"`
	Size      resource.Quantity `json:"size"`
}

// MigAnalyticPersistentVolumeClaim is the usage analysis of one PVC.
type MigAnalyticPersistentVolumeClaim struct {
	Name              string            `json:"name"`
	RequestedCapacity resource.Quantity `json:"requestedCapacity,omitempty"`
	ActualCapacity    resource.Quantity `json:"actualCapacity,omitempty"`
	UsagePercentage   int               `json:"usagePercentage,omitempty"`
	ProposedCapacity  resource.Quantity `json:"proposedCapacity,omitempty"`
	Comment           string            `json:"comment,omitempty"`
	SparseFilesFound  bool              `json:"sparseFilesFound,omitempty"`
}

// MigAnalytic collects resource, image and PV statistics for a plan.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=miganalytics,scope=Namespaced
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="Plan",type=string,JSONPath=".spec.migPlanRef.name"
// +kubebuilder:printcolumn:name="Progress",type=string,JSONPath=".status.analytics.percentComplete"
// +kubebuilder:printcolumn:name="Resources",type=string,JSONPath=".status.analytics.k8sResourceTotal"
// +kubebuilder:printcolumn:name="Images",type=string,JSONPath=".status.analytics.imageCount"
// +kubebuilder:printcolumn:name="ImageSize",type=string,JSONPath=".status.analytics.imageSizeTotal"
// +kubebuilder:printcolumn:name="PVs",type=string,JSONPath=".status.analytics.pvCount"
// +kubebuilder:printcolumn:name="PVCapacity",type=string,JSONPath=".status.analytics.pvCapacity"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type MigAnalytic struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   MigAnalyticSpec   `json:"spec,omitempty"`
	Status MigAnalyticStatus `json:"status,omitempty"`
}

// MigAnalyticList is a list of MigAnalytics.
//
// +kubebuilder:object:root=true
type MigAnalyticList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MigAnalytic `json:"items"`
}
