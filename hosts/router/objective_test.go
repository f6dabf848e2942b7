package router

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestParseObjectiveWeightBoundIsTheCores: the largest weight a user may
// write is the core's largest, in thousandths, and the core takes it.
func TestParseObjectiveWeightBoundIsTheCores(t *testing.T) {
	o, err := ParseObjective(`{"primary":"cost","weights":{"cost":1000}}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []abi.Weight{{Goal: abi.GoalCost, Milli: core.MaxWeightMilli}}; !equalObjective(o, abi.Objective{Primary: abi.GoalCost, Weights: want}) {
		t.Fatalf("got %+v, want weights %+v", o, want)
	}
	if err := core.CheckObjective(o); err != nil {
		t.Fatalf("the core refuses the largest weight: %v", err)
	}
	_, err = ParseObjective(`{"primary":"cost","weights":{"cost":1000.001}}`)
	if want := "objective: weight 1000.001 for cost must be between 0 and 1000"; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// TestParseObjectiveErrorIsDeterministic: with several bad weights, the
// error names the same one every time (the first name in byte order), not
// whichever the JSON map's iteration order gave first.
func TestParseObjectiveErrorIsDeterministic(t *testing.T) {
	const in = `{"primary":"cost","weights":{"speed":1,"cost":-1,"quota":2000,"Cost":1}}`
	const want = `objective: weight -1 for cost must be between 0 and 1000`
	for range 50 {
		if _, err := ParseObjective(in); err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
	}
}

// TestRotationModesAreFairness: LLM-API-Key-Proxy's rotation modes, as its
// users write them, name the goal that spreads requests evenly.
func TestRotationModesAreFairness(t *testing.T) {
	for _, s := range []string{"round-robin", "Least-Used", "least_used", "round_robin", `{"primary":"least-used","secondary":["cost"]}`} {
		o, err := ParseObjective(s)
		if err != nil || o.Primary != abi.GoalFairness {
			t.Errorf("%s: %+v, %v; want fairness", s, o, err)
		}
	}
}
