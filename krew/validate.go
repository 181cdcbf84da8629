package krew

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/version"
)

// The values krew accepts (krew v0.4.5, pkg/constants and validation).
const (
	APIVersion = "krew.googlecontainertools.github.com/v1alpha2"
	Kind       = "Plugin"
)

var (
	nameRE   = regexp.MustCompile(`^[\w-]+$`)
	sha256RE = regexp.MustCompile(`^[a-f0-9]{64}$`)
	// Windows reserved file names, rejected as plugin names.
	reservedNames = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true,
		"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
		"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true}
)

// SupportedPlatforms is krew's built-in list of os/arch pairs a selector
// must match at least one of.
var SupportedPlatforms = []OSArch{
	{"windows", "386"}, {"windows", "amd64"}, {"windows", "arm64"},
	{"linux", "386"}, {"linux", "amd64"}, {"linux", "arm"}, {"linux", "arm64"}, {"linux", "ppc64le"},
	{"darwin", "386"}, {"darwin", "amd64"}, {"darwin", "arm64"},
}

// OSArch is one platform.
type OSArch struct{ OS, Arch string }

func (p OSArch) String() string { return p.OS + "/" + p.Arch }

// ValidateFile applies every rule krew's validate-krew-manifest applies to
// the manifest at path before it installs anything: the file name, then the
// manifest itself.
func ValidateFile(path string, data []byte) (*Manifest, error) {
	if filepath.Ext(path) != ".yaml" {
		return nil, fmt.Errorf("%s: a krew manifest must have the .yaml extension", path)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".yaml"); m.Metadata.Name != want {
		return nil, fmt.Errorf("%s: metadata.name %q must equal the file name %q", path, m.Metadata.Name, want)
	}
	if err := Validate(m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Validate checks the manifest rules of krew's validation package.
func Validate(m *Manifest) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !nameRE.MatchString(m.Metadata.Name) {
		add("metadata.name %q must match %s", m.Metadata.Name, nameRE)
	}
	if reservedNames[strings.ToLower(m.Metadata.Name)] {
		add("metadata.name %q is a reserved name on Windows", m.Metadata.Name)
	}
	if m.APIVersion != APIVersion {
		add("apiVersion %q must be %q", m.APIVersion, APIVersion)
	}
	if m.Kind != Kind {
		add("kind %q must be %q", m.Kind, Kind)
	}
	if m.Spec.ShortDescription == "" || strings.ContainsAny(m.Spec.ShortDescription, "\r\n") {
		add("spec.shortDescription must be set and on one line")
	}
	if err := validateVersion(m.Spec.Version); err != nil {
		errs = append(errs, err)
	}
	if len(m.Spec.Platforms) == 0 {
		add("spec.platforms must list at least one platform")
	}
	for i, p := range m.Spec.Platforms {
		if err := validatePlatform(p); err != nil {
			add("spec.platforms[%d]: %w", i, err)
		}
	}
	if err := checkOverlap(m.Spec.Platforms); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validateVersion(v string) error {
	if !strings.HasPrefix(v, "v") {
		return fmt.Errorf("spec.version %q must start with \"v\"", v)
	}
	if _, err := version.ParseSemantic(v); err != nil {
		return fmt.Errorf("spec.version %q is not semver: %w", v, err)
	}
	return nil
}

func validatePlatform(p Platform) error {
	var errs []error
	if p.URI == "" {
		errs = append(errs, errors.New("uri must be set"))
	}
	if !sha256RE.MatchString(p.SHA256) {
		errs = append(errs, fmt.Errorf("sha256 %q must be 64 lowercase hex digits", p.SHA256))
	}
	if p.Bin == "" {
		errs = append(errs, errors.New("bin must be set"))
	}
	if p.Files != nil && len(p.Files) == 0 {
		errs = append(errs, errors.New("files must be omitted or non-empty"))
	}
	for j, f := range p.Files {
		if f.From == "" || f.To == "" {
			errs = append(errs, fmt.Errorf("files[%d] needs both from and to", j))
		}
	}
	if err := validateSelector(p.Selector); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validateSelector(s *Selector) error {
	if s == nil || (len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0) {
		return errors.New("selector must be set and non-empty")
	}
	if s.MatchLabels != nil && len(s.MatchLabels) == 0 {
		return errors.New("selector.matchLabels must not be empty when given")
	}
	for k := range s.MatchLabels {
		if k != "os" && k != "arch" {
			return fmt.Errorf("selector may only use the keys os and arch, not %q", k)
		}
	}
	for _, r := range s.MatchExpressions {
		if r.Key != "os" && r.Key != "arch" {
			return fmt.Errorf("selector may only use the keys os and arch, not %q", r.Key)
		}
	}
	matched := Matches(s)
	if len(matched) == 0 {
		return errors.New("selector matches no platform krew supports")
	}
	return nil
}

// Matches returns the supported platforms the selector selects.
func Matches(s *Selector) []OSArch {
	if s == nil {
		return nil
	}
	ls := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator), Values: r.Values})
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return nil
	}
	var out []OSArch
	for _, p := range SupportedPlatforms {
		if sel.Matches(labels.Set{"os": p.OS, "arch": p.Arch}) {
			out = append(out, p)
		}
	}
	return out
}

// checkOverlap refuses two platform entries that select the same os/arch:
// krew would pick one arbitrarily.
func checkOverlap(ps []Platform) error {
	seen := map[OSArch]int{}
	for i, p := range ps {
		for _, pl := range Matches(p.Selector) {
			if j, dup := seen[pl]; dup {
				return fmt.Errorf("spec.platforms[%d] and [%d] both select %s", j, i, pl)
			}
			seen[pl] = i
		}
	}
	return nil
}
