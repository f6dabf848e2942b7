package core_test

import (
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestHardBudgetRefusesUnpricedModels: a model with no known price costs
// nothing in every estimate and charge, so under a hard budget it would
// be served without limit. The core refuses it there (budget_exceeded,
// saying why), serves it where no hard budget applies (a soft one, or a
// hard one of another provider), and serves a model priced at zero (free)
// as before.
func TestHardBudgetRefusesUnpricedModels(t *testing.T) {
	now := abi.UnixNano(1_767_225_600_000_000_000)
	setup := func(budget abi.Budget) *core.Machine {
		t.Helper()
		m, err := core.New(abi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range []abi.Event{
			{Provider: &abi.Provider{ID: "p"}},
			{Provider: &abi.Provider{ID: "q"}},
			{Model: &abi.Model{Provider: "p", Name: "unpriced", Unpriced: true}},
			{Model: &abi.Model{Provider: "p", Name: "free"}},
			{Model: &abi.Model{Provider: "p", Name: "priced", Price: abi.Price{Input: 1000, Output: 1000}}},
			{Key: &abi.Key{ID: "p-1", Provider: "p"}},
			{Key: &abi.Key{ID: "q-1", Provider: "q"}},
			{Budget: &budget},
		} {
			ev.V, ev.Now = abi.Version, now
			var fx abi.Effects
			m.Apply(&ev, &fx)
			if fx.Code != abi.OK {
				t.Fatalf("%+v: %s %s", ev, fx.Code, fx.Message)
			}
		}
		return m
	}
	route := func(m *core.Machine, model string) abi.Decision {
		var d abi.Decision
		m.Route(&abi.RouteRequest{V: abi.Version, Now: now, Model: model, InputTokens: 100, MaxOutputTokens: 100}, &d)
		return d
	}
	limit := abi.NanoUSD(1_000_000_000) // $1
	for _, tc := range []struct {
		name     string
		budget   abi.Budget
		unpriced abi.Code
	}{
		{"global hard", abi.Budget{ID: "b", Limit: limit, Period: abi.Daily}, abi.BudgetExceeded},
		{"hard on the provider", abi.Budget{ID: "b", Scope: abi.ScopeProvider, Target: "p", Limit: limit, Period: abi.Daily}, abi.BudgetExceeded},
		{"hard on another provider", abi.Budget{ID: "b", Scope: abi.ScopeProvider, Target: "q", Limit: limit, Period: abi.Daily}, abi.OK},
		{"global soft", abi.Budget{ID: "b", Limit: limit, Period: abi.Daily, Enforcement: abi.Soft}, abi.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := setup(tc.budget)
			d := route(m, "unpriced")
			if d.Code != tc.unpriced {
				t.Fatalf("unpriced: %s (%s), want %s", d.Code, d.Explanation, tc.unpriced)
			}
			if d.Code != abi.OK && !strings.Contains(string(d.Explanation), `hard budget b cannot bound the cost of model "unpriced": it has no price`) {
				t.Errorf("unpriced refused with %q: it should say the model has no price", d.Explanation)
			}
			for _, model := range []string{"free", "priced"} {
				if d := route(m, model); d.Code != abi.OK {
					t.Errorf("%s: %s (%s), want served", model, d.Code, d.Explanation)
				}
			}
		})
	}
}
