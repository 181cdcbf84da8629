// Package root assembles the `kubectl mig` command tree. The umbrella binary
// and every thin kubectl-mig-<verb> binary run through Main, so a verb behaves
// the same whichever binary kubectl finds on PATH.
package root

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-mig/kubectl-mig/plugins/cli"
	"github.com/kubectl-mig/kubectl-mig/plugins/diagnose"
	"github.com/kubectl-mig/kubectl-mig/plugins/gather"
	"github.com/kubectl-mig/kubectl-mig/plugins/karmada"
	"github.com/kubectl-mig/kubectl-mig/plugins/logs"
	"github.com/kubectl-mig/kubectl-mig/plugins/metrics"
	"github.com/kubectl-mig/kubectl-mig/plugins/migrate"
	"github.com/kubectl-mig/kubectl-mig/plugins/plan"
	"github.com/kubectl-mig/kubectl-mig/plugins/rollback"
	"github.com/kubectl-mig/kubectl-mig/plugins/setup"
	"github.com/kubectl-mig/kubectl-mig/plugins/version"
)

// NewCmdMig builds the whole command tree on env.
func NewCmdMig(env *cli.Env) *cobra.Command {
	return newCmdMig(env, &profiler{})
}

func newCmdMig(env *cli.Env, prof *profiler) *cobra.Command {
	name := env.Name()
	cmd := &cobra.Command{
		Use:   "mig",
		Short: "Migrate applications between clusters with MTC and Karmada, and untangle failed migrations",
		Long: name + ` drives the Migration Toolkit for Containers (MTC) from the command line:
set up clusters and storage, create and validate migration plans, run stage and
cutover migrations and follow them to their outcome, roll back, diagnose failures
live or from a must-gather, and gather a redacted support bundle. It also takes
over existing workloads with Karmada in batches and rolls back safely.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: name},
		SilenceErrors: true,
		SilenceUsage:  true,
		// The profile starts once flags are parsed; Main stops it.
		PersistentPreRunE: func(*cobra.Command, []string) error { return prof.start() },
	}
	cmd.SetIn(env.Streams.In)
	cmd.SetOut(env.Streams.Out)
	cmd.SetErr(env.Streams.ErrOut)
	env.AddFlags(cmd.PersistentFlags())
	addKlogVerbosity(cmd)
	prof.addFlags(cmd)
	cmd.AddCommand(commands(env)...)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.Usagef("%v", err) })
	return cmd
}

// commands lists every verb. One explicit list, no init() registration.
func commands(env *cli.Env) []*cobra.Command {
	return []*cobra.Command{
		version.NewCmdVersion(env),
		plan.NewCmdPlan(env),
		migrate.NewCmdMigrate(env),
		migrate.NewCmdMigration(env),
		rollback.NewCmdRollback(env),
		setup.NewCmdCluster(env),
		setup.NewCmdStorage(env),
		setup.NewCmdHook(env),
		diagnose.NewCmdDiagnose(env),
		gather.NewCmdGather(env),
		metrics.NewCmdMetrics(env),
		karmada.NewCmdKarmada(env),
		logs.NewCmdLogs(env),
	}
}

// addKlogVerbosity exposes klog's -v (and only it), as kubectl does, so
// `-v=1` prints request counts and `-v=6` the API calls.
func addKlogVerbosity(cmd *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	cmd.PersistentFlags().AddGoFlag(fs.Lookup("v"))
}

// Main runs the command line args (without the program name) and returns the
// process exit code. verb is "" for the umbrella binary, or the verb a thin
// kubectl-mig-<verb> binary stands for: kubectl strips "mig <verb>" from the
// arguments it passes to such a binary, so Main puts the verb back.
func Main(verb string, args []string, streams genericiooptions.IOStreams) int {
	env := cli.NewEnv(streams)
	prof := &profiler{}
	cmd := newCmdMig(env, prof)
	if verb != "" {
		args = append([]string{verb}, args...)
	}
	cmd.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	executed, err := cmd.ExecuteContextC(ctx)
	err = usageFromCobra(err)
	if perr := prof.stop(); err == nil {
		err = perr
	}
	if err != nil {
		path := env.Name()
		if executed != nil {
			path = executed.CommandPath()
		}
		cli.PrintError(streams.ErrOut, path, err)
	}
	return cli.ExitCode(err)
}

// usageFromCobra marks the argument errors cobra itself raises (required
// flags, argument counts, unknown commands) as usage errors, so they exit 2
// with a pointer to --help like every other input mistake.
func usageFromCobra(err error) error {
	if err == nil || cli.ExitCode(err) != cli.ExitFailure {
		return err
	}
	msg := err.Error()
	for _, prefix := range []string{"required flag", "unknown command", "accepts ", "requires at least", "requires at most",
		"if any flags in the group", "none of the others can be", "at least one of the flags"} {
		if strings.HasPrefix(msg, prefix) {
			return cli.Usagef("%s", msg)
		}
	}
	return err
}
