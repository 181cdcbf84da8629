package rules

import (
	"fmt"
	"sort"
)

// hitGroup is the hits of one log pattern about one object.
type hitGroup struct {
	cluster string
	obj     ObjectRef
	hits    []LogHit
}

// groupHits groups hits by the object a function derives from each line,
// keeping groups in a stable order.
func groupHits(hits []LogHit, objOf func(LogHit) ObjectRef) []hitGroup {
	idx := map[string]int{}
	var out []hitGroup
	for _, h := range hits {
		o := objOf(h)
		k := h.Ref.Cluster + "|" + o.String()
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, hitGroup{cluster: h.Ref.Cluster, obj: o})
		}
		out[i].hits = append(out[i].hits, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].cluster != out[j].cluster {
			return out[i].cluster < out[j].cluster
		}
		return out[i].obj.String() < out[j].obj.String()
	})
	return out
}

// logEvidence is evidence for at most n hits, then a count of the rest.
func logEvidence(hits []LogHit, n int, msg func(LogHit) string) []Evidence {
	var out []Evidence
	for i, h := range hits {
		if i == n {
			out = append(out, Evidence{Type: "log", Message: fmt.Sprintf("%d more matching lines", len(hits)-n)})
			break
		}
		out = append(out, h.evidence(msg(h)))
	}
	return out
}

// podOfLog is the object for a hit: the pod that wrote the log, or the
// Backup/Restore the log belongs to.
func podOfLog(h LogHit) ObjectRef {
	if h.Ref.Pod != "" {
		return ref("Pod", h.Ref.Namespace, h.Ref.Pod)
	}
	if kind, ns, name := veleroObjectOf(h); name != "" {
		return ref(kind, ns, name)
	}
	return ref("Log", "", h.Ref.Path)
}

// lineMessage summarises a parsed log line for evidence.
func lineMessage(h LogHit) string {
	e := h.Entry
	switch {
	case e.Error != "" && e.Msg != "":
		return fmt.Sprintf("%s: %s", e.Msg, e.Error)
	case e.Error != "":
		return e.Error
	case e.Msg != "":
		return e.Msg
	}
	return h.Text
}
