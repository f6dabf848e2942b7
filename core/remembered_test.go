package core_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestRememberedVerdictsChangeNothing checks the verdicts a machine
// remembers between decisions (a pool found calm, a key's budget room):
// through random histories of declared limits, rate-limit reports, budgets,
// configuration changes and dry runs that look ahead of the clock, every
// decision must be the same bytes as that of a copy restored from a
// snapshot just before it, which remembers nothing.
func TestRememberedVerdictsChangeNothing(t *testing.T) {
	for seed := range uint64(150) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { rememberedRun(t, seed) })
	}
}

func rememberedRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m, err := core.New(abi.Config{Seed1: seed})
	if err != nil {
		t.Fatal(err)
	}
	r := &refRig{t: t, rng: rng, m: m, now: 1_767_225_600_000_000_000}
	must := func(ev abi.Event) {
		if fx := r.apply(ev); fx.Code != abi.OK {
			t.Fatalf("%+v: %s", ev, fx.Message)
		}
	}
	limits := func() abi.Limits {
		return abi.Limits{RPM: rng.Int64N(3) * rng.Int64N(8), TPM: rng.Int64N(2) * rng.Int64N(20_000),
			RPD: rng.Int64N(2) * rng.Int64N(40), Concurrency: rng.Int64N(2) * rng.Int64N(4)}
	}
	model := func(name string) abi.Model {
		md := abi.Model{Provider: "p", Name: name, Price: refPrice, Limits: limits()}
		if rng.IntN(2) == 0 {
			md.QuotaGroup = "shared"
		}
		return md
	}
	must(abi.Event{Provider: &abi.Provider{ID: "p"}})
	models := []string{"m", "m2"}
	for _, name := range models {
		md := model(name)
		must(abi.Event{Model: &md})
	}
	n := 1 + rng.IntN(8)
	key := func(i int) abi.Key {
		return abi.Key{ID: abi.KeyID(fmt.Sprintf("k%02d", i)), Provider: "p", Weight: rng.Int64N(3), Limits: limits(),
			Discount: rng.Int64N(2) * rng.Int64N(5000)}
	}
	budget := func(i int) abi.Budget {
		b := abi.Budget{ID: abi.BudgetID(fmt.Sprintf("b%d", i)), Scope: abi.ScopeKey, Target: fmt.Sprintf("k%02d", rng.IntN(n)),
			Period: abi.Hourly, Limit: abi.NanoUSD(rng.Int64N(4_000_000)), Enforcement: abi.Enforcement(rng.IntN(2))}
		switch rng.IntN(4) {
		case 0:
			b.Scope, b.Target = abi.ScopeGlobal, ""
		case 1:
			b.Period, b.Window = abi.Rolling, abi.Duration(1+rng.Int64N(10))*abi.Minute
		}
		return b
	}
	for i := range n {
		k := key(i)
		must(abi.Event{Key: &k})
	}
	for i := range rng.IntN(5) {
		b := budget(i)
		must(abi.Event{Budget: &b})
	}
	var open []uint64
	for step := range 150 {
		r.now += abi.UnixNano(rng.Int64N(int64(15 * abi.Second)))
		switch rng.IntN(10) {
		case 0: // a configuration change
			switch rng.IntN(3) {
			case 0:
				k := key(rng.IntN(n))
				must(abi.Event{Key: &k})
			case 1:
				b := budget(rng.IntN(5))
				must(abi.Event{Budget: &b})
			default:
				md := model(models[rng.IntN(len(models))])
				must(abi.Event{Model: &md})
			}
		case 1, 2, 3: // settle an open attempt, often with a rate-limit report
			if len(open) == 0 {
				continue
			}
			i := rng.IntN(len(open))
			o := abi.Outcome{Attempt: open[i], Result: []abi.Result{abi.Success, abi.Success, abi.RateLimited}[rng.IntN(3)],
				Usage: abi.Usage{InputTokens: abi.Tokens(rng.Int64N(3000)), OutputTokens: abi.Tokens(rng.Int64N(3000))}}
			if rng.IntN(3) > 0 {
				o.RateLimit = &abi.RateLimit{LimitRequests: 100, RemainingRequests: rng.Int64N(101),
					ResetRequests: abi.Duration(rng.Int64N(int64(90 * abi.Second))), LimitTokens: 50_000,
					RemainingTokens: rng.Int64N(50_001), ResetTokens: abi.Duration(rng.Int64N(int64(90 * abi.Second)))}
			}
			r.apply(abi.Event{Outcome: &o}) // a removed attempt's outcome may fail: no matter
			open = slices.Delete(open, i, i+1)
		default:
			req := abi.RouteRequest{V: abi.Version, Now: r.now, Model: models[rng.IntN(len(models))],
				InputTokens: abi.Tokens(rng.Int64N(6000)), MaxOutputTokens: abi.Tokens(rng.Int64N(2000)),
				DryRun: rng.IntN(4) == 0, Detail: rng.IntN(2) == 0}
			if req.DryRun {
				req.Now += abi.UnixNano(rng.Int64N(int64(2 * abi.Minute))) // ahead of the clock
			}
			if rng.IntN(4) == 0 {
				req.Objective.Primary = abi.GoalQuota
			}
			fresh := restored(t, r.m)
			got, want := decide(t, r.m, &req), decide(t, fresh, &req)
			var d, w abi.Decision
			if err := errors.Join(abi.Decode(got, &d), abi.Decode(want, &w)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("step %d: %+v: the decision differs from a restored copy's\n got %+v\nwant %+v", step, req, d, w)
			}
			if d.Code == abi.OK && !req.DryRun {
				open = append(open, d.Attempt)
			}
		}
	}
}

// decide routes req on m and returns the decision's bytes.
func decide(t *testing.T, m *core.Machine, req *abi.RouteRequest) []byte {
	t.Helper()
	var d abi.Decision
	m.Route(req, &d)
	b, err := abi.Encode(&d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
