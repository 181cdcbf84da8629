// Package apitest holds test helpers shared by the engine/api packages: strict
// decoding of sample manifests into typed structs and a loss check on the way
// back to JSON.
package apitest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ReadJSON reads a YAML or JSON test file and returns it as JSON.
func ReadJSON(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("convert %s to JSON: %v", path, err)
	}
	return js
}

// Kind returns the "kind" of a JSON object.
func Kind(t testing.TB, js []byte) string {
	t.Helper()
	var tm struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(js, &tm); err != nil {
		t.Fatalf("read kind: %v", err)
	}
	return tm.Kind
}

// RoundTrip decodes js strictly into obj (unknown or duplicate fields and
// case-mismatched keys are errors), encodes obj again and fails the test for
// every value of js that is missing or different in the output. It also
// checks that DeepCopyObject yields an equal, independent copy.
func RoundTrip(t testing.TB, js []byte, obj runtime.Object) {
	t.Helper()
	strictErrs, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	if err != nil {
		t.Fatalf("decode into %T: %v", obj, err)
	}
	for _, e := range strictErrs {
		t.Errorf("strict decode into %T: %v", obj, e)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("encode %T: %v", obj, err)
	}
	var in, back any
	if err := json.Unmarshal(js, &in); err != nil {
		t.Fatalf("parse input: %v", err)
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("parse output: %v", err)
	}
	for _, d := range Lost("", in, back) {
		t.Errorf("%T lost %s", obj, d)
	}
	cp := obj.DeepCopyObject()
	if !reflect.DeepEqual(cp, obj) {
		t.Errorf("DeepCopyObject of %T differs from the original", obj)
	}
}

// Lost lists the paths of want whose values are missing from or different in
// got. Keys only in got (defaults, zero values) are not reported, nor are
// zero values in want that got omits. Lists must match
// element by element.
func Lost(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %v", orRoot(path), got)}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				if !isEmpty(w[k]) {
					out = append(out, fmt.Sprintf("%s.%s (=%v)", path, k, w[k]))
				}
				continue
			}
			out = append(out, Lost(path+"."+k, w[k], gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %v", orRoot(path), len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, Lost(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: want %v, got %v", orRoot(path), want, got)}
		}
		return nil
	}
}

// isEmpty reports whether v is a zero value (null, false, 0, "", empty list
// or object): values that "omitempty" legitimately drops without losing
// information. A misspelt field is caught by the strict decode instead.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func orRoot(path string) string {
	if path == "" {
		return "."
	}
	return path
}
