package diagnose

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
)

// ruleInfo is one catalogue entry for --list-rules -o json|yaml.
type ruleInfo struct {
	ID          string         `json:"id"`
	Severity    rules.Severity `json:"severity"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Fix         string         `json:"fix"`
	Docs        string         `json:"docs,omitempty"`
}

func listRules(w io.Writer, rs []rules.Rule, format string) error {
	infos := make([]ruleInfo, 0, len(rs))
	for _, r := range rs {
		m := r.Meta()
		infos = append(infos, ruleInfo{ID: m.ID, Severity: m.Severity, Title: m.Title, Description: m.Description, Fix: m.Fix, Docs: m.Docs})
	}
	switch format {
	case "json":
		b, err := json.MarshalIndent(infos, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(infos)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", i.ID, i.Severity, i.Title)
	}
	return tw.Flush()
}
