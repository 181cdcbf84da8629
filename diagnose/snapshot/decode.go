package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// decodeObjects reads every Kubernetes object of a YAML or JSON stream: one
// or many documents, each an object or a List (items inherit the list's
// apiVersion and kind when they lack their own, as some tools write them).
// Documents that are not objects are skipped.
func decodeObjects(r io.Reader) ([]*unstructured.Unstructured, []schema.GroupKind, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 64<<10)
	var out []*unstructured.Unstructured
	var lists []schema.GroupKind
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, lists, nil
		}
		if err != nil {
			return out, lists, fmt.Errorf("decode: %w", err)
		}
		// utiljson keeps integers as int64, as API clients see them.
		var doc map[string]any
		if err := utiljson.Unmarshal(raw, &doc); err != nil {
			continue // not an object (a scalar or a list document)
		}
		if gk, ok := typedList(doc); ok {
			lists = append(lists, gk)
		}
		out = appendObjects(out, doc)
	}
}

// typedList recognises "<Kind>List" documents: even empty, they say that
// kind was collected (and there is none of it).
func typedList(doc map[string]any) (schema.GroupKind, bool) {
	kind, _ := doc["kind"].(string)
	apiVersion, _ := doc["apiVersion"].(string)
	if kind == "List" || !strings.HasSuffix(kind, "List") {
		return schema.GroupKind{}, false
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return schema.GroupKind{}, false
	}
	return schema.GroupKind{Group: gv.Group, Kind: strings.TrimSuffix(kind, "List")}, true
}

func appendObjects(out []*unstructured.Unstructured, doc map[string]any) []*unstructured.Unstructured {
	if doc == nil {
		return out
	}
	apiVersion, _ := doc["apiVersion"].(string)
	kind, _ := doc["kind"].(string)
	if items, ok := doc["items"].([]any); ok && (strings.HasSuffix(kind, "List") || kind == "") {
		itemKind := strings.TrimSuffix(kind, "List")
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			if _, ok := m["apiVersion"]; !ok && apiVersion != "" {
				m["apiVersion"] = apiVersion
			}
			if _, ok := m["kind"]; !ok && itemKind != "" {
				m["kind"] = itemKind
			}
			out = appendObjects(out, m)
		}
		return out
	}
	if apiVersion == "" || kind == "" {
		return out
	}
	if _, ok := doc["metadata"].(map[string]any); !ok {
		return out
	}
	return append(out, &unstructured.Unstructured{Object: doc})
}
