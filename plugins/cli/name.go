package cli

import (
	"os"
	"path/filepath"
	"strings"
)

// Parent returns the name of the CLI that started us: "oc" when run as an oc
// plugin, otherwise "kubectl". kubectl (and oc, which embeds it) exports
// KUBECTL_PATH to the plugins it execs, so its base name tells them apart.
func Parent(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	base := strings.ToLower(filepath.Base(getenv("KUBECTL_PATH")))
	base = strings.TrimSuffix(base, ".exe")
	if base == "oc" {
		return "oc"
	}
	return "kubectl"
}

// DisplayName is the command line users type to reach us, e.g. "oc mig".
func DisplayName(getenv func(string) string) string {
	return Parent(getenv) + " mig"
}
