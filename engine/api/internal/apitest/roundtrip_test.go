package apitest

import (
	"encoding/json"
	"testing"
)

func TestLost(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		lost      int
	}{
		{"equal", `{"a":1,"b":[1,{"c":"x"}]}`, `{"a":1,"b":[1,{"c":"x"}]}`, 0},
		{"extra keys in output are fine", `{"a":1}`, `{"a":1,"z":0}`, 0},
		{"missing key", `{"a":1,"b":2}`, `{"a":1}`, 1},
		{"omitted zero values", `{"a":1,"b":[],"c":{},"d":null,"e":false,"f":0,"g":""}`, `{"a":1}`, 0},
		{"missing true is lost", `{"a":true}`, `{}`, 1},
		{"changed value", `{"a":{"b":"x"}}`, `{"a":{"b":"y"}}`, 1},
		{"shorter list", `{"a":[1,2]}`, `{"a":[1]}`, 1},
		{"type change", `{"a":{"b":1}}`, `{"a":"b"}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w, g any
			if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.got), &g); err != nil {
				t.Fatal(err)
			}
			if got := Lost("", w, g); len(got) != tt.lost {
				t.Errorf("Lost() = %v, want %d entries", got, tt.lost)
			}
		})
	}
}
