package setup

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-mig/kubectl-mig/engine/setup/clusters"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// ClusterTestOptions are the inputs of `cluster test`.
type ClusterTestOptions struct {
	env    *cli.Env
	Name   string
	Output string
	now    func() time.Time
}

// NewCmdClusterTest returns `cluster test`.
func NewCmdClusterTest(env *cli.Env) *cobra.Command {
	o := &ClusterTestOptions{env: env, now: time.Now}
	cmd := &cobra.Command{
		Use:   "test [NAME]",
		Short: "Connect to a MigCluster exactly as the MTC controller does and explain what fails",
		Long: `Connect to a cluster with the URL, the service-account token from its Secret and
its caBundle (or the system's CAs, or no verification when insecure), as the MTC
controller does, and report in order: can the server be reached, is its
certificate trusted, is the token accepted, may it do everything. A TLS failure
shows which certificate the server presents and what the caBundle holds.

The controller records TestConnectFailed without the underlying error; this
command shows it. Without NAME every MigCluster is tested. The exit code is 1
when a cluster fails.`,
		Example: `  # Why does MTC say TestConnectFailed for the source cluster?
  ` + env.Name() + ` cluster test source

  # Test every cluster
  ` + env.Name() + ` cluster test`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeClusters(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Name = args[0]
			}
			if err := checkStructuredFormat(o.Output); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "print the results as json or yaml")
	return cmd
}

// Run tests one or all clusters.
func (o *ClusterTestOptions) Run(ctx context.Context) error {
	access, err := o.env.Access()
	if err != nil {
		return err
	}
	var results []clusters.TestResult
	if o.Name != "" {
		r, err := clusters.Test(ctx, access, o.Name, o.env.Name())
		if err != nil {
			return err
		}
		results = []clusters.TestResult{r}
	} else if results, err = clusters.TestAll(ctx, access, o.env.Name()); err != nil {
		return err
	}
	if len(results) == 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "No MigClusters found in %s namespace.\n", o.env.MigNamespace())
		return nil
	}
	var v any = results
	if o.Name != "" {
		v = results[0]
	}
	if err := printStructured(o.env.Streams.Out, o.Output, v, func(w io.Writer) {
		for i := range results {
			if i > 0 {
				fmt.Fprintln(w)
			}
			writeTestResult(w, &results[i], o.now())
		}
	}); err != nil {
		return err
	}
	for _, r := range results {
		if !r.OK() {
			return cli.WithExitCode(cli.ExitFailure, nil)
		}
	}
	return nil
}

func writeTestResult(w io.Writer, r *clusters.TestResult, now time.Time) {
	t := cmdkit.NewTable(w)
	field := func(k, v string) { t.Row(k+":", v) }
	field("Cluster", r.Cluster)
	field("URL", orDash(r.URL))
	field("Reachable", yesNo(r.Reachable))
	tls := yesNo(r.TLSVerified)
	if r.Reachable && !r.TLSVerified && r.OK() {
		tls = "not verified (insecure)"
	}
	field("TLS verified", tls)
	auth := yesNo(r.Authenticated)
	if r.Identity != "" {
		auth += ", as " + r.Identity
	}
	field("Authenticated", auth)
	field("Cluster-admin", yesNo(r.Privileged))
	if r.ServerVersion != "" {
		field("Server version", r.ServerVersion)
	}
	if r.Token != nil {
		field("Token", tokenText(r.Token, now))
	}
	result := "OK"
	if !r.OK() {
		result = "FAILED: " + r.Problem
	}
	field("Result", result)
	if r.Detail != "" {
		field("Detail", r.Detail)
	}
	if r.Fix != "" {
		field("Fix", r.Fix)
	}
	if r.Error != "" && !r.OK() {
		field("Error", r.Error)
	}
	_ = t.Flush()
	if len(r.Controller) > 0 {
		fmt.Fprintln(w, "MTC controller reports:")
		for _, c := range r.Controller {
			fmt.Fprintf(w, "  - %s\n", strings.ReplaceAll(c.String(), "\n", "\n    "))
		}
	}
	if r.Note != "" {
		fmt.Fprintf(w, "Note: %s\n", r.Note)
	}
}

func tokenText(i *clusters.TokenInfo, now time.Time) string {
	s := i.Kind
	if i.Subject != "" {
		s += " " + i.Subject
	}
	if i.ExpiresAt != nil {
		s += ", expires " + i.ExpiresAt.Format(time.RFC3339)
	}
	for _, w := range i.Warnings(now) {
		s += "; " + w
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ClusterRemoveOptions are the inputs of `cluster remove`.
type ClusterRemoveOptions struct {
	env         *cli.Env
	Name        string
	Force       bool
	KeepSecret  bool
	DryRunValue string
	output      *cmdkit.Output
}

// NewCmdClusterRemove returns `cluster remove`.
func NewCmdClusterRemove(env *cli.Env) *cobra.Command {
	o := &ClusterRemoveOptions{env: env, output: cmdkit.NewOutput("deleted", false)}
	cmd := &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm", "delete"},
		Short:   "Remove a MigCluster and the token Secret kubectl mig created for it",
		Long: `Delete a MigCluster. Its token Secret goes with it when kubectl mig created it
for this cluster and no other MigCluster uses it; other Secrets are kept.
Removal is refused while a plan uses the cluster, and for the host cluster,
unless --force.`,
		Example: `  # Remove a cluster no plan uses any more
  ` + env.Name() + ` cluster remove old-source`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeClusters(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			dry, err := cmdkit.ParseDryRun(o.DryRunValue)
			if err != nil {
				return err
			}
			if f := o.output.Format(); f != "" && f != "name" {
				return cli.Usagef("-o must be name for remove")
			}
			return o.Run(cmd.Context(), dry)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "remove even if plans use the cluster, or it is the host")
	cmd.Flags().BoolVar(&o.KeepSecret, "keep-secret", false, "keep the token Secret")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	return cmd
}

// Run removes the cluster.
func (o *ClusterRemoveOptions) Run(ctx context.Context, dry cmdkit.DryRun) error {
	out, errOut := o.env.Streams.Out, o.env.Streams.ErrOut
	if dry == cmdkit.DryRunClient {
		fmt.Fprintf(out, "migcluster.migration.openshift.io/%s deleted (dry run)\n", o.Name)
		skippedChecks(errOut, "the cluster exists", "no plan uses it", "whether its token Secret would be deleted")
		return nil
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	res, err := clusters.Remove(ctx, host, o.env.MigNamespace(), o.Name,
		clusters.RemoveOptions{Force: o.Force, KeepSecret: o.KeepSecret, DryRun: dry == cmdkit.DryRunServer})
	if err != nil {
		return err
	}
	if len(res.Plans) > 0 {
		warn(errOut, fmt.Sprintf("plan(s) %s still reference cluster %s and will report it missing", strings.Join(res.Plans, ", "), o.Name))
	}
	fmt.Fprintf(out, "migcluster.migration.openshift.io/%s deleted%s\n", o.Name, dry.Suffix())
	if res.SecretDeleted != "" {
		fmt.Fprintf(out, "secret/%s deleted%s\n", res.SecretDeleted[strings.Index(res.SecretDeleted, "/")+1:], dry.Suffix())
	}
	if res.SecretKept != "" {
		fmt.Fprintln(errOut, res.SecretKept)
	}
	return nil
}
