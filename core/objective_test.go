package core

import (
	"errors"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestCheckObjectiveIsTheCoresRule: CheckObjective, which hosts call to
// refuse an objective up front, refuses exactly what New (a config's
// default objective) and Route (a request's) refuse, with the same code and
// message, so a host that uses it cannot drift from the core.
func TestCheckObjectiveIsTheCoresRule(t *testing.T) {
	w := func(g abi.Goal, milli int64) abi.Weight { return abi.Weight{Goal: g, Milli: milli} }
	for _, tc := range []struct {
		name string
		o    abi.Objective
		msg  string // "" if valid
	}{
		{"default", abi.Objective{}, ""},
		{"one goal", abi.Objective{Primary: abi.GoalCost}, ""},
		{"four secondaries", abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalFairness, abi.GoalReliability, abi.GoalLatency, abi.GoalQuota}}, ""},
		{"largest weight", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, MaxWeightMilli)}}, ""},
		{"weight for an unnamed goal", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalQuota, 1)}}, ""},
		{"one zero weight", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, 0), w(abi.GoalLatency, 1)}}, ""},
		{"secondaries without a primary", abi.Objective{Secondary: []abi.Goal{abi.GoalCost}},
			"an objective with secondary goals or weights needs a primary goal"},
		{"weights without a primary", abi.Objective{Weights: []abi.Weight{w(abi.GoalCost, 1)}},
			"an objective with secondary goals or weights needs a primary goal"},
		{"unknown primary", abi.Objective{Primary: abi.GoalQuota + 1}, "unknown goal 6"},
		{"five secondaries", abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalFairness, abi.GoalReliability, abi.GoalLatency, abi.GoalQuota, abi.GoalFairness}},
			"at most 4 secondary goals"},
		{"secondary is the primary", abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalCost}},
			"secondary goal cost is unknown or repeated"},
		{"secondary twice", abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalQuota, abi.GoalQuota}},
			"secondary goal quota is unknown or repeated"},
		{"default secondary", abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalDefault}},
			"secondary goal default is unknown or repeated"},
		{"seven weights", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(1, 1), w(2, 1), w(3, 1), w(4, 1), w(5, 1), w(1, 1), w(2, 1)}},
			"at most 5 weights"},
		{"weighted twice", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, 1), w(abi.GoalCost, 1)}},
			"weight for goal cost is unknown or repeated"},
		{"default weighted", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalDefault, 1)}},
			"weight for goal default is unknown or repeated"},
		{"negative weight", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, -1)}},
			"weight -1 for cost out of range 0..1000000"},
		{"weight too large", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, MaxWeightMilli+1)}},
			"weight 1000001 for cost out of range 0..1000000"},
		{"weights sum to zero", abi.Objective{Primary: abi.GoalCost, Weights: []abi.Weight{w(abi.GoalCost, 0), w(abi.GoalLatency, 0)}},
			"weights sum to zero"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := CheckObjective(tc.o)
			if msg := errMessage(t, check); msg != tc.msg {
				t.Fatalf("CheckObjective: %q, want %q", msg, tc.msg)
			}
			_, err := New(abi.Config{Objective: tc.o})
			if msg := errMessage(t, err); msg != tc.msg {
				t.Errorf("New: %q, want CheckObjective's %q", msg, tc.msg)
			}
			m, err := New(abi.Config{})
			if err != nil {
				t.Fatal(err)
			}
			var d abi.Decision
			m.Route(&abi.RouteRequest{V: abi.Version, Now: rigStart, Model: "m", Objective: tc.o, DryRun: true}, &d)
			if refused := d.Code == abi.InvalidArgument; refused != (tc.msg != "") || refused && d.Message != tc.msg {
				t.Errorf("Route: %s %q, want CheckObjective's %q", d.Code, d.Message, tc.msg)
			}
		})
	}
}

// errMessage is an *abi.Error's message ("" for nil); any other error or
// code fails the test.
func errMessage(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *abi.Error
	if !errors.As(err, &e) || e.Code != abi.InvalidArgument {
		t.Fatalf("%v is not an invalid_argument *abi.Error", err)
	}
	return e.Message
}
