// Package krew renders and checks the krew plugin manifest of kubectl-mig.
// krew's own validator (sigs.k8s.io/krew) cannot be fetched here, so the
// rules it applies are restated in Validate and the install it performs is
// replayed by Install; both follow krew v0.4.5's validate-krew-manifest.
package krew

import (
	"bytes"
	_ "embed" // the manifest template
	"fmt"
	"text/template"

	"sigs.k8s.io/yaml"
)

//go:embed mig.yaml.tmpl
var manifestTemplate string

// Manifest is the subset of krew's Plugin object that krew validates.
type Manifest struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata holds the plugin name.
type Metadata struct {
	Name string `json:"name"`
}

// Spec is the plugin spec.
type Spec struct {
	Version          string     `json:"version"`
	Homepage         string     `json:"homepage,omitempty"`
	ShortDescription string     `json:"shortDescription"`
	Description      string     `json:"description"`
	Caveats          string     `json:"caveats,omitempty"`
	Platforms        []Platform `json:"platforms"`
}

// Platform is one os/arch build.
type Platform struct {
	Selector *Selector  `json:"selector"`
	URI      string     `json:"uri"`
	SHA256   string     `json:"sha256"`
	Files    []FileRule `json:"files,omitempty"`
	Bin      string     `json:"bin"`
}

// Selector is a label selector over os and arch.
type Selector struct {
	MatchLabels      map[string]string `json:"matchLabels,omitempty"`
	MatchExpressions []Requirement     `json:"matchExpressions,omitempty"`
}

// Requirement is a matchExpressions entry.
type Requirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// FileRule copies files matching From (a glob) into To.
type FileRule struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Release describes one built archive, the input of Render.
type Release struct {
	OS, Arch, URI, SHA256, Bin string
}

// Render fills the manifest template for version with the given archives.
func Render(version string, platforms []Release) ([]byte, error) {
	tmpl, err := template.New("mig.yaml").Option("missingkey=error").Parse(manifestTemplate)
	if err != nil {
		return nil, fmt.Errorf("parse manifest template: %w", err)
	}
	var b bytes.Buffer
	data := struct {
		Version   string
		Platforms []Release
	}{version, platforms}
	if err := tmpl.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render manifest: %w", err)
	}
	return b.Bytes(), nil
}

// Parse decodes a manifest strictly: a misspelt field is an error, as it is
// for krew.
func Parse(data []byte) (*Manifest, error) {
	var m Manifest
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		return nil, fmt.Errorf("decode krew manifest: %w", err)
	}
	return &m, nil
}
