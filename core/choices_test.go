package core_test

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestChoicesMultiplyTheOutput: a request for n answers (OpenAI's n) is
// billed n answers' output, so its estimate and a hard budget's
// reservation count the output n times — with max_tokens, and with the
// model's longest answer when it has none. One answer's worth would let n
// answers through a budget with room for one. More than 128 is refused.
func TestChoicesMultiplyTheOutput(t *testing.T) {
	now := abi.UnixNano(1_767_225_600_000_000_000)
	price := abi.Price{Input: 1_000_000, Output: 1_000_000} // $1 per million tokens: 1,000 nano-USD a token
	m, err := core.New(abi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []abi.Event{
		{Provider: &abi.Provider{ID: "p"}},
		{Model: &abi.Model{Provider: "p", Name: "m", Price: price, MaxOutputTokens: 1000}},
		{Key: &abi.Key{ID: "k", Provider: "p"}},
		// Room for 100 input and 1,000 output tokens (1.1 million nano-USD), not twice that.
		{Budget: &abi.Budget{ID: "b", Limit: 1_500_000, Period: abi.Daily}},
	} {
		ev.V, ev.Now = abi.Version, now
		var fx abi.Effects
		if m.Apply(&ev, &fx); fx.Code != abi.OK {
			t.Fatalf("%s %s", fx.Code, fx.Message)
		}
	}
	route := func(choices int64, maxOut abi.Tokens) abi.Decision {
		var d abi.Decision
		m.Route(&abi.RouteRequest{V: abi.Version, Now: now, Model: "m", InputTokens: 100, MaxOutputTokens: maxOut,
			Choices: choices, DryRun: true}, &d)
		return d
	}
	for _, tc := range []struct {
		choices int64
		maxOut  abi.Tokens
		want    abi.Code
		cost    abi.NanoUSD // the estimate, when served
	}{
		{0, 1000, abi.OK, 1_100_000},
		{1, 1000, abi.OK, 1_100_000},
		{2, 1000, abi.BudgetExceeded, 0},
		{2, 500, abi.OK, 1_100_000},
		{3, 0, abi.BudgetExceeded, 0}, // the model's longest answer, three times
		{128, 1, abi.OK, 228_000},
		{129, 1, abi.InvalidArgument, 0},
		{-1, 1, abi.InvalidArgument, 0},
	} {
		d := route(tc.choices, tc.maxOut)
		if d.Code != tc.want || tc.want == abi.OK && d.EstimatedCost != tc.cost {
			t.Errorf("choices %d, max_tokens %d: %s, estimate %d (%s); want %s, %d", tc.choices, tc.maxOut, d.Code, d.EstimatedCost, d.Explanation, tc.want, tc.cost)
		}
	}
}
