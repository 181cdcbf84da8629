package logs

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"golang.org/x/term"

	"github.com/kubectl-mig/kubectl-mig/diagnose/logscan"
	englogs "github.com/kubectl-mig/kubectl-mig/engine/logs"
)

// printer writes merged lines as text (cluster/component/pod prefix,
// optionally coloured and timestamped) or as one JSON object per line.
type printer struct {
	w          *bufio.Writer
	json       bool
	timestamps bool
	colour     bool
	enc        *json.Encoder
	buf        []byte
}

func newPrinter(out io.Writer, asJSON, timestamps, colour bool) *printer {
	w := bufio.NewWriterSize(out, 64<<10)
	p := &printer{w: w, json: asJSON, timestamps: timestamps, colour: colour && !asJSON}
	if asJSON {
		p.enc = json.NewEncoder(w)
		p.enc.SetEscapeHTML(false)
	}
	return p
}

// WriteLine implements englogs.Sink.
func (p *printer) WriteLine(l englogs.Line) error {
	if p.json {
		return p.enc.Encode(jsonLineOf(l))
	}
	b := p.buf[:0]
	if p.timestamps {
		if l.Time.IsZero() {
			b = append(b, '-')
		} else {
			b = l.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		}
		b = append(b, ' ')
	}
	if p.colour {
		b = append(b, componentColour[l.Component]...)
	}
	b = append(b, Prefix(l)...)
	if p.colour {
		b = append(b, colourReset...)
	}
	b = append(b, ' ')
	b = append(b, l.Text...)
	b = append(b, '\n')
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

// Flush implements englogs.Sink.
func (p *printer) Flush() error { return p.w.Flush() }

// Prefix is "cluster/component/pod", plus "/container" when the container's
// name is not the component's (mig-controller's mtc and discovery, a
// node-agent, a stage pod's sleep-N, a hook's job container).
func Prefix(l englogs.Line) string {
	s := l.Cluster + "/" + string(l.Component) + "/" + l.Pod
	if l.Container != string(l.Component) {
		s += "/" + l.Container
	}
	return s
}

// jsonLine is the -o json form of a line: where it comes from, the fields
// tools need most, parsed from Velero/restic logfmt, mig-controller's zap JSON
// or klog, and the raw line.
type jsonLine struct {
	Time      string            `json:"time,omitempty"`
	Cluster   string            `json:"cluster"`
	Component string            `json:"component"`
	Namespace string            `json:"namespace"`
	Pod       string            `json:"pod"`
	Container string            `json:"container"`
	Format    string            `json:"format"`
	Level     string            `json:"level,omitempty"`
	Msg       string            `json:"msg,omitempty"`
	Error     string            `json:"error,omitempty"`
	LogSource string            `json:"logSource,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Line      string            `json:"line"`
}

func jsonLineOf(l englogs.Line) jsonLine {
	e := logscan.ParseLine(l.Text)
	out := jsonLine{
		Cluster: l.Cluster, Component: string(l.Component), Namespace: l.Namespace, Pod: l.Pod, Container: l.Container,
		Format: e.Format, Level: e.Level, Msg: e.Msg, Error: e.Error, LogSource: e.Source, Fields: e.Fields, Line: l.Text,
	}
	if !l.Time.IsZero() {
		out.Time = l.Time.UTC().Format(time.RFC3339Nano)
	}
	out.Fields = otherFields(e)
	return out
}

// otherFields are the parsed fields not already given their own key.
func otherFields(e logscan.Entry) map[string]string {
	if len(e.Fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		switch {
		case k == "level" && v == e.Level, (k == "msg" || k == "message") && v == e.Msg,
			(k == "error" || k == "error.message" || k == "err") && v == e.Error,
			(k == "logSource" || k == "caller") && v == e.Source, k == "time":
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

const colourReset = "\x1b[0m"

// componentColour gives each component one colour, as the log reader's
// "color" container does per pod; red is left for nothing so that it never
// suggests an error.
var componentColour = map[englogs.Component]string{
	englogs.Controller: "\x1b[36m", // cyan
	englogs.Velero:     "\x1b[35m", // magenta
	englogs.Restic:     "\x1b[34m", // blue
	englogs.Rsync:      "\x1b[32m", // green
	englogs.Stunnel:    "\x1b[33m", // yellow
	englogs.Registry:   "\x1b[94m", // bright blue
	englogs.Hooks:      "\x1b[95m", // bright magenta
	englogs.Stage:      "\x1b[96m", // bright cyan
}

// colourWanted: colours on a terminal only, unless --plain, NO_COLOR
// (https://no-color.org) or TERM=dumb say otherwise.
func colourWanted(out io.Writer, plain bool, getenv func(string) string) bool {
	if plain || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := out.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
