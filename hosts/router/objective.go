package router

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// maxWeight is the largest weight the core takes ([core.MaxWeightMilli]),
// in the units users write: a weight of 0.7 is 700 thousandths.
const maxWeight = core.MaxWeightMilli / 1000

// goalAliases are LLM-API-Key-Proxy's rotation modes, by the goal that
// does what they do: both spread requests evenly over the keys.
var goalAliases = map[string]abi.Goal{
	"round-robin": abi.GoalFairness, "round_robin": abi.GoalFairness,
	"least-used": abi.GoalFairness, "least_used": abi.GoalFairness,
}

// ParseObjective reads an objective as users write it — in the
// x-apikeyrouter-objective header, configuration or [Request]: a goal name
// (cost, reliability, fairness, latency, quota; round-robin and least-used
// are fairness), or a JSON object
// {"primary":"cost","secondary":["reliability"],"weights":{"cost":0.7,"reliability":0.3}}.
// The empty string is the configured default. It checks the form only:
// what it returns may still break the core's rules ([core.CheckObjective]),
// five secondary goals say, which the core refuses.
func ParseObjective(s string) (abi.Objective, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return abi.Objective{}, nil
	case !strings.HasPrefix(s, "{"):
		g, err := parseGoal(s)
		return abi.Objective{Primary: g}, err
	}
	var in struct {
		Primary   string             `json:"primary"`
		Secondary []string           `json:"secondary"`
		Weights   map[string]float64 `json:"weights"`
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return abi.Objective{}, fmt.Errorf("objective: %v", err)
	}
	var o abi.Objective
	var err error
	if o.Primary, err = parseGoal(in.Primary); err != nil {
		return o, err
	}
	for _, name := range in.Secondary {
		g, err := parseGoal(name)
		if err != nil {
			return o, err
		}
		o.Secondary = append(o.Secondary, g)
	}
	// In the names' order, not the map's: with several bad weights, the
	// error names the same one every time.
	for _, name := range slices.Sorted(maps.Keys(in.Weights)) {
		w := in.Weights[name]
		g, err := parseGoal(name)
		if err != nil {
			return o, err
		}
		if w < 0 || w > maxWeight || math.IsNaN(w) {
			return o, fmt.Errorf("objective: weight %v for %s must be between 0 and %d", w, name, maxWeight)
		}
		o.Weights = append(o.Weights, abi.Weight{Goal: g, Milli: int64(math.Round(w * 1000))})
	}
	slices.SortStableFunc(o.Weights, func(a, b abi.Weight) int { return int(a.Goal) - int(b.Goal) })
	return o, nil
}

func parseGoal(s string) (abi.Goal, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if g, ok := goalAliases[s]; ok {
		return g, nil
	}
	g, err := abi.ParseGoal(s)
	if err != nil || g == abi.GoalDefault {
		return 0, fmt.Errorf("objective: unknown goal %q (want cost, reliability, fairness, latency or quota)", s)
	}
	return g, nil
}
