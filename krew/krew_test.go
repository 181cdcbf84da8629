package krew

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func validManifest() *Manifest {
	return &Manifest{APIVersion: APIVersion, Kind: Kind, Metadata: Metadata{Name: "mig"},
		Spec: Spec{Version: "v0.1.0", ShortDescription: "Run MTC migrations", Description: "x",
			Platforms: []Platform{
				{Selector: &Selector{MatchLabels: map[string]string{"os": "linux", "arch": "amd64"}}, URI: "https://e/x.tar.gz", SHA256: sum, Bin: "kubectl-mig"},
				{Selector: &Selector{MatchLabels: map[string]string{"os": "windows", "arch": "amd64"}}, URI: "https://e/y.tar.gz", SHA256: sum, Bin: "kubectl-mig.exe"},
			}}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Manifest)
		want   string
	}{
		{"valid", func(*Manifest) {}, ""},
		{"bad name", func(m *Manifest) { m.Metadata.Name = "mig!" }, "must match"},
		{"reserved name", func(m *Manifest) { m.Metadata.Name = "COM1" }, "reserved"},
		{"api version", func(m *Manifest) { m.APIVersion = "v1" }, "apiVersion"},
		{"kind", func(m *Manifest) { m.Kind = "Tool" }, "kind"},
		{"short description empty", func(m *Manifest) { m.Spec.ShortDescription = "" }, "shortDescription"},
		{"short description two lines", func(m *Manifest) { m.Spec.ShortDescription = "a\nb" }, "shortDescription"},
		{"version without v", func(m *Manifest) { m.Spec.Version = "0.1.0" }, `start with "v"`},
		{"version not semver", func(m *Manifest) { m.Spec.Version = "v1.x" }, "not semver"},
		{"no platforms", func(m *Manifest) { m.Spec.Platforms = nil }, "at least one platform"},
		{"no uri", func(m *Manifest) { m.Spec.Platforms[0].URI = "" }, "uri must be set"},
		{"bad sha", func(m *Manifest) { m.Spec.Platforms[0].SHA256 = strings.ToUpper(sum) }, "64 lowercase hex"},
		{"no bin", func(m *Manifest) { m.Spec.Platforms[0].Bin = "" }, "bin must be set"},
		{"empty files", func(m *Manifest) { m.Spec.Platforms[0].Files = []FileRule{} }, "files must be omitted or non-empty"},
		{"file without to", func(m *Manifest) { m.Spec.Platforms[0].Files = []FileRule{{From: "x"}} }, "both from and to"},
		{"no selector", func(m *Manifest) { m.Spec.Platforms[0].Selector = nil }, "selector must be set"},
		{"foreign key", func(m *Manifest) { m.Spec.Platforms[0].Selector.MatchLabels["distro"] = "x" }, "only use the keys"},
		{"unsupported platform", func(m *Manifest) { m.Spec.Platforms[0].Selector.MatchLabels["arch"] = "s390x" }, "matches no platform"},
		{"overlap", func(m *Manifest) {
			m.Spec.Platforms[1].Selector = &Selector{MatchExpressions: []Requirement{{Key: "os", Operator: "In", Values: []string{"linux"}}}}
		}, "both select linux/amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validManifest()
			tt.mutate(m)
			err := Validate(m)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestRenderedTemplateIsValid(t *testing.T) {
	var rel []Release
	for _, p := range []OSArch{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"}} {
		bin := "kubectl-mig"
		if p.OS == "windows" {
			bin += ".exe"
		}
		rel = append(rel, Release{OS: p.OS, Arch: p.Arch, URI: "https://example.com/" + p.String() + ".tar.gz", SHA256: sum, Bin: bin})
	}
	data, err := Render("v1.2.3", rel)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := ValidateFile(filepath.Join(dir, "mig.yaml"), data)
	if err != nil {
		t.Fatalf("rendered manifest is invalid: %v\n%s", err, data)
	}
	if len(m.Spec.Platforms) != 6 || len(m.Spec.ShortDescription) > 50 {
		t.Fatalf("platforms = %d, shortDescription %d chars", len(m.Spec.Platforms), len(m.Spec.ShortDescription))
	}
	for _, line := range strings.Split(m.Spec.Description, "\n") {
		if len(line) > 80 {
			t.Errorf("description line over 80 columns: %q", line)
		}
	}
	if _, err := ValidateFile(filepath.Join(dir, "other.yaml"), data); err == nil || !strings.Contains(err.Error(), "file name") {
		t.Fatalf("a manifest whose name differs from its file must be refused, got %v", err)
	}
}

// writeArchive builds a .tar.gz with the given files and returns its sha256.
func writeArchive(t *testing.T, path string, files map[string]string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	gz := gzip.NewWriter(io2(f, h))
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestInstall(t *testing.T) {
	rules := []FileRule{{From: "kubectl-mig", To: "."}, {From: "LICENSE", To: "."}}
	tests := []struct {
		name    string
		files   map[string]string
		badSum  bool
		wantErr string
	}{
		{"ok", map[string]string{"kubectl-mig": "bin", "LICENSE": "Apache", "extra": "x"}, false, ""},
		{"sha mismatch", map[string]string{"kubectl-mig": "bin", "LICENSE": "x"}, true, "sha256"},
		{"bin missing", map[string]string{"LICENSE": "x"}, false, "matches nothing"},
		{"traversal stays inside", map[string]string{"../../kubectl-mig": "bin", "LICENSE": "x"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			archive := filepath.Join(dir, "a.tar.gz")
			s := writeArchive(t, archive, tt.files)
			if tt.badSum {
				s = sum
			}
			p := Platform{SHA256: s, Bin: "kubectl-mig", Files: rules}
			got, err := Install(p, archive, filepath.Join(dir, "work"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, filepath.Join(dir, "work")) {
				t.Fatalf("installed outside the work dir: %s", got)
			}
			if _, err := os.Stat(filepath.Join(got, "extra")); err == nil {
				t.Fatal("a file no rule names was installed")
			}
		})
	}
	t.Run("licence required", func(t *testing.T) {
		dir := t.TempDir()
		archive := filepath.Join(dir, "a.tar.gz")
		s := writeArchive(t, archive, map[string]string{"kubectl-mig": "bin", "README": "x"})
		_, err := Install(Platform{SHA256: s, Bin: "kubectl-mig", Files: []FileRule{{From: "*", To: "."}}}, archive, filepath.Join(dir, "w"))
		if err == nil || !strings.Contains(err.Error(), "LICENSE") {
			t.Fatalf("err = %v, want a missing licence error", err)
		}
	})
}
