package root

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// profileNames are the profiles --profile accepts, as kubectl's flag does.
var profileNames = []string{"none", "cpu", "heap", "allocs", "goroutine", "threadcreate", "block", "mutex"}

// profiler is kubectl's --profile / --profile-output pair: it lets a user
// (or `make bench`) see where a slow gather or diagnose spends its time.
type profiler struct {
	name, output string
	file         *os.File
}

func (p *profiler) addFlags(cmd *cobra.Command) {
	fs := cmd.PersistentFlags()
	fs.StringVar(&p.name, "profile", "none", "name of the profile to capture: one of "+fmt.Sprint(profileNames))
	fs.StringVar(&p.output, "profile-output", "profile.pprof", "file the profile is written to")
	_ = cmd.RegisterFlagCompletionFunc("profile", cobra.FixedCompletions(profileNames, cobra.ShellCompDirectiveNoFileComp))
}

// start begins the CPU profile or turns on the sampling the block and mutex
// profiles need; other profiles are snapshots taken by stop.
func (p *profiler) start() error {
	if !slices.Contains(profileNames, p.name) {
		return cli.Usagef("--profile %q: must be one of %v", p.name, profileNames)
	}
	switch p.name {
	case "none":
		return nil
	case "block":
		runtime.SetBlockProfileRate(1)
	case "mutex":
		runtime.SetMutexProfileFraction(1)
	}
	f, err := os.OpenFile(p.output, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--profile-output: %w", err)
	}
	p.file = f
	if p.name == "cpu" {
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			p.file = nil
			return fmt.Errorf("start CPU profile: %w", err)
		}
	}
	return nil
}

// stop writes the profile; it runs whether the command succeeded or not.
func (p *profiler) stop() error {
	if p.file == nil {
		return nil
	}
	f := p.file
	p.file = nil
	var err error
	if p.name == "cpu" {
		pprof.StopCPUProfile()
	} else {
		if p.name == "heap" || p.name == "allocs" {
			runtime.GC()
		}
		err = pprof.Lookup(p.name).WriteTo(f, 0)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s profile to %s: %w", p.name, p.output, err)
	}
	return nil
}
