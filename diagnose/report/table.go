package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/diagnose/rules"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TableOptions tune the human output.
type TableOptions struct {
	// Color adds ANSI colours to severities; the caller decides (terminal,
	// NO_COLOR, --color).
	Color bool
	// Verbose adds the skipped rules' reasons and log statistics.
	Verbose bool
}

const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + ansiReset
}

func sevColor(s rules.Severity) string {
	switch s {
	case rules.Error:
		return ansiRed
	case rules.Warning:
		return ansiYellow
	}
	return ansiCyan
}

// WriteTable prints a summary table (severity, ID, object, summary), then a
// details block per finding with its evidence and fix, then the skipped
// rules.
func WriteTable(w io.Writer, rep *rules.Report, opt TableOptions) error {
	ew := &errWriter{w: w}
	if len(rep.Findings) == 0 {
		fmt.Fprintln(ew, "No problems found.")
	} else if err := summaryTable(ew, rep.Findings, opt); err != nil {
		return err
	}
	for i, f := range rep.Findings {
		details(ew, i+1, f, opt)
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(ew, "\n%s\n", paint(opt.Color, ansiBold, fmt.Sprintf("Skipped rules (%d): these checks did not run, so they did not pass either", len(rep.Skipped))))
		for _, s := range rep.Skipped {
			fmt.Fprintf(ew, "  %s  %s\n", s.ID, s.Reason)
		}
	}
	if opt.Verbose {
		fmt.Fprintf(ew, "\nLogs scanned: %d (%d bytes)\n", rep.Logs.Scanned, rep.Logs.Bytes)
		for _, e := range rep.Logs.Errors {
			fmt.Fprintf(ew, "  unreadable: %s\n", e)
		}
	}
	return ew.err
}

func summaryTable(w io.Writer, fs []rules.Finding, opt TableOptions) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint()),
		tablewriter.WithRendition(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Lines: tw.LinesNone, Separators: tw.SeparatorsNone},
		}),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header("#", "SEVERITY", "ID", "CLUSTER", "OBJECT", "SUMMARY")
	for i, f := range fs {
		if err := t.Append(fmt.Sprint(i+1), paint(opt.Color, sevColor(f.Severity), f.Severity.String()), f.ID, dash(f.Cluster), f.Object.String(), f.Summary); err != nil {
			return fmt.Errorf("render table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	return nil
}

func details(w io.Writer, n int, f rules.Finding, opt TableOptions) {
	fmt.Fprintf(w, "\n%s %s\n", paint(opt.Color, ansiBold, fmt.Sprintf("[%d] %s", n, f.ID)), paint(opt.Color, sevColor(f.Severity), f.Title))
	fmt.Fprintf(w, "  Object:   %s", f.Object)
	if f.Cluster != "" {
		fmt.Fprintf(w, " (cluster %s)", f.Cluster)
	}
	fmt.Fprintln(w)
	if len(f.Evidence) > 0 {
		fmt.Fprintln(w, "  Evidence:")
		for _, e := range f.Evidence {
			evidenceLine(w, e)
		}
	}
	if len(f.Related) > 0 {
		fmt.Fprintf(w, "  Related:  %s\n", strings.Join(f.Related, ", "))
	}
	fmt.Fprintln(w, "  Fix:")
	fmt.Fprintln(w, indent(f.Remediation, "    "))
	if f.Docs != "" {
		fmt.Fprintf(w, "  Docs:     %s\n", f.Docs)
	}
}

func evidenceLine(w io.Writer, e rules.Evidence) {
	var where string
	switch {
	case e.Location() != "":
		where = e.Location()
	case e.Object != nil && e.Condition != "":
		where = e.Object.String() + " condition " + e.Condition
	case e.Object != nil:
		where = e.Object.String()
	}
	if e.Cluster != "" && where != "" {
		where = e.Cluster + ": " + where
	}
	if where != "" {
		fmt.Fprintf(w, "    - %s: %s\n", where, e.Message)
	} else {
		fmt.Fprintf(w, "    - %s\n", e.Message)
	}
	if e.Excerpt != "" && e.Excerpt != e.Message {
		fmt.Fprintln(w, indent(e.Excerpt, "        | "))
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error so printing code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
