package snapshot

import (
	"time"
)

// newestTime is when a bundle was taken: the newest creation or transition
// time among its MTC objects, so "pending for 10 minutes" is measured at
// gather time and not at the time someone reads the bundle.
func newestTime(s Snapshot) time.Time {
	var newest time.Time
	for _, c := range s.Clusters() {
		for _, k := range append(append([]Kind{}, MTCKinds...), Event, Pod) {
			objs, err := s.Objects(c, k)
			if err != nil {
				continue
			}
			for _, o := range objs {
				if t := o.GetCreationTimestamp().Time; t.After(newest) {
					newest = t
				}
				conds, _, _ := nestedSlice(o.Object, "status", "conditions")
				for _, c := range conds {
					m, _ := c.(map[string]any)
					if s, _ := m["lastTransitionTime"].(string); s != "" {
						if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(newest) {
							newest = t
						}
					}
				}
				for _, key := range []string{"lastTimestamp", "eventTime"} {
					if s, _ := o.Object[key].(string); s != "" {
						if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(newest) {
							newest = t
						}
					}
				}
			}
		}
	}
	if newest.IsZero() {
		return time.Now()
	}
	return newest
}

func nestedSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	s, ok := cur.([]any)
	return s, ok, nil
}
