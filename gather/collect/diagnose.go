package collect

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kubectl-mig/kubectl-mig/diagnose/report"
	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/kubectl-mig/kubectl-mig/diagnose/snapshot"
	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// diagnoseLogTail is how many lines of each relevant log the diagnosis
// reads (the diagnose command's default).
const diagnoseLogTail = 2000

// gatherDiagnosis runs the diagnose rule catalogue on the live clusters,
// alongside the log downloads, and writes its findings (JSON and text,
// redacted like everything else) into the bundle.
func (g *gatherer) gatherDiagnosis(p *pool, runs []*clusterRun) {
	host := hostRun(runs)
	if !g.cfg.Diagnose || host == nil {
		return
	}
	p.GoAs("diagnose", host.spec.Name, func(ctx context.Context) {
		rep, err := g.diagnose(ctx, host, runs)
		if err != nil {
			g.faults.record(host.spec.Name, "diagnose", "diagnose rules", mustgather.DiagnoseJSON, err)
			return
		}
		var js, txt bytes.Buffer
		if err := report.WriteJSON(&js, rep); err != nil {
			g.faults.record(host.spec.Name, "diagnose", "encode", mustgather.DiagnoseJSON, err)
			return
		}
		if err := report.WriteTable(&txt, rep, report.TableOptions{Verbose: true}); err != nil {
			g.faults.record(host.spec.Name, "diagnose", "encode", mustgather.DiagnoseText, err)
			return
		}
		for path, data := range map[string][]byte{mustgather.DiagnoseJSON: js.Bytes(), mustgather.DiagnoseText: txt.Bytes()} {
			if err := g.bundle.WriteFile(context.WithoutCancel(ctx), path, []byte(g.redactor.String(string(data)))); err != nil {
				g.faults.record(host.spec.Name, "diagnose", "write", path, err)
			}
		}
	})
}

func (g *gatherer) diagnose(ctx context.Context, host *clusterRun, runs []*clusterRun) (*rules.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*g.cfg.RequestTimeout+time.Minute)
	defer cancel()
	snap, err := snapshot.OpenLive(ctx, snapshot.LiveConfig{
		Host: host.cfg, HostName: host.spec.Name, Namespace: g.cfg.MTCNamespace,
		LogTail: diagnoseLogTail, Concurrency: 4,
		Remote: func(_ context.Context, name string) (*rest.Config, error) {
			for _, c := range runs {
				if c.spec.MigCluster == name || c.spec.Name == name {
					return c.cfg, nil
				}
			}
			return nil, fmt.Errorf("MigCluster %s was not reachable for the gather", name)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("read the live clusters: %w", err)
	}
	return rules.Run(ctx, snap, rules.Config{Namespace: g.cfg.MTCNamespace, Now: time.Now()}, rules.Catalogue())
}
