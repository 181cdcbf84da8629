package logs

import (
	"fmt"
	"slices"
	"strings"
)

// Component is the MTC part a container belongs to.
type Component string

// Components whose logs the engine streams.
const (
	// Controller is mig-controller (containers mtc and discovery).
	Controller Component = "controller"
	// Velero is the Velero server.
	Velero Component = "velero"
	// Restic is the restic DaemonSet, called node-agent since OADP 1.2.
	Restic Component = "restic"
	// Rsync is every container of a DVM transfer pod but stunnel.
	Rsync Component = "rsync"
	// Stunnel is the stunnel container of a DVM transfer pod.
	Stunnel Component = "stunnel"
	// Registry is the plan's migration registry (indirect image migration).
	Registry Component = "registry"
	// Hooks are the pods of hook Jobs.
	Hooks Component = "hooks"
	// Stage are the stage pods of indirect volume migration.
	Stage Component = "stage"
)

// AllComponents lists every component in display order.
var AllComponents = []Component{Controller, Velero, Restic, Rsync, Stunnel, Registry, Hooks, Stage}

// filtered reports whether the component's pods serve every migration, so
// that only the lines naming ours are kept. The others' pods exist for one
// migration (or plan) and are shown whole.
func (c Component) filtered() bool {
	return c == Controller || c == Velero || c == Restic
}

// ComponentSet selects components; the empty set selects all of them.
type ComponentSet map[Component]bool

// Has reports whether c is selected.
func (s ComponentSet) Has(c Component) bool { return len(s) == 0 || s[c] }

// ParseComponents reads names such as "controller,velero" (repeated or comma
// separated). "node-agent" is accepted for restic, "hook" for hooks.
func ParseComponents(values []string) (ComponentSet, error) {
	set := ComponentSet{}
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			c, ok := componentAliases[name]
			if !ok {
				return nil, fmt.Errorf("unknown component %q: want one of %s", name, ComponentNames())
			}
			set[c] = true
		}
	}
	return set, nil
}

var componentAliases = map[string]Component{
	"controller": Controller, "mtc": Controller, "mig-controller": Controller,
	"velero": Velero,
	"restic": Restic, "node-agent": Restic,
	"rsync": Rsync, "stunnel": Stunnel,
	"registry": Registry,
	"hooks":    Hooks, "hook": Hooks,
	"stage": Stage,
}

// ComponentNames is the comma-separated list of component names.
func ComponentNames() string {
	names := make([]string, len(AllComponents))
	for i, c := range AllComponents {
		names[i] = string(c)
	}
	return strings.Join(names, ",")
}

// needs reports whether any of the given components is selected.
func (s ComponentSet) needs(cs ...Component) bool {
	return slices.ContainsFunc(cs, s.Has)
}
