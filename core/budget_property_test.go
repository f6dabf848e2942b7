package core_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestHardBudgetNeverOverspends interleaves 64 concurrent requests against
// a hard budget at random — reservations, settlements to an actual cost at
// most the estimate, failures that release — and checks against a naive
// model after every step: the core admits exactly when the naive model
// has room, spent + reserved never exceeds the limit, and once everything
// has settled, spent equals the sum of the actual costs exactly.
func TestHardBudgetNeverOverspends(t *testing.T) {
	for seed := range uint64(200) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { budgetRun(t, seed) })
	}
}

// naiveCost is the price of usage, written out the slow way:
// ceil(tokens × micro-USD per million / 1000) nano-USD.
func naiveCost(in, out abi.Tokens) int64 {
	pico := int64(in)*int64(refPrice.Input) + int64(out)*int64(refPrice.Output)
	n := pico / 1000
	if pico%1000 != 0 {
		n++
	}
	return n
}

func budgetRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m, err := core.New(abi.Config{FailureThreshold: 1000}) // failures release, never cool a key down
	if err != nil {
		t.Fatal(err)
	}
	now := abi.UnixNano(1_767_225_600_000_000_000)
	apply := func(ev abi.Event) abi.Effects {
		ev.V, ev.Now = abi.Version, now
		var fx abi.Effects
		m.Apply(&ev, &fx)
		if fx.Code != abi.OK {
			t.Fatalf("%s: %s", fx.Code, fx.Message)
		}
		return fx
	}
	limit := abi.NanoUSD(1_000_000 + rng.Int64N(50_000_000)) // $0.001 .. $0.051
	apply(abi.Event{Provider: &abi.Provider{ID: "p"}})
	apply(abi.Event{Model: &abi.Model{Provider: "p", Name: "m", Price: refPrice}})
	for i := range 4 {
		apply(abi.Event{Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i)), Provider: "p"}})
	}
	apply(abi.Event{Budget: &abi.Budget{ID: "b", Limit: limit, Period: abi.Monthly}})

	type open struct {
		attempt  uint64
		in, max  abi.Tokens
		reserved int64
	}
	var (
		inFlight          []open
		spent, reserved   int64 // the naive model
		sumActual, routed int64
	)
	for step := 0; step < 2000 && (routed < 64 || len(inFlight) > 0); step++ {
		now += abi.UnixNano(abi.Millisecond)
		if routed < 64 && len(inFlight) < 64 && (len(inFlight) == 0 || rng.IntN(2) == 0) {
			in, max := abi.Tokens(1+rng.Int64N(2000)), abi.Tokens(1+rng.Int64N(2000))
			est := naiveCost(in, max)
			var d abi.Decision
			m.Route(&abi.RouteRequest{V: abi.Version, Now: now, Model: "m", InputTokens: in, MaxOutputTokens: max}, &d)
			fits := spent+reserved+est <= int64(limit)
			switch {
			case fits && d.Code != abi.OK:
				t.Fatalf("step %d: refused %s with room (spent %d reserved %d est %d limit %d): %s", step, d.Code, spent, reserved, est, limit, d.Explanation)
			case !fits && d.Code != abi.BudgetExceeded:
				t.Fatalf("step %d: %s without room (spent %d reserved %d est %d limit %d)", step, d.Code, spent, reserved, est, limit)
			case fits:
				if int64(d.Reserved) != est {
					t.Fatalf("step %d: reserved %d, naive estimate %d", step, d.Reserved, est)
				}
				reserved += est
				inFlight = append(inFlight, open{d.Attempt, in, max, est})
			}
			routed++
		} else if len(inFlight) > 0 {
			i := rng.IntN(len(inFlight))
			o := inFlight[i]
			inFlight = slices.Delete(inFlight, i, i+1)
			reserved -= o.reserved
			out := abi.Outcome{Attempt: o.attempt, Result: abi.Success,
				Usage: abi.Usage{InputTokens: o.in, OutputTokens: abi.Tokens(rng.Int64N(int64(o.max) + 1))}}
			if rng.IntN(4) == 0 {
				out.Result, out.Usage = abi.ServerError, abi.Usage{}
			}
			fx := apply(abi.Event{Outcome: &out})
			actual := naiveCost(out.Usage.InputTokens, out.Usage.OutputTokens)
			if int64(fx.Cost) != actual {
				t.Fatalf("step %d: charged %d, naive cost %d", step, fx.Cost, actual)
			}
			spent += actual
			sumActual += actual
		}
		s := m.Snapshot()
		b := s.Budgets[0]
		if int64(b.Spent)+int64(b.Reserved) > int64(limit) {
			t.Fatalf("step %d: spent %d + reserved %d > limit %d", step, b.Spent, b.Reserved, limit)
		}
		if int64(b.Spent) != spent || int64(b.Reserved) != reserved {
			t.Fatalf("step %d: core spent %d reserved %d, naive %d %d", step, b.Spent, b.Reserved, spent, reserved)
		}
	}
	if len(inFlight) != 0 {
		t.Fatalf("%d requests never settled", len(inFlight))
	}
	b := m.Snapshot().Budgets[0]
	if int64(b.Spent) != sumActual || b.Reserved != 0 {
		t.Fatalf("settled: spent %d reserved %d, want %d and 0", b.Spent, b.Reserved, sumActual)
	}
}
