package setup

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/clusters"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// NewCmdCluster returns the `cluster` command group.
func NewCmdCluster(env *cli.Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "cluster",
		Aliases: []string{"clusters"},
		Short:   "Register, list, test and remove the clusters MTC migrates between (MigCluster)",
		Long: `MTC reaches every cluster but its own (the host) through a MigCluster: the API
server URL, a service-account token stored in a Secret, and the CA that verifies
the server. 'cluster add' writes both after checking the connection; 'cluster
test' connects exactly as the controller does and explains what fails.`,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: env.Name() + " cluster"},
	}
	cmd.AddCommand(
		NewCmdClusterAdd(env),
		NewCmdClusterList(env),
		NewCmdClusterDescribe(env),
		NewCmdClusterTest(env),
		NewCmdClusterRemove(env),
	)
	return cmd
}

func completeClusters(env *cli.Env) cobra.CompletionFunc { return completeWith(env, clusters.Names) }

// ClusterListOptions are the inputs of `cluster list`.
type ClusterListOptions struct {
	env    *cli.Env
	output *cmdkit.Output
	now    func() time.Time
}

// NewCmdClusterList returns `cluster list`.
func NewCmdClusterList(env *cli.Env) *cobra.Command {
	o := &ClusterListOptions{env: env, output: cmdkit.NewOutput("", true), now: time.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List MigClusters: readiness, URL, host, MTC version, problems",
		Example: `  # Every cluster MTC knows, and what is wrong with those that are not Ready
  ` + env.Name() + ` cluster list

  # With CA, token Secret and the plans using each cluster
  ` + env.Name() + ` cluster list -o wide`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.output.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.output.AddFlags(cmd)
	return cmd
}

// Run lists the clusters.
func (o *ClusterListOptions) Run(ctx context.Context) error {
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	entries, err := clusters.List(ctx, host, o.env.MigNamespace())
	if err != nil {
		return err
	}
	table, wide := o.output.Table()
	if !table {
		objs := make([]any, 0, len(entries))
		for i := range entries {
			objs = append(objs, &entries[i].Cluster)
		}
		return o.output.PrintList(o.env.Streams.Out, objs)
	}
	if len(entries) == 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "No MigClusters found in %s namespace: add one with '%s cluster add'.\n", o.env.MigNamespace(), o.env.Name())
		return nil
	}
	headers := []string{"NAME", "READY", "URL", "HOST", "VERSION", "CONDITIONS", "AGE"}
	if wide {
		headers = append(headers, "TLS", "TOKEN SECRET", "REGISTRY PATH", "PLANS")
	}
	t := cmdkit.NewTable(o.env.Streams.Out, headers...)
	now := o.now()
	for _, e := range entries {
		mc := &e.Cluster
		url := mc.Spec.URL
		if mc.Spec.IsHostCluster && url == "" {
			url = "(in-cluster)"
		}
		row := []string{mc.Name, readyText(mc.Status.Conditions.IsReady()), url, fmt.Sprint(mc.Spec.IsHostCluster),
			orDash(mc.Status.OperatorVersion), orDash(strings.Join(e.Problems, ",")), cmdkit.Age(mc.CreationTimestamp, now)}
		if wide {
			row = append(row, tlsMode(mc), tokenRef(mc), orDash(mc.Status.RegistryPath), orDash(strings.Join(e.Plans, ",")))
		}
		t.Row(row...)
	}
	return t.Flush()
}

func tlsMode(mc *mtc.MigCluster) string {
	switch {
	case mc.Spec.IsHostCluster:
		return "-"
	case mc.Spec.Insecure:
		return "insecure"
	case len(mc.Spec.CABundle) > 0:
		return "caBundle"
	}
	return "system CAs"
}

func tokenRef(mc *mtc.MigCluster) string {
	r := mc.Spec.ServiceAccountSecretRef
	if r == nil || r.Name == "" {
		return "-"
	}
	return r.Namespace + "/" + r.Name
}

// ClusterDescribeOptions are the inputs of `cluster describe`.
type ClusterDescribeOptions struct {
	env    *cli.Env
	Name   string
	Output string
	now    func() time.Time
}

// NewCmdClusterDescribe returns `cluster describe`.
func NewCmdClusterDescribe(env *cli.Env) *cobra.Command {
	o := &ClusterDescribeOptions{env: env, now: time.Now}
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a MigCluster: URL, CA certificates, token identity and expiry, conditions explained, plans, events",
		Example: `  # Why is the source cluster not Ready, and when does its token expire?
  ` + env.Name() + ` cluster describe source`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeClusters(env),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if err := checkStructuredFormat(o.Output); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "print the description as json or yaml instead of text")
	return cmd
}

// Run describes the cluster.
func (o *ClusterDescribeOptions) Run(ctx context.Context) error {
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	d, err := clusters.Describe(ctx, host, o.env.MigNamespace(), o.Name, o.env.Name())
	if err != nil {
		return err
	}
	return printStructured(o.env.Streams.Out, o.Output, d, func(w io.Writer) { writeClusterDescription(w, d, o.now()) })
}

func writeClusterDescription(w io.Writer, d *clusters.Description, now time.Time) {
	t := cmdkit.NewTable(w)
	field := func(k, v string) { t.Row(k+":", v) }
	field("Name", d.Name)
	field("Namespace", d.Namespace)
	field("Ready", readyText(d.Ready))
	field("Host cluster", fmt.Sprint(d.IsHost))
	if !d.IsHost {
		field("URL", d.URL)
		field("TLS", describeTLS(d))
		field("Token Secret", orDash(d.TokenSecret))
		field("Token", describeToken(d, now))
	}
	field("MTC version", orDash(d.OperatorVersion))
	field("Registry path", orDash(firstOf(d.RegistryPath, d.ExposedRegistryPath)))
	if d.AzureResourceGroup != "" {
		field("Azure resource group", d.AzureResourceGroup)
	}
	field("Used by plans", orDash(strings.Join(d.Plans, ", ")))
	field("Age", cmdkit.Age(metav1.NewTime(d.Created), now))
	_ = t.Flush()
	if len(d.CABundle) > 0 {
		section(w, "CA bundle")
		writeCerts(w, d.CABundle, "  ")
	}
	writeConditions(w, d.Conditions, "the controller has not validated the cluster yet")
	writeEvents(w, d.Events, now)
}

func describeTLS(d *clusters.Description) string {
	switch {
	case d.Insecure:
		return "not verified (insecure)"
	case d.CAProblem != "":
		return "caBundle does not parse: " + d.CAProblem
	case len(d.CABundle) > 0:
		return fmt.Sprintf("verified with the caBundle (%d certificate(s))", len(d.CABundle))
	}
	return "verified with the system's CAs (no caBundle)"
}

func describeToken(d *clusters.Description, now time.Time) string {
	if d.TokenProblem != "" {
		return "problem: " + d.TokenProblem
	}
	if d.Token == nil {
		return "-"
	}
	s := d.Token.Kind
	if d.Token.Subject != "" {
		s += " " + d.Token.Subject
	}
	if d.Token.ExpiresAt != nil {
		s += ", expires " + d.Token.ExpiresAt.Format(time.RFC3339)
		if left := d.Token.ExpiresAt.Sub(now); left <= 0 {
			s += " (EXPIRED)"
		}
	} else if d.Token.Kind == "service-account" {
		s += ", does not expire"
	}
	return s
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
