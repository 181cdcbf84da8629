// Package version implements `kubectl mig version`.
package version

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/engine/buildinfo"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// Options holds the flags of the version command.
type Options struct {
	Output string
	env    *cli.Env
}

// NewCmdVersion prints the version, commit and Go version of this build. It
// needs no cluster, so it is also how packaging checks a binary works.
func NewCmdVersion(env *cli.Env) *cobra.Command {
	o := &Options{env: env}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl-mig",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "output format: '' (text), json or yaml")
	return cmd
}

// Validate checks the output format.
func (o *Options) Validate() error {
	switch o.Output {
	case "", "json", "yaml":
		return nil
	}
	return cli.Usagef("unknown output format %q: use json or yaml", o.Output)
}

// Run prints the build information to Out.
func (o *Options) Run() error {
	info := buildinfo.Get()
	out := o.env.Streams.Out
	switch o.Output {
	case "json":
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(info)
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	_, err := fmt.Fprintf(out, "kubectl-mig %s (commit %s, %s, %s)\n", info.Version, info.Commit, info.GoVersion, info.Platform)
	return err
}
