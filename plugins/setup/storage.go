package setup

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-mig/kubectl-mig/engine/setup/storage"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// NewCmdStorage returns the `storage` command group.
func NewCmdStorage(env *cli.Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "storage",
		Aliases: []string{"storages", "repository"},
		Short:   "Configure, list and remove replication repositories (MigStorage)",
		Long: `MTC copies data through a replication repository: an object store bucket
(S3, S3-compatible, Google Cloud Storage or Azure Blob) described by a MigStorage
and a credentials Secret. Every migration plan names one.`,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: env.Name() + " storage"},
	}
	cmd.AddCommand(
		NewCmdStorageAdd(env),
		NewCmdStorageList(env),
		NewCmdStorageDescribe(env),
		NewCmdStorageRemove(env),
	)
	return cmd
}

func completeStorages(env *cli.Env) cobra.CompletionFunc { return completeWith(env, storage.Names) }

// StorageListOptions are the inputs of `storage list`.
type StorageListOptions struct {
	env    *cli.Env
	output *cmdkit.Output
	now    func() time.Time
}

// NewCmdStorageList returns `storage list`.
func NewCmdStorageList(env *cli.Env) *cobra.Command {
	o := &StorageListOptions{env: env, output: cmdkit.NewOutput("", true), now: time.Now}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List MigStorages: readiness, provider, bucket, endpoint, problems",
		Example: `  ` + env.Name() + ` storage list
  ` + env.Name() + ` storage list -o wide`,
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

// Run lists the storages.
func (o *StorageListOptions) Run(ctx context.Context) error {
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	entries, err := storage.List(ctx, host, o.env.MigNamespace())
	if err != nil {
		return err
	}
	table, wide := o.output.Table()
	if !table {
		objs := make([]any, 0, len(entries))
		for i := range entries {
			objs = append(objs, &entries[i].Storage)
		}
		return o.output.PrintList(o.env.Streams.Out, objs)
	}
	if len(entries) == 0 {
		fmt.Fprintf(o.env.Streams.ErrOut, "No MigStorages found in %s namespace: add one with '%s storage add'.\n", o.env.MigNamespace(), o.env.Name())
		return nil
	}
	headers := []string{"NAME", "READY", "PROVIDER", "BUCKET", "ENDPOINT", "SNAPSHOTS", "CONDITIONS", "AGE"}
	if wide {
		headers = append(headers, "CREDENTIALS SECRET", "PLANS")
	}
	t := cmdkit.NewTable(o.env.Streams.Out, headers...)
	now := o.now()
	for _, e := range entries {
		ms := &e.Storage
		row := []string{ms.Name, readyText(ms.Status.Conditions.IsReady()), storage.Kind(ms), orDash(storage.Location(ms)),
			orDash(storage.Endpoint(ms)), orDash(ms.Spec.VolumeSnapshotProvider), orDash(strings.Join(e.Problems, ",")),
			cmdkit.Age(ms.CreationTimestamp, now)}
		if wide {
			ref := "-"
			if r := ms.Spec.BackupStorageConfig.CredsSecretRef; r != nil {
				ref = r.Namespace + "/" + r.Name
			}
			row = append(row, ref, orDash(strings.Join(e.Plans, ",")))
		}
		t.Row(row...)
	}
	return t.Flush()
}

// StorageDescribeOptions are the inputs of `storage describe`.
type StorageDescribeOptions struct {
	env    *cli.Env
	Name   string
	Output string
	now    func() time.Time
}

// NewCmdStorageDescribe returns `storage describe`.
func NewCmdStorageDescribe(env *cli.Env) *cobra.Command {
	o := &StorageDescribeOptions{env: env, now: time.Now}
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a MigStorage: settings, credentials Secret keys (never values), conditions explained, plans, events",
		Example: `  # Why does MTC say BackupStorageProviderTestFailed?
  ` + env.Name() + ` storage describe s3`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeStorages(env),
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

// Run describes the storage.
func (o *StorageDescribeOptions) Run(ctx context.Context) error {
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	d, err := storage.Describe(ctx, host, o.env.MigNamespace(), o.Name, o.env.Name())
	if err != nil {
		return err
	}
	return printStructured(o.env.Streams.Out, o.Output, d, func(w io.Writer) { writeStorageDescription(w, d, o.now()) })
}

func writeStorageDescription(w io.Writer, d *storage.Description, now time.Time) {
	t := cmdkit.NewTable(w)
	field := func(k, v string) { t.Row(k+":", v) }
	field("Name", d.Name)
	field("Namespace", d.Namespace)
	field("Ready", readyText(d.Ready))
	field("Provider", d.Provider)
	field("Bucket", orDash(d.Location))
	field("Endpoint", orDash(d.Endpoint))
	field("Credentials", orDash(d.CredentialsSecret)+credentialsText(d))
	field("Snapshots", orDash(d.SnapshotProvider))
	field("Used by plans", orDash(strings.Join(d.Plans, ", ")))
	field("Age", cmdkit.Age(metav1.NewTime(d.Created), now))
	_ = t.Flush()
	writeConfig(w, "Backup storage config", d.Config)
	writeConfig(w, "Volume snapshot config", d.SnapshotConfig)
	if len(d.CABundle) > 0 {
		section(w, "S3 CA bundle")
		writeCerts(w, d.CABundle, "  ")
	}
	writeConditions(w, d.Conditions, "the controller has not validated the storage yet")
	writeEvents(w, d.Events, now)
}

func credentialsText(d *storage.Description) string {
	switch {
	case d.CredentialsProblem != "":
		return " (problem: " + d.CredentialsProblem + ")"
	case len(d.CredentialsKeys) > 0:
		return " (keys: " + strings.Join(d.CredentialsKeys, ", ") + ")"
	}
	return ""
}

// writeConfig prints a provider config map (no secret values live there).
func writeConfig(w io.Writer, title string, cfg map[string]any) {
	if len(cfg) == 0 {
		return
	}
	section(w, title)
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t := cmdkit.NewTable(w)
	for _, k := range keys {
		v := cfg[k]
		if m, ok := v.(map[string]any); ok {
			v = fmt.Sprintf("%v/%v", m["namespace"], m["name"])
		}
		t.Row("  "+k+":", fmt.Sprint(v))
	}
	_ = t.Flush()
}

// StorageRemoveOptions are the inputs of `storage remove`.
type StorageRemoveOptions struct {
	env         *cli.Env
	Name        string
	Force       bool
	KeepSecret  bool
	DryRunValue string
	output      *cmdkit.Output
}

// NewCmdStorageRemove returns `storage remove`.
func NewCmdStorageRemove(env *cli.Env) *cobra.Command {
	o := &StorageRemoveOptions{env: env, output: cmdkit.NewOutput("deleted", false)}
	cmd := &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm", "delete"},
		Short:   "Remove a MigStorage and the credentials Secret kubectl mig created for it",
		Long: `Delete a MigStorage. Its credentials Secret goes with it when kubectl mig created
it for this storage and no other MigStorage uses it. Removal is refused while a
plan uses the storage, unless --force. The bucket's contents are not touched.`,
		Example:           `  ` + env.Name() + ` storage remove old-repo`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeStorages(env),
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
	cmd.Flags().BoolVar(&o.Force, "force", false, "remove even if plans use the storage")
	cmd.Flags().BoolVar(&o.KeepSecret, "keep-secret", false, "keep the credentials Secret")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	return cmd
}

// Run removes the storage.
func (o *StorageRemoveOptions) Run(ctx context.Context, dry cmdkit.DryRun) error {
	out, errOut := o.env.Streams.Out, o.env.Streams.ErrOut
	if dry == cmdkit.DryRunClient {
		fmt.Fprintf(out, "migstorage.migration.openshift.io/%s deleted (dry run)\n", o.Name)
		skippedChecks(errOut, "the storage exists", "no plan uses it", "whether its credentials Secret would be deleted")
		return nil
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	res, err := storage.Remove(ctx, host, o.env.MigNamespace(), o.Name, o.Force, o.KeepSecret, dry == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if len(res.Plans) > 0 {
		warn(errOut, fmt.Sprintf("plan(s) %s still reference storage %s and will report it missing", strings.Join(res.Plans, ", "), o.Name))
	}
	fmt.Fprintf(out, "migstorage.migration.openshift.io/%s deleted%s\n", o.Name, dry.Suffix())
	if res.SecretDeleted != "" {
		fmt.Fprintf(out, "secret/%s deleted%s\n", res.SecretDeleted[strings.Index(res.SecretDeleted, "/")+1:], dry.Suffix())
	}
	if res.SecretKept != "" {
		fmt.Fprintln(errOut, res.SecretKept)
	}
	return nil
}
