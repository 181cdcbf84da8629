package volumes

import (
	"regexp"
	"strings"

	mtc "github.com/kubectl-mig/kubectl-mig/engine/api/mtc/v1alpha1"
)

// volumeConditionTypes are the MigPlan conditions about volumes. Those that
// name no listed volume are still shown, for the plan as a whole.
var volumeConditionTypes = map[string]bool{
	mtc.ConditionPvInvalidAction:                   true,
	mtc.ConditionPvInvalidStorageClass:             true,
	mtc.ConditionPvInvalidAccessMode:               true,
	mtc.ConditionPvNoCopyMethodSelection:           true,
	mtc.ConditionPvInvalidCopyMethod:               true,
	mtc.ConditionPvNoSupportedAction:               true,
	mtc.ConditionPvNoStorageClassSelection:         true,
	mtc.ConditionPvWarnAccessModeUnavailable:       true,
	mtc.ConditionPvWarnCopyMethodSnapshot:          true,
	mtc.ConditionPvWarnNoCephAvailable:             true,
	mtc.ConditionPvNameConflict:                    true,
	mtc.ConditionPvCapacityAdjustmentRequired:      true,
	mtc.ConditionPvUsageAnalysisFailed:             true,
	mtc.ConditionPvLimitExceeded:                   true,
	mtc.ConditionNfsNotAccessible:                  true,
	mtc.ConditionNfsAccessCannotBeValidated:        true,
	mtc.ConditionStorageClassConversionUnavailable: true,
}

// itemList matches the first non-empty bracketed list of a condition
// message: the controller renders a condition's items there as "[a,b,c]"
// (and parses them back the same way).
var itemList = regexp.MustCompile(`\[[^\]]+\]`)

// Items returns the names listed in brackets in a condition message, e.g.
// ["pv-1", "pv-2"] for "PV in `persistentVolumes` [pv-1,pv-2] has an
// unsupported `action`."
func Items(message string) []string {
	found := itemList.FindString(message)
	if found == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(strings.Trim(found, "[]"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// attachConditions puts each Warn/Error/Critical volume condition next to
// the volumes its items name, and returns those that name none of them. Items are PV names for most Pv* conditions but PVC names for
// PvCapacityAdjustmentRequired and PvNameConflict, so all are tried.
func attachConditions(cs mtc.Conditions, vols []Volume) []mtc.Condition {
	var planWide []mtc.Condition
	for _, c := range cs {
		if !shown(c) || !aboutVolumes(c.Type) {
			continue
		}
		matched := false
		for _, item := range Items(c.Message) {
			for i := range vols {
				if names(&vols[i], item) && !hasType(vols[i].Conditions, c.Type) {
					vols[i].Conditions = append(vols[i].Conditions, c)
					matched = true
				}
			}
		}
		if !matched {
			planWide = append(planWide, c)
		}
	}
	return planWide
}

// aboutVolumes reports whether a condition type concerns volumes: the known
// ones, and any Pv* type a newer MTC may add. Other conditions also list
// names in brackets (PlanConflict lists plans), which must not be mistaken
// for volumes.
func aboutVolumes(t string) bool {
	return volumeConditionTypes[t] || strings.HasPrefix(t, "Pv")
}

// shown reports whether a condition is worth showing with the volumes:
// asserted Warn, Error or Critical ones, plus PvCapacityAdjustmentRequired
// even when False, which MTC uses for "will be adjusted automatically".
func shown(c mtc.Condition) bool {
	switch c.Category {
	case mtc.CategoryWarn, mtc.CategoryError, mtc.CategoryCritical:
	default:
		return false
	}
	return c.IsTrue() || c.Type == mtc.ConditionPvCapacityAdjustmentRequired
}

// names reports whether a condition item designates v: its PV name, its
// PVC's source name, "src:dest" mapping or "namespace/name".
func names(v *Volume, item string) bool {
	switch item {
	case v.PV, v.PVC.Name, v.PVC.String(), v.PVC.Name + ":" + v.PVC.DestinationName:
		return true
	}
	return false
}

func hasType(cs []mtc.Condition, t string) bool {
	for _, c := range cs {
		if c.Type == t {
			return true
		}
	}
	return false
}
