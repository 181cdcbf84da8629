package hooks

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

const playbook = `- hosts: localhost
  gather_facts: false
  tasks:
  - name: flush
    shell: echo flushed
`

func TestValidImage(t *testing.T) {
	for ref, ok := range map[string]bool{
		"quay.io/konveyor/hook-runner:latest":                                  true,
		"registry.example.com:5000/team/img@sha256:" + strings.Repeat("a", 64): true,
		"busybox":                 true,
		"localhost/x_y__z-w:1.0":  true,
		"Quay.io/Org/Image":       false,
		"bad image":               false,
		"img:":                    false,
		"":                        false,
		"quay.io/org/img:tag@sha": false,
	} {
		if got := ValidImage(ref); got != ok {
			t.Errorf("ValidImage(%q) = %v, want %v", ref, got, ok)
		}
	}
}

func TestCheckPlaybook(t *testing.T) {
	tests := []struct{ name, in, err string }{
		{"play", playbook, ""},
		{"import", "- import_playbook: other.yml\n", ""},
		{"not a list", "hosts: localhost\n", "not a YAML list of plays"},
		{"empty list", "[]\n", "no play"},
		{"no hosts", "- tasks: []\n", "play 1 has no hosts"},
		{"garbage", "- [unclosed\n", "not a YAML list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPlaybook([]byte(tt.in))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestValidateAndBuild(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"ansible", Spec{Name: "h", Playbook: []byte(playbook), Target: "source"}, nil},
		{"custom", Spec{Name: "h", Image: "quay.io/x/y:1", Custom: true, Target: "destination"}, nil},
		{"bad target", Spec{Name: "h", Playbook: []byte(playbook), Target: "both"}, []string{`--target "both"`}},
		{"custom with playbook", Spec{Name: "h", Image: "quay.io/x/y:1", Custom: true, Playbook: []byte(playbook), Target: "source"},
			[]string{"InvalidCustomHook"}},
		{"custom without image", Spec{Name: "h", Custom: true, Target: "source"}, []string{"--custom needs --image"}},
		{"nothing to run", Spec{Name: "h", Target: "source", Image: "x"}, []string{"InvalidAnsibleHook"}},
		{"bad image", Spec{Name: "h", Image: "Not Valid", Custom: true, Target: "source"}, []string{"InvalidImage"}},
		{"bad playbook", Spec{Name: "h", Playbook: []byte("x: y"), Target: "source"}, []string{"--playbook"}},
		{"tiny deadline", Spec{Name: "h", Playbook: []byte(playbook), Target: "source", ActiveDeadline: time.Millisecond}, []string{"at least 1s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec.WithDefaults()
			err := s.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want %v", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	h := Build(Spec{Name: "h", Namespace: "openshift-migration", Playbook: []byte(playbook), Target: "source", ActiveDeadline: 10 * time.Minute}.WithDefaults())
	if h.Spec.Custom || h.Spec.Image != DefaultRunnerImage || h.Spec.ActiveDeadlineSeconds != 600 || h.Spec.TargetCluster != "source" {
		t.Fatalf("spec = %+v", h.Spec)
	}
	if dec, _ := base64.StdEncoding.DecodeString(h.Spec.Playbook); string(dec) != playbook {
		t.Fatalf("playbook not base64 of the file: %q", h.Spec.Playbook)
	}
	if PlaybookText(h) != strings.TrimRight(playbook, "\n") || Type(h) != "ansible" {
		t.Fatal("PlaybookText/Type")
	}
}
