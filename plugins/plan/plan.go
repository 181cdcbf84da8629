// Package plan holds the `kubectl mig plan` commands: create, list,
// describe, validate, close and delete MTC migration plans.
package plan

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	engplan "github.com/kubectl-mig/kubectl-mig/engine/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
	"github.com/kubectl-mig/kubectl-mig/plugins/setup"
	"github.com/kubectl-mig/kubectl-mig/plugins/volumes"
)

// NewCmdPlan returns the `plan` command group.
func NewCmdPlan(env *cli.Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Create, inspect, validate, close and delete MTC migration plans (MigPlan)",
		Long: `A migration plan (MigPlan) names the source and destination clusters, the
replication repository (MigStorage) and the namespaces to migrate. The MTC
controller validates it and discovers its persistent volumes; a Ready plan can
run migrations ('` + env.Name() + ` migrate').`,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: env.Name() + " plan"},
	}
	cmd.AddCommand(
		NewCmdCreate(env),
		NewCmdList(env),
		NewCmdDescribe(env),
		NewCmdValidate(env),
		NewCmdClose(env),
		NewCmdDelete(env),
		volumes.NewCmdPlanVolumes(env),
		setup.NewCmdPlanAnalyze(env),
	)
	return cmd
}

// host returns the dynamic client of the host cluster.
func host(env *cli.Env) (dynamic.Interface, error) {
	a, err := env.Access()
	if err != nil {
		return nil, err
	}
	return a.Host().Dynamic, nil
}

// CompletePlanNames completes MigPlan names in the MTC namespace; migrate and
// rollback use it too.
func CompletePlanNames(env *cli.Env) cobra.CompletionFunc {
	return cmdkit.Complete(func(ctx context.Context) ([]string, error) {
		h, err := host(env)
		if err != nil {
			return nil, err
		}
		return engplan.Names(ctx, h, env.MigNamespace())
	})
}
