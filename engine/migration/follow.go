package migration

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
)

// ErrTimeout is returned by Follow when ctx's deadline passes first; the
// migration goes on running.
var ErrTimeout = errors.New("timed out waiting for the migration to finish")

// ErrDeleted is returned by Follow when the migration is deleted meanwhile.
var ErrDeleted = errors.New("the migration was deleted while being followed")

// Follow watches the MigMigration until it is Done (completed, or blocked
// for good) and calls onUpdate for every change, starting with its current
// state. It returns the last Progress; on a deadline it returns ErrTimeout
// together with the last Progress seen. Canceling ctx stops following, not
// the migration.
func Follow(ctx context.Context, host dynamic.Interface, ns, name string, onUpdate func(Update)) (Progress, error) {
	ri := host.Resource(kube.MigMigrations).Namespace(ns)
	m, err := kube.Get[mtc.MigMigration](ctx, ri, name)
	if err != nil {
		return Progress{}, fmt.Errorf("read MigMigration %s/%s on the host cluster: %w", ns, name, err)
	}
	f := &follower{onUpdate: onUpdate}
	if f.observe(m) {
		return *f.last, nil
	}
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return ri.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return ri.Watch(ctx, o)
		},
	}
	_, err = watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, nil, func(ev watch.Event) (bool, error) {
		switch ev.Type {
		case watch.Deleted:
			return false, fmt.Errorf("MigMigration %s/%s: %w", ns, name, ErrDeleted)
		case watch.Error:
			return false, apierrors.FromObject(ev.Object)
		}
		u, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		m, err := kube.FromUnstructured[mtc.MigMigration](u)
		if err != nil {
			return false, err
		}
		return f.observe(m), nil
	})
	last := *f.last
	switch {
	case err == nil:
		return last, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return last, fmt.Errorf("MigMigration %s/%s: %w (last phase %q)", ns, name, ErrTimeout, last.Phase)
	case ctx.Err() != nil:
		return last, ctx.Err()
	}
	return last, err
}

type follower struct {
	onUpdate func(Update)
	last     *Progress
}

// observe reports m's change and whether following is over.
func (f *follower) observe(m *mtc.MigMigration) bool {
	cur := Snapshot(m)
	u := diff(f.last, cur)
	f.last = &cur
	if f.onUpdate != nil && !u.Empty() {
		f.onUpdate(u)
	}
	return cur.Done()
}
