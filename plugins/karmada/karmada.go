// Package karmada is `kubectl mig karmada`: batch takeover of a member
// cluster's existing workloads by Karmada (migrate), the safe way back
// (rollback), and where a migration stands (status). The work is done by
// engine/karmada; this package turns flags into its configs and its results
// into text.
package karmada

import (
	"github.com/spf13/cobra"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
)

// NewCmdKarmada builds `karmada` and its verbs.
func NewCmdKarmada(env *cli.Env) *cobra.Command {
	access := &Access{env: env}
	cmd := &cobra.Command{
		Use:   "karmada",
		Short: "Hand existing workloads over to Karmada in batches, and back",
		Long: `Take over the workloads already running in a member cluster with Karmada, in
batches (a kind, one application, or a whole namespace), without restarting a
pod; follow the takeover; and roll it back safely.

migrate copies the selected objects to the Karmada API server as resource
templates (pruned the way karmadactl promote prunes them) and writes a
PropagationPolicy with conflictResolution: Overwrite and
preserveResourcesOnDeletion: true. rollback undoes it in the only safe order.

--karmada-context names the Karmada API server's kubeconfig context (default:
the current context); the member cluster is reached through the context named
after it, or --cluster-context.`,
	}
	cmd.PersistentFlags().StringVar(&access.KarmadaContext, "karmada-context", "",
		"kubeconfig context of the Karmada API server (default: the current context)")
	cmd.AddCommand(
		NewCmdMigrate(env, access),
		NewCmdRollback(env, access),
		NewCmdStatus(env, access),
	)
	return cmd
}
