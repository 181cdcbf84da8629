package v1alpha1

import (
	"fmt"
	"strings"
)

// NameMapping is a source name and the name it gets on the destination, as
// written in MigPlan spec.namespaces ("src" or "src:dest") and in
// spec.persistentVolumes[].pvc.name.
type NameMapping struct {
	Source      string
	Destination string
}

// String renders the mapping in MTC's syntax: "src" when both names are equal,
// else "src:dest".
func (m NameMapping) String() string {
	if m.Source == m.Destination {
		return m.Source
	}
	return m.Source + ":" + m.Destination
}

// Renamed reports whether the destination name differs from the source.
func (m NameMapping) Renamed() bool {
	return m.Source != m.Destination
}

// ParseNameMapping parses "src" or "src:dest". An empty side or more than one
// colon is an error, because MTC would silently mis-map such an entry.
func ParseNameMapping(entry string) (NameMapping, error) {
	parts := strings.Split(entry, ":")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return NameMapping{Source: parts[0], Destination: parts[0]}, nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return NameMapping{Source: parts[0], Destination: parts[1]}, nil
	}
	return NameMapping{}, fmt.Errorf("invalid mapping %q: want \"name\" or \"source:destination\"", entry)
}

// NamespaceMappings parses every spec.namespaces entry of the plan. The error
// names the first malformed entry.
func (s *MigPlanSpec) NamespaceMappings() ([]NameMapping, error) {
	out := make([]NameMapping, 0, len(s.Namespaces))
	for _, e := range s.Namespaces {
		m, err := ParseNameMapping(e)
		if err != nil {
			return nil, fmt.Errorf("spec.namespaces: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

// SourceNamespaces returns the source side of every spec.namespaces entry,
// skipping malformed ones (see NamespaceMappings to report them).
func (s *MigPlanSpec) SourceNamespaces() []string {
	return s.namespaceSide(func(m NameMapping) string { return m.Source })
}

// DestinationNamespaces returns the destination side of every
// spec.namespaces entry, skipping malformed ones.
func (s *MigPlanSpec) DestinationNamespaces() []string {
	return s.namespaceSide(func(m NameMapping) string { return m.Destination })
}

func (s *MigPlanSpec) namespaceSide(side func(NameMapping) string) []string {
	out := make([]string, 0, len(s.Namespaces))
	for _, e := range s.Namespaces {
		if m, err := ParseNameMapping(e); err == nil {
			out = append(out, side(m))
		}
	}
	return out
}

// NameMapping parses the PVC's "src" or "src:dest" name.
func (p PVC) NameMapping() (NameMapping, error) {
	return ParseNameMapping(p.Name)
}
