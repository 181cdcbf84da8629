// Package buildinfo reports which build of kubectl-mig is running. The values
// are stamped by the linker (see the Makefile's LDFLAGS); a plain `go build`
// falls back to the module version recorded by the Go toolchain.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Stamped by -ldflags "-X github.com/kubectl-mig/kubectl-mig/engine/buildinfo.version=...".
var (
	version = ""
	commit  = ""
)

// Info is what `kubectl mig version` prints and what bundles record.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build information of the running binary.
func Get() Info {
	info := Info{Version: version, Commit: commit, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && info.Commit == "" {
				info.Commit = s.Value
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	return info
}
