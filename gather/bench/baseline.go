package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// baselineKinds are what the baseline fetches per namespace.
var baselineKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "pods"}, {Version: "v1", Resource: "services"}, {Version: "v1", Resource: "configmaps"},
	{Version: "v1", Resource: "events"}, {Version: "v1", Resource: "persistentvolumeclaims"},
	{Group: "apps", Version: "v1", Resource: "deployments"}, {Group: "apps", Version: "v1", Resource: "replicasets"},
}

// runBaseline is the naive gatherer: one request per object, one at a time
// (a LIST for the names, then a GET per object and per container log), each
// answer read whole before it is written -- the pattern of the shell
// must-gather scripts without their process per request.
func runBaseline(kubeconfig, out string, namespaces []string, since time.Duration) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 1000, 1000
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var st *metav1.Time
	if since > 0 {
		t := metav1.NewTime(time.Now().Add(-since))
		st = &t
	}
	for _, ns := range namespaces {
		dir := filepath.Join(out, ns)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		for _, gvr := range baselineKinds {
			list, err := dc.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for _, item := range list.Items {
				obj, err := dc.Resource(gvr).Namespace(ns).Get(ctx, item.GetName(), metav1.GetOptions{})
				if err != nil {
					return err
				}
				b, err := yaml.Marshal(obj.Object)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, gvr.Resource+"-"+item.GetName()+".yaml"), b, 0o600); err != nil {
					return err
				}
				if gvr.Resource != "pods" {
					continue
				}
				if err := baselineLogs(ctx, kc, ns, item.GetName(), dir, st); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func baselineLogs(ctx context.Context, kc kubernetes.Interface, ns, name, dir string, since *metav1.Time) error {
	pod, err := kc.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, c := range pod.Spec.Containers {
		rc, err := kc.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: c.Name, Timestamps: true, SinceTime: since}).Stream(ctx)
		if err != nil {
			return fmt.Errorf("log %s/%s/%s: %w", ns, name, c.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+c.Name+".log"), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
