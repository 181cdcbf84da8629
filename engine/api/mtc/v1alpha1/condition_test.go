package v1alpha1

import (
	"reflect"
	"testing"
)

func cond(t, status, category string) Condition {
	return Condition{Type: t, Status: status, Category: category}
}

func TestConditionsHelpers(t *testing.T) {
	cs := Conditions{
		cond(ConditionReady, ConditionTrue, CategoryRequired),
		cond(ConditionPlanNotReady, ConditionTrue, CategoryCritical),
		cond(ConditionPlanConflict, ConditionTrue, CategoryError),
		cond(ConditionPodLimitExceeded, ConditionTrue, CategoryWarn),
		cond(ConditionPvLimitExceeded, ConditionFalse, CategoryWarn),
		cond(ConditionClosed, ConditionFalse, CategoryCritical),
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Find present", cs.Find(ConditionPlanConflict).Category, CategoryError},
		{"Find absent", cs.Find(ConditionSucceeded) == nil, true},
		{"HasCondition true", cs.HasCondition(ConditionSucceeded, ConditionReady), true},
		{"HasCondition ignores False", cs.HasCondition(ConditionPvLimitExceeded), false},
		{"HasCondition absent", cs.HasCondition(ConditionFailed), false},
		{"IsReady", cs.IsReady(), true},
		{"HasCritical", cs.HasCritical(), true},
		{"HasBlocker", cs.HasBlocker(), true},
		{"Blockers skip False", condTypes(cs.Blockers()), []string{ConditionPlanNotReady, ConditionPlanConflict}},
		{"Warnings", condTypes(cs.Warnings()), []string{ConditionPodLimitExceeded}},
		{"ByCategory none", condTypes(cs.ByCategory(CategoryAdvisory)), []string(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestConditionsEmpty(t *testing.T) {
	var cs Conditions
	if cs.IsReady() || cs.HasBlocker() || cs.HasCritical() || cs.Find(ConditionReady) != nil {
		t.Error("empty conditions must report nothing")
	}
	if (*Condition)(nil).IsTrue() || (*Condition)(nil).IsBlocker() {
		t.Error("nil condition must be false")
	}
}

func TestConditionIsBlocker(t *testing.T) {
	tests := []struct {
		c    Condition
		want bool
	}{
		{cond("A", ConditionTrue, CategoryCritical), true},
		{cond("A", ConditionTrue, CategoryError), true},
		{cond("A", ConditionTrue, CategoryWarn), false},
		{cond("A", ConditionTrue, CategoryRequired), false},
		{cond("A", ConditionFalse, CategoryCritical), false},
	}
	for _, tt := range tests {
		t.Run(tt.c.Category+"/"+tt.c.Status, func(t *testing.T) {
			if got := tt.c.IsBlocker(); got != tt.want {
				t.Errorf("IsBlocker() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFindReturnsElement(t *testing.T) {
	cs := Conditions{cond(ConditionReady, ConditionTrue, CategoryRequired)}
	cs.Find(ConditionReady).Message = "edited"
	if cs[0].Message != "edited" {
		t.Error("Find must return a pointer into the slice")
	}
}

func condTypes(cs []Condition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Type)
	}
	return out
}
