package v1alpha1

import (
	"reflect"
	"testing"
)

func TestParseNameMapping(t *testing.T) {
	tests := []struct {
		in      string
		want    NameMapping
		renamed bool
		wantErr bool
	}{
		{in: "shop", want: NameMapping{"shop", "shop"}},
		{in: "shop:shop-new", want: NameMapping{"shop", "shop-new"}, renamed: true},
		{in: "", wantErr: true},
		{in: ":dest", wantErr: true},
		{in: "src:", wantErr: true},
		{in: "a:b:c", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNameMapping(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got != tt.want || got.Renamed() != tt.renamed || got.String() != tt.in {
				t.Errorf("got %+v (renamed %v, %q)", got, got.Renamed(), got.String())
			}
		})
	}
}

func TestPlanNamespaceMappings(t *testing.T) {
	spec := MigPlanSpec{Namespaces: []string{"a", "b:c", "bad:"}}
	if _, err := spec.NamespaceMappings(); err == nil {
		t.Error("NamespaceMappings() accepted a malformed entry")
	}
	if got := spec.SourceNamespaces(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("SourceNamespaces() = %v", got)
	}
	if got := spec.DestinationNamespaces(); !reflect.DeepEqual(got, []string{"a", "c"}) {
		t.Errorf("DestinationNamespaces() = %v", got)
	}
	spec.Namespaces = spec.Namespaces[:2]
	got, err := spec.NamespaceMappings()
	if err != nil || !reflect.DeepEqual(got, []NameMapping{{"a", "a"}, {"b", "c"}}) {
		t.Errorf("NamespaceMappings() = %v, %v", got, err)
	}
}
