// Package kube holds the few generic helpers every engine package needs to
// read and change custom resources through the dynamic client: typed
// conversion, paginated LISTs, and patches that retry on conflict. MTC has no
// generated clientset, and a patch (never a PUT of a stale copy) is the only
// safe write on CRDs whose controller rewrites the whole object.
package kube

import (
	"context"
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
)

// PageSize is the LIST page size: large enough to keep round trips few,
// small enough that one page never weighs on the API server.
const PageSize = 500

// FromUnstructured converts u into a new T.
func FromUnstructured[T any](u *unstructured.Unstructured) (*T, error) {
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return nil, fmt.Errorf("decode %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return out, nil
}

// ToUnstructured converts a typed object into an Unstructured.
func ToUnstructured(obj any) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// Get reads one object and converts it to T.
func Get[T any](ctx context.Context, ri dynamic.ResourceInterface, name string) (*T, error) {
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return FromUnstructured[T](u)
}

// List reads every object matching opts, page by page, and converts each to T.
func List[T any](ctx context.Context, ri dynamic.ResourceInterface, opts metav1.ListOptions) ([]T, error) {
	var out []T
	err := EachPage(ctx, ri, opts, func(items []unstructured.Unstructured) error {
		for i := range items {
			obj, err := FromUnstructured[T](&items[i])
			if err != nil {
				return err
			}
			out = append(out, *obj)
		}
		return nil
	})
	return out, err
}

// EachPage calls fn with every page of a paginated LIST, so callers that
// stream (gather) never hold the whole list.
func EachPage(ctx context.Context, ri dynamic.ResourceInterface, opts metav1.ListOptions, fn func([]unstructured.Unstructured) error) error {
	if opts.Limit == 0 {
		opts.Limit = PageSize
	}
	for {
		page, err := ri.List(ctx, opts)
		if err != nil {
			return err
		}
		if err := fn(page.Items); err != nil {
			return err
		}
		opts.Continue = page.GetContinue()
		if opts.Continue == "" {
			return nil
		}
	}
}

// Names returns the sorted names of the objects matching opts, without
// decoding them into Go types (shell completion lists whole kinds often).
func Names(ctx context.Context, ri dynamic.ResourceInterface, opts metav1.ListOptions) ([]string, error) {
	var out []string
	err := EachPage(ctx, ri, opts, func(items []unstructured.Unstructured) error {
		for i := range items {
			out = append(out, items[i].GetName())
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
