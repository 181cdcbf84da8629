package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"
)

func TestMasked(t *testing.T) {
	s := New("openshift-config", "x", "migcluster", "src", map[string][]byte{"saToken": []byte("very-secret")})
	m := Masked(s)
	b, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "very-secret") || strings.Contains(string(b), "dmVyeS1zZWNyZXQ") {
		t.Fatalf("masked secret shows the value:\n%s", b)
	}
	if m.StringData["saToken"] != Redacted || m.Kind != "Secret" {
		t.Fatalf("masked = %+v", m)
	}
	if string(s.Data["saToken"]) != "very-secret" {
		t.Fatal("Masked changed the original")
	}
	if !Owned(s, "migcluster.src") || Owned(s, "migcluster.other") {
		t.Fatal("Owned")
	}
}

// TestApply uses a fake clientset: this is pure logic over create/get/patch.
func TestApply(t *testing.T) {
	ctx := context.Background()
	// NewSimpleClientset, not NewClientset: the latter builds a field
	// manager from the OpenAPI models, which takes seconds under -race.
	kc := fake.NewSimpleClientset()
	s := New("ns", "creds", "migstorage", "s3", map[string][]byte{"a": []byte("1"), "b": []byte("2")})
	steps := []struct {
		name      string
		data      map[string][]byte
		overwrite bool
		want      ApplyResult
		err       bool
	}{
		{"create", s.Data, false, Created, false},
		{"same data", s.Data, false, Unchanged, false},
		{"other data refused", map[string][]byte{"a": []byte("9")}, false, 0, true},
		{"other data replaced", map[string][]byte{"a": []byte("9")}, true, Updated, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			in := s.DeepCopy()
			in.Data = st.data
			got, err := Apply(ctx, kc, in, st.overwrite, false)
			if st.err {
				var ee *ErrExists
				if !errors.As(err, &ee) {
					t.Fatalf("err = %v, want ErrExists", err)
				}
				return
			}
			if err != nil || got != st.want {
				t.Fatalf("Apply = %v, %v; want %v", got, err, st.want)
			}
		})
	}
	cur, err := kc.CoreV1().Secrets("ns").Get(ctx, "creds", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(cur.Data["a"]) != "9" {
		t.Fatalf("data after overwrite = %v", cur.Data)
	}
	if err := Delete(ctx, kc, "ns", "creds", false); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, kc, "ns", "creds", false); err != nil {
		t.Fatalf("deleting a missing Secret must succeed: %v", err)
	}
}
