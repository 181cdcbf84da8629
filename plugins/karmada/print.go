package karmada

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"

	engine "github.com/kubectl-mig/kubectl-mig/engine/karmada"
)

// printObjects writes objs as kubectl does for several objects: one v1
// List, in YAML or JSON.
func printObjects(w io.Writer, format string, objs []*unstructured.Unstructured) error {
	items := make([]any, 0, len(objs))
	for _, o := range objs {
		items = append(items, o.Object)
	}
	return printData(w, format, map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
}

// printData writes any value as YAML or JSON.
func printData(w io.Writer, format string, v any) error {
	var data []byte
	var err error
	if format == "json" {
		data, err = json.MarshalIndent(v, "", "    ")
		data = append(data, '\n')
	} else {
		data, err = yaml.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	_, err = w.Write(data)
	return err
}

// table writes aligned columns (kubectl's tab writer).
type table struct {
	w    io.Writer
	rows [][]string
}

func newTable(w io.Writer, header ...string) *table {
	return &table{w: w, rows: [][]string{header}}
}

func (t *table) add(cols ...string) { t.rows = append(t.rows, cols) }

func (t *table) flush() error {
	tw := printers.GetNewTabWriter(t.w)
	for _, r := range t.rows {
		for i, c := range r {
			if c == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func trueFalse(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// printFollowTable is the table of migrate --wait: one row per object.
func printFollowTable(w io.Writer, r *engine.FollowReport) error {
	t := newTable(w, "OBJECT", "TEMPLATE", "BINDING", "SCHEDULED", "APPLIED", "ADOPTED", "PODS-UNCHANGED", "MESSAGE")
	for _, s := range r.Resources {
		pods := ""
		if s.Pods != nil {
			pods = yesNo(s.Pods.Unchanged)
			if s.Pods.Unchanged {
				pods += fmt.Sprintf(" (%d)", s.Pods.Pods)
			} else if s.Message == "" {
				s.Message = s.Pods.Detail
			} else {
				s.Message = s.Pods.Detail + "; " + s.Message
			}
		}
		t.add(s.Ref.String(), s.Template, s.Binding, trueFalse(s.Scheduled), trueFalse(s.FullyApplied && s.Applied),
			yesNo(s.Adopted), pods, s.Message)
	}
	return t.flush()
}
