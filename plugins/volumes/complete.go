package volumes

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
	"github.com/kubectl-mig/kubectl-mig/engine/kube"
	engvol "github.com/kubectl-mig/kubectl-mig/engine/volumes"
	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan/cmdkit"
)

// completePlans completes MigPlan names in the MTC namespace.
func completePlans(env *cli.Env) cobra.CompletionFunc {
	return cmdkit.Complete(func(ctx context.Context) ([]string, error) {
		ri, err := plans(env)
		if err != nil {
			return nil, err
		}
		list, err := kube.List[mtc.MigPlan](ctx, ri, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(list))
		for i := range list {
			names = append(names, list[i].Name)
		}
		return names, nil
	})
}

// registerSetCompletions completes the fixed values, and volumes and
// storage classes from the plan named on the command line.
func registerSetCompletions(cmd *cobra.Command, env *cli.Env) {
	fixed := func(vals ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	_ = cmd.RegisterFlagCompletionFunc("action", fixed(engvol.Actions...))
	_ = cmd.RegisterFlagCompletionFunc("copy-method", fixed(engvol.CopyMethods...))
	modes := make([]string, 0, len(engvol.AccessModes))
	for _, m := range engvol.AccessModes {
		modes = append(modes, string(m))
	}
	_ = cmd.RegisterFlagCompletionFunc("access-mode", fixed(modes...))
	_ = cmd.RegisterFlagCompletionFunc("pv", fromPlan(env, func(l *engvol.Listing) []string {
		return collect(l, func(v engvol.Volume) string { return v.PV })
	}))
	_ = cmd.RegisterFlagCompletionFunc("pvc", fromPlan(env, func(l *engvol.Listing) []string {
		return collect(l, func(v engvol.Volume) string { return v.PVC.String() })
	}))
	_ = cmd.RegisterFlagCompletionFunc("storage-class-from", fromPlan(env, func(l *engvol.Listing) []string {
		return collect(l, func(v engvol.Volume) string { return v.StorageClass })
	}))
	_ = cmd.RegisterFlagCompletionFunc("storage-class", fromPlan(env, func(l *engvol.Listing) []string {
		out := make([]string, 0, len(l.DestinationStorageClasses))
		for _, sc := range l.DestinationStorageClasses {
			out = append(out, sc.Name)
		}
		return out
	}))
}

// fromPlan completes a flag from the listing of the plan in args[0].
func fromPlan(env *cli.Env, pick func(*engvol.Listing) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ri, err := plans(env)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		l, err := engvol.List(ctx, ri, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, s := range pick(l) {
			if strings.HasPrefix(s, toComplete) {
				out = append(out, s)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func collect(l *engvol.Listing, key func(engvol.Volume) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range l.Volumes {
		if k := key(v); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
