package collect

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-mig/kubectl-mig/engine/mustgather"
)

// maxFaultsShown bounds the fault list in summary.md (errors.json has all).
const maxFaultsShown = 50

// renderSummary writes summary.md: what a person opening the bundle reads
// first.
func renderSummary(m mustgather.Manifest, plans []mustgather.PlanIndex, ms metricsSummary) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# kubectl-mig gather\n\n")
	w("- Tool: %s %s (%s)\n", m.Tool.Name, m.Tool.Version, m.Tool.Commit)
	w("- Started: %s, took %s\n", m.StartedAt.UTC().Format(time.RFC3339), m.FinishedAt.Sub(m.StartedAt).Round(time.Millisecond))
	if m.Window.Since != nil {
		w("- Logs since: %s\n", m.Window.Since.UTC().Format(time.RFC3339))
	} else {
		w("- Logs since: everything the nodes keep\n")
	}
	status := "complete"
	if m.Partial {
		status = fmt.Sprintf("**partial**: %d faults, see errors.json", len(m.Faults))
	}
	w("- Status: %s\n\n", status)

	w("## Clusters\n\n| Cluster | MigCluster | Host | Version | Reachable | MTC namespaces | Namespaces gathered |\n|---|---|---|---|---|---|---|\n")
	for _, c := range m.Clusters {
		w("| %s | %s | %v | %s | %v | %s | %d (+%d with helper pods only) |\n", c.Name, dash(c.MigCluster), c.Host, dash(c.Version),
			c.Reachable, dash(strings.Join(c.MTCNamespaces, ", ")), len(c.Namespaces), len(c.PodOnlyNamespaces))
	}

	w("\n## Migration plans\n\n")
	if len(plans) == 0 {
		w("No MigPlan found on the host cluster.\n")
	} else {
		w("| Plan | Source | Destination | Namespaces | Migrations | Backups | Restores | DVMs | Helper pods |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, p := range plans {
			var nss []string
			for _, n := range p.Namespaces {
				if n.Source == n.Destination {
					nss = append(nss, n.Source)
				} else {
					nss = append(nss, n.Source+"→"+n.Destination)
				}
			}
			backups, restores, dvms := 0, 0, 0
			for _, mig := range p.Migrations {
				backups += len(mig.Backups)
				restores += len(mig.Restores)
				dvms += len(mig.DirectVolumeMigrations)
			}
			w("| %s/%s | %s | %s | %s | %d | %d | %d | %d | %d |\n", p.Namespace, p.Name, side(p.Source), side(p.Destination),
				dash(strings.Join(nss, ", ")), len(p.Migrations), backups, restores, dvms, len(p.Pods))
		}
		w("\nEach plan has an index in `migplans/<namespace>/<plan>.json` pointing to its files.\n")
	}

	w("\n## Metrics\n\n")
	switch {
	case ms.Source != "":
		w("- Prometheus: %s, %d queries, %d series (metrics/prometheus/)\n", ms.Source, ms.Queries, ms.Series)
	case ms.Note != "":
		w("- Prometheus: %s\n", ms.Note)
	default:
		w("- Prometheus: not queried\n")
	}
	scraped := append([]string(nil), ms.Scraped...)
	sort.Strings(scraped)
	for _, s := range scraped {
		w("- Controller /metrics: %s\n", s)
	}

	w("\n## Steps\n\n| Step | Cluster | Duration | Items | Faults |\n|---|---|---|---|---|\n")
	for _, s := range m.Steps {
		w("| %s | %s | %.0f ms | %d | %d |\n", s.Name, dash(s.Cluster), s.DurationMS, s.Items, s.Errors)
	}

	if len(m.Faults) > 0 {
		w("\n## Faults\n\n")
		for i, f := range m.Faults {
			if i == maxFaultsShown {
				w("- … and %d more in errors.json\n", len(m.Faults)-maxFaultsShown)
				break
			}
			where := f.Cluster
			if where == "" {
				where = "-"
			}
			w("- [%s] %s %s: %s\n", f.Kind, where, f.Step, oneLine(f.Message))
		}
	}
	w("\n## Redaction\n\nSecret values are elided (`<N> bytes long`; ca.crt, tls.crt and service-ca.crt kept), " +
		"last-applied-configuration annotations removed, and credentials in objects, environment variables, logs " +
		"and ConfigMaps replaced by `<redacted>`. Files are readable by their owner only.\n")
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func side(c mustgather.PlanCluster) string {
	if c.Cluster == "" {
		return c.MigCluster + " (not gathered)"
	}
	return c.MigCluster
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
