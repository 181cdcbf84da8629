package setup

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/apply"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/secrets"
	"github.com/kubectl-mig/kubectl-mig/engine/setup/storage"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// StorageAddOptions are the inputs of `storage add`.
type StorageAddOptions struct {
	env *cli.Env

	Name               string
	Provider           string
	Bucket             string
	Region             string
	S3URL              string
	PublicURL          string
	ForcePathStyle     bool
	SignatureVersion   string
	KMSKeyID           string
	CABundleFile       string
	Insecure           bool
	StorageAccount     string
	ResourceGroup      string
	CredentialsFile    string
	Profile            string
	SnapshotProvider   string
	SnapshotRegion     string
	SnapshotTimeout    string
	SnapshotAPITimeout string
	SnapshotRG         string
	SecretName         string
	SecretNamespace    string
	Overwrite          bool
	WaitReady          bool
	Timeout            time.Duration
	DryRunValue        string

	output *cmdkit.Output
	dryRun cmdkit.DryRun
	spec   storage.Spec
}

// NewCmdStorageAdd returns `storage add`.
func NewCmdStorageAdd(env *cli.Env) *cobra.Command {
	o := &StorageAddOptions{env: env, output: cmdkit.NewOutput("created", false), Timeout: 2 * time.Minute}
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "add NAME --provider aws|gcp|azure|generic-s3 --bucket BUCKET [flags]",
		Short: "Configure the replication repository: credentials Secret + MigStorage",
		Long: `Create the replication repository MTC copies data through: a Secret with the
provider's credentials, in the layout the MTC controller reads, and a MigStorage
with the fields the provider needs.

  aws         S3: --bucket, --region; optional --kms-key-id, --signature-version
  generic-s3  any S3-compatible store (MinIO, Ceph RGW, Multicloud Object
              Gateway): --bucket, --s3-url; path-style addressing by default
  gcp         Google Cloud Storage: --bucket; a service-account JSON key
  azure       Blob storage: --bucket (the container), --storage-account,
              --resource-group; an env file with AZURE_TENANT_ID,
              AZURE_SUBSCRIPTION_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET

Credentials come from --credentials-file (an AWS credentials file, a GCP key,
an Azure env file), or from the environment (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or the AZURE_* variables), never from arguments. They are
never printed: -o yaml shows the Secret's keys with "<redacted>" values.

Everything is checked before anything is written; the MTC controller then tests
the bucket (write, read, delete an object): --wait-ready waits for that and
explains a failure.`,
		Example: `  # An S3 bucket, keys from the environment
  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... ` + name + ` storage add s3 --provider aws --bucket mig-repo --region us-east-1

  # MinIO with a self-signed certificate, keys from a credentials file
  ` + name + ` storage add minio --provider generic-s3 --bucket mig --s3-url https://minio.example.com:9000 \
      --ca-bundle minio-ca.crt --credentials-file ./minio-credentials --wait-ready

  # Google Cloud Storage
  ` + name + ` storage add gcs --provider gcp --bucket mig-repo --credentials-file key.json

  # Azure blob container, with snapshots of Azure disks
  ` + name + ` storage add blob --provider azure --bucket mig --storage-account migacct --resource-group mig-rg \
      --credentials-file credentials-velero --snapshot-provider azure`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Provider, "provider", "", "aws, gcp, azure or generic-s3 (any S3-compatible store)")
	f.StringVar(&o.Bucket, "bucket", "", "bucket (aws, generic-s3, gcp) or blob container (azure)")
	f.StringVar(&o.Region, "region", "", "bucket region (aws; optional for generic-s3)")
	f.StringVar(&o.S3URL, "s3-url", "", "S3 endpoint URL (required for generic-s3)")
	f.StringVar(&o.PublicURL, "public-url", "", "public URL of the bucket, if different from --s3-url")
	f.BoolVar(&o.ForcePathStyle, "s3-force-path-style", true, "path-style bucket addressing (default true for generic-s3)")
	f.StringVar(&o.SignatureVersion, "signature-version", "", "AWS signature version, 1 or 4")
	f.StringVar(&o.KMSKeyID, "kms-key-id", "", "AWS KMS key to encrypt the backups with")
	f.StringVar(&o.CABundleFile, "ca-bundle", "", "PEM file with the CA of a self-signed S3 endpoint")
	f.BoolVar(&o.Insecure, "insecure", false, "do not verify the S3 endpoint's certificate (not recommended)")
	f.StringVar(&o.StorageAccount, "storage-account", "", "Azure storage account")
	f.StringVar(&o.ResourceGroup, "resource-group", "", "Azure resource group of the storage account")
	f.StringVar(&o.CredentialsFile, "credentials-file", "", `credentials file ("-" reads stdin): AWS credentials file, GCP service-account JSON key, or Azure env file`)
	f.StringVar(&o.Profile, "profile", "", "profile of the AWS credentials file (default $AWS_PROFILE or \"default\")")
	f.StringVar(&o.SnapshotProvider, "snapshot-provider", "", "aws, gcp or azure: also configure volume snapshots (the snapshot copy method)")
	f.StringVar(&o.SnapshotRegion, "snapshot-region", "", "region of the cluster's volumes (aws snapshots; default --region)")
	f.StringVar(&o.SnapshotTimeout, "snapshot-timeout", "", "how long a snapshot may take, e.g. 30m")
	f.StringVar(&o.SnapshotAPITimeout, "snapshot-api-timeout", "", "Azure API timeout for snapshots (default "+storage.DefaultAzureAPITimeout+")")
	f.StringVar(&o.SnapshotRG, "snapshot-resource-group", "", "Azure resource group of the cluster's disks (default --resource-group)")
	f.StringVar(&o.SecretName, "secret-name", "", `name of the credentials Secret (default "<NAME>-<provider>-credentials")`)
	f.StringVar(&o.SecretNamespace, "secret-namespace", secrets.DefaultNamespace, "namespace of the credentials Secret on the host cluster")
	f.BoolVar(&o.Overwrite, "overwrite", false, "replace the settings and credentials of an existing MigStorage")
	f.BoolVar(&o.WaitReady, "wait-ready", false, "wait until the MTC controller has tested the bucket and marked the storage Ready")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "how long --wait-ready waits")
	cmdkit.AddDryRunFlag(cmd, &o.DryRunValue)
	o.output.AddFlags(cmd)
	_ = cmd.MarkFlagRequired("provider")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions(storage.Providers, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("snapshot-provider", cobra.FixedCompletions([]string{"aws", "gcp", "azure"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("credentials-file")
	_ = cmd.MarkFlagFilename("ca-bundle", "crt", "pem")
	return cmd
}

// Complete reads the credentials and CA and builds the spec.
func (o *StorageAddOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.dryRun, err = cmdkit.ParseDryRun(o.DryRunValue); err != nil {
		return err
	}
	if !slices.Contains(storage.Providers, o.Provider) {
		return cli.Usagef("--provider %q: must be one of %s", o.Provider, strings.Join(storage.Providers, ", "))
	}
	if o.CredentialsFile == "-" && o.CABundleFile == "-" {
		return cli.Usagef("stdin can feed --credentials-file or --ca-bundle, not both")
	}
	creds, err := o.credentials()
	if err != nil {
		return err
	}
	var ca []byte
	if o.CABundleFile != "" {
		if ca, err = readFile("--ca-bundle", o.CABundleFile, o.env.Streams.In); err != nil {
			return err
		}
	}
	o.spec = storage.Spec{
		Name: o.Name, Namespace: o.env.MigNamespace(), Provider: o.Provider, Bucket: o.Bucket, Region: o.Region,
		S3URL: o.S3URL, PublicURL: o.PublicURL, SignatureVersion: o.SignatureVersion, KMSKeyID: o.KMSKeyID,
		CABundle: ca, Insecure: o.Insecure, StorageAccount: o.StorageAccount, ResourceGroup: o.ResourceGroup,
		SnapshotProvider: o.SnapshotProvider, SnapshotRegion: o.SnapshotRegion, SnapshotTimeout: o.SnapshotTimeout,
		SnapshotAPITimeout: o.SnapshotAPITimeout, SnapshotResourceGroup: o.SnapshotRG,
		Credentials: creds, SecretName: o.SecretName, SecretNamespace: o.SecretNamespace,
	}
	if cmd.Flags().Changed("s3-force-path-style") {
		v := o.ForcePathStyle
		o.spec.ForcePathStyle = &v
	}
	o.spec = o.spec.WithDefaults()
	return nil
}

// credentials reads the provider's credentials from the file, stdin or
// the environment. Errors never contain their values.
func (o *StorageAddOptions) credentials() (*storage.Credentials, error) {
	if o.CredentialsFile == "" {
		c, err := storage.CredentialsFromEnv(o.Provider, o.env.Getenv)
		if err != nil {
			return nil, cli.Usagef("%v", err)
		}
		return c, nil
	}
	data, err := readFile("--credentials-file", o.CredentialsFile, o.env.Streams.In)
	if err != nil {
		return nil, err
	}
	profile := o.Profile
	if profile == "" {
		profile = o.env.Getenv("AWS_PROFILE")
	}
	shown := o.CredentialsFile
	if shown == "-" {
		shown = "stdin"
	}
	c, err := storage.ParseCredentials(o.Provider, data, profile)
	if err != nil {
		return nil, cli.Usagef("--credentials-file %s: %v", shown, err)
	}
	c.Source = "file " + shown
	return c, nil
}

// Validate checks everything that needs no cluster.
func (o *StorageAddOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.WaitReady && o.dryRun != cmdkit.DryRunNone {
		return cli.Usagef("--wait-ready cannot be combined with --dry-run")
	}
	if o.Profile != "" && o.spec.CloudProvider() != storage.ProviderAWS {
		return cli.Usagef("--profile applies to aws and generic-s3 credentials files")
	}
	if err := o.spec.Validate(); err != nil {
		return cli.WithExitCode(cli.ExitUsage, fmt.Errorf("cannot add storage %s:\n%s", o.Name, indent(err.Error())))
	}
	return nil
}

// Run checks the host, writes the Secret and the MigStorage, and optionally
// waits for the controller's bucket test.
func (o *StorageAddOptions) Run(ctx context.Context) error {
	errOut := o.env.Streams.ErrOut
	warn(errOut, o.spec.Warnings()...)
	fmt.Fprintf(errOut, "credentials read from %s (keys: %s)\n", o.spec.Credentials.Source, strings.Join(o.spec.Credentials.Keys(), ", "))
	if o.dryRun == cmdkit.DryRunClient {
		skippedChecks(errOut, "the MTC and Secret namespaces exist on the host cluster", "the storage name is free (or --overwrite)")
		secret, ms := storage.Build(o.spec)
		u, err := apply.Prune(ms)
		if err != nil {
			return err
		}
		return printObjects(o.env.Streams.Out, o.output, o.dryRun, secrets.Masked(secret), u)
	}
	host, err := hostTarget(o.env)
	if err != nil {
		return err
	}
	if err := storage.Preflight(ctx, host, o.spec, o.Overwrite); err != nil {
		return err
	}
	res, err := storage.Add(ctx, host, o.spec, o.Overwrite, o.dryRun == cmdkit.DryRunServer)
	if err != nil {
		return err
	}
	if err := o.printResult(res); err != nil {
		return err
	}
	if !o.WaitReady {
		return nil
	}
	return waitReady(ctx, o.env, host, kube.MigStorages, mtc.KindMigStorage, o.Name, o.Timeout)
}

func (o *StorageAddOptions) printResult(res *storage.AddResult) error {
	out, w := o.output, o.env.Streams.Out
	if f := out.Format(); f != "" && f != "name" {
		return printObjects(w, out, o.dryRun, secrets.Masked(res.Secret), res.Storage)
	}
	saved := out.Flags.NamePrintFlags.Operation
	defer func() { out.Flags.NamePrintFlags.Operation = saved }()
	out.Flags.NamePrintFlags.Operation = string(res.SecretAction)
	if err := out.Print(w, secrets.Masked(res.Secret), o.dryRun); err != nil {
		return err
	}
	out.Flags.NamePrintFlags.Operation = string(res.StorageAction)
	return out.Print(w, res.Storage, o.dryRun)
}
