package scenario

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-mig/kubectl-mig/test/testenv"
)

// lookupUID implements the `uid` template function: objects the scenario
// created first, then the live cluster (objects the harness created, such as
// the MigClusters). kind is "Kind" or "Kind.group" to disambiguate.
func (l *loader) lookupUID(ctx context.Context, cluster, kind, namespace, name string) (string, error) {
	k, group, _ := strings.Cut(kind, ".")
	for _, o := range l.result.Objects {
		if o.Cluster == cluster && o.GVK.Kind == k && (group == "" || o.GVK.Group == group) &&
			o.Namespace == namespace && o.Name == name && o.UID != "" {
			return string(o.UID), nil
		}
	}
	c, ok := l.clusters[cluster]
	if !ok {
		return "", fmt.Errorf("uid: no cluster named %q", cluster)
	}
	mapping, err := findKind(c, k, group)
	if err != nil {
		return "", fmt.Errorf("uid %s %s %s/%s: %w", cluster, kind, namespace, name, err)
	}
	obj, err := resourceClient(c, mapping, namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", fmt.Errorf("uid %s %s %s/%s: %w", cluster, kind, namespace, name, errMissingRef)
	}
	if err != nil {
		return "", fmt.Errorf("uid %s %s %s/%s: %w", cluster, kind, namespace, name, err)
	}
	return string(obj.GetUID()), nil
}

// findKind maps a kind to its resource: the given group, else the core
// group, else the first served group that has the kind.
func findKind(c *testenv.Cluster, kind, group string) (*meta.RESTMapping, error) {
	mapper := c.RESTMapper()
	if group != "" {
		return mapper.RESTMapping(schema.GroupKind{Group: group, Kind: kind})
	}
	if m, err := mapper.RESTMapping(schema.GroupKind{Kind: kind}); err == nil {
		return m, nil
	}
	groups, err := c.Client().Discovery().ServerGroups()
	if err != nil {
		return nil, err
	}
	for _, g := range groups.Groups {
		if m, err := mapper.RESTMapping(schema.GroupKind{Group: g.Name, Kind: kind}); err == nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("kind %q is not served: %w", kind, errMissingRef)
}
