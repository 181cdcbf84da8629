package karmada

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	engine "github.com/kubectl-mig/kubectl-mig/engine/karmada"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// StatusOptions are the flags of `karmada status`.
type StatusOptions struct {
	genericiooptions.IOStreams
	access *Access

	Policy string
	Output string

	cfg     engine.StatusConfig
	karmada *engine.Cluster
}

// NewCmdStatus builds `karmada status`.
func NewCmdStatus(env *cli.Env, access *Access) *cobra.Command {
	o := &StatusOptions{IOStreams: env.Streams, access: access}
	cmd := &cobra.Command{
		Use:   "status [--policy NAME] [-n NAMESPACE]",
		Short: "Show the templates, bindings and adoption of migrations",
		Long: `Show, per resource template and member cluster, the binding, its Scheduled and
FullyApplied conditions, whether the member applied it, whether the member
object is adopted (label karmada.io/managed=true, karmadactl's ADOPTION), and
the binding's preserveResourcesOnDeletion.

Without --policy, every migration written by migrate in the namespace is shown.`,
		Example: `  # One migration
  ` + env.Name() + ` karmada status --policy nginx-pp -n shop

  # Every migration of namespace shop, as JSON
  ` + env.Name() + ` karmada status -n shop -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(args); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			if err := o.Complete(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Policy, "policy", "", "the migration's policy name (default: every migration of the namespace)")
	f.StringVar(&access.Cluster, "cluster", "", "a member cluster, as Karmada names it, to reach with --cluster-context")
	f.StringVar(&access.ClusterContext, "cluster-context", "", "kubeconfig context of --cluster (default: contexts named after the members)")
	f.StringVarP(&o.Output, "output", "o", "", "yaml or json instead of the table")
	return cmd
}

// Validate checks the flags; it makes no API call.
func (o *StatusOptions) Validate(args []string) error {
	if len(args) > 0 {
		return cli.Usagef("unexpected arguments %q: name the policy with --policy", args)
	}
	if o.Output != "" && o.Output != "yaml" && o.Output != "json" {
		return cli.Usagef("--output must be yaml or json, not %q", o.Output)
	}
	if o.access.ClusterContext != "" && o.access.Cluster == "" {
		return cli.Usagef("--cluster-context needs --cluster: the member it reaches")
	}
	o.cfg.Policy = o.Policy
	return nil
}

// Complete resolves the namespace and the Karmada API server.
func (o *StatusOptions) Complete() error {
	var err error
	o.karmada, o.cfg.Namespace, err = o.access.Karmada()
	return err
}

// Run reads and prints the status.
func (o *StatusOptions) Run(ctx context.Context) error {
	rep, err := engine.Status(ctx, o.karmada, o.access.Member, o.cfg)
	if err != nil {
		return err
	}
	if o.Output != "" {
		return printData(o.Out, o.Output, rep)
	}
	if len(rep.Policies) == 0 {
		fmt.Fprintf(o.ErrOut, "No migration found in namespace %s.\n", o.cfg.Namespace)
		return nil
	}
	for _, p := range rep.Policies {
		fmt.Fprintf(o.ErrOut, "%s: conflictResolution %s, preserveResourcesOnDeletion %v, clusters %v\n",
			p.Ref, p.ConflictResolution, p.Preserve, p.Clusters)
	}
	for _, k := range rep.Kept {
		fmt.Fprintf(o.ErrOut, "Not shown: %s: %s\n", k.Ref, k.Reason)
	}
	for _, u := range rep.Unreachable {
		fmt.Fprintf(o.ErrOut, "Warning: adoption unknown on %s\n", u)
	}
	t := newTable(o.Out, "POLICY", "OBJECT", "BINDING", "SCHEDULED", "FULLYAPPLIED", "CLUSTER", "APPLIED", "ADOPTED", "PRESERVE", "MESSAGE")
	for _, r := range rep.Rows {
		preserve := ""
		if r.Binding != "" {
			preserve = trueFalse(r.Preserve)
		}
		t.add(r.Policy.Name, r.Template.String(), r.Binding, r.Scheduled, r.FullyApplied, r.Cluster, r.Applied, r.Adopted, preserve, r.Message)
	}
	return t.flush()
}
