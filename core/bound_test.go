package core_test

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestHardBudgetReservesThePromptsBound: a prompt counted only
// approximately may be billed more tokens than estimated, and every
// request in flight then overspends a hard budget by its shortfall. With
// the prompt's bound given, a hard budget reserves the bound (the
// estimate shown stays the estimate); without one, the estimate.
func TestHardBudgetReservesThePromptsBound(t *testing.T) {
	now := abi.UnixNano(1_767_225_600_000_000_000)
	m, err := core.New(abi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []abi.Event{
		{Provider: &abi.Provider{ID: "p"}},
		{Model: &abi.Model{Provider: "p", Name: "m", Price: abi.Price{Input: 1_000_000, Output: 1_000_000}}}, // 1,000 nano-USD a token
		{Key: &abi.Key{ID: "k", Provider: "p"}},
		{Budget: &abi.Budget{ID: "b", Limit: 1_000_000, Period: abi.Daily}}, // room for 1,000 tokens
	} {
		ev.V, ev.Now = abi.Version, now
		var fx abi.Effects
		if m.Apply(&ev, &fx); fx.Code != abi.OK {
			t.Fatalf("%s %s", fx.Code, fx.Message)
		}
	}
	for _, tc := range []struct {
		bound abi.Tokens
		want  abi.Code
	}{
		{0, abi.OK},
		{800, abi.OK},             // 800 + 100 output fit
		{950, abi.BudgetExceeded}, // 950 + 100 do not
		{400, abi.OK},             // below the estimate: the estimate counts
		{1 << 37, abi.InvalidArgument},
	} {
		var d abi.Decision
		m.Route(&abi.RouteRequest{V: abi.Version, Now: now, Model: "m", InputTokens: 500, InputTokensBound: tc.bound,
			MaxOutputTokens: 100, DryRun: true}, &d)
		if d.Code != tc.want || d.Code == abi.OK && d.EstimatedCost != 600_000 {
			t.Errorf("bound %d: %s, estimate %d (%s); want %s, 600000", tc.bound, d.Code, d.EstimatedCost, d.Explanation, tc.want)
		}
	}
}
