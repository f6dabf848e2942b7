package core

import (
	"fmt"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// benchFleet returns a machine with n keys on one provider and model.
func benchFleet(b *testing.B, n, budgets int) *Machine {
	m, err := New(abi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var fx abi.Effects
	apply := func(ev abi.Event) {
		ev.V, ev.Now = abi.Version, rigStart
		m.Apply(&ev, &fx)
		if fx.Code != abi.OK {
			b.Fatal(fx.Message)
		}
	}
	apply(abi.Event{Provider: &abi.Provider{ID: "openai"}})
	apply(abi.Event{Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}}})
	for i := range n {
		apply(abi.Event{Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("key-%05d", i)), Provider: "openai", Weight: int64(1 + i%3)}})
	}
	// One budget per key, up to the count; the rest belong to clients this
	// request is not made by, as in a deployment with many virtual keys.
	for i := range budgets {
		b := &abi.Budget{ID: abi.BudgetID(fmt.Sprintf("b-%05d", i)), Scope: abi.ScopeKey,
			Target: fmt.Sprintf("key-%05d", i), Period: abi.Daily, Limit: 1000 * abi.Dollars}
		if i >= n {
			b.Scope, b.Target = abi.ScopeClient, fmt.Sprintf("client-%05d", i)
		}
		apply(abi.Event{Budget: b})
	}
	return m
}

// BenchmarkDecide measures one stateful decision and the outcome that
// settles it, natively: go test ./core -run '^$' -bench Decide -benchmem
func BenchmarkDecide(b *testing.B) {
	for _, objective := range []abi.Goal{abi.GoalFairness, abi.GoalCost} {
		for _, n := range []int{10, 100, 1000, 10000} {
			b.Run(fmt.Sprintf("objective=%s/keys=%d", objective, n), func(b *testing.B) {
				benchDecide(b, benchFleet(b, n, 0), objective)
			})
		}
	}
}

// BenchmarkDecideBudgets is BenchmarkDecide with 1,000 key budgets and a
// global one.
func BenchmarkDecideBudgets(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			benchDecide(b, budgetedFleet(b, n), abi.GoalFairness)
		})
	}
}

// budgetedFleet is benchFleet(n, 1000) with a global budget too.
func budgetedFleet(b *testing.B, n int) *Machine {
	m := benchFleet(b, n, 1000)
	var fx abi.Effects
	if m.Apply(&abi.Event{V: abi.Version, Now: rigStart, Budget: &abi.Budget{ID: "global", Limit: 1_000_000 * abi.Dollars}}, &fx); fx.Code != abi.OK {
		b.Fatal(fx.Message)
	}
	return m
}

// BenchmarkDecideQuota is BenchmarkDecideBudgets with quota on every key:
// declared request and token limits per minute, and the provider's
// rate-limit report on every answer (issue 3's "quota and budgets on").
func BenchmarkDecideQuota(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			m := budgetedFleet(b, n)
			var fx abi.Effects
			for _, k := range m.keys {
				cfg := k.cfg
				cfg.Limits = abi.Limits{RPM: 10_000, TPM: 20_000_000}
				if m.Apply(&abi.Event{V: abi.Version, Now: rigStart, Key: &cfg}, &fx); fx.Code != abi.OK {
					b.Fatal(fx.Message)
				}
			}
			benchDecideWith(b, m, abi.GoalFairness, &abi.RateLimit{LimitRequests: 10_000, RemainingRequests: 9_990,
				ResetRequests: 6 * abi.Second, LimitTokens: 2_000_000, RemainingTokens: 1_990_000, ResetTokens: 300 * abi.Millisecond})
		})
	}
}

func benchDecide(b *testing.B, m *Machine, goal abi.Goal) { benchDecideWith(b, m, goal, nil) }

// benchDecideWith is benchDecide with rl as the provider's rate-limit
// report on every outcome.
func benchDecideWith(b *testing.B, m *Machine, goal abi.Goal, rl *abi.RateLimit) {
	step := stepper(b, m, goal, rl)
	// Warm up: buffers, maps, and every key's pool, made on its first use
	// (weighted round-robin uses every key within two rounds of the fleet).
	warm := 1000 + 2*len(m.keys)
	for i := range warm {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step(warm + i)
	}
}

// stepper returns a function that makes decision i and settles it, with
// rl (if not nil) as the provider's rate-limit report.
func stepper(b *testing.B, m *Machine, goal abi.Goal, rl *abi.RateLimit) func(i int) {
	req := abi.RouteRequest{V: abi.Version, Now: rigStart, Model: "gpt-4o-mini", InputTokens: 1000, MaxOutputTokens: 200,
		Objective: abi.Objective{Primary: goal}}
	out := abi.Outcome{Result: abi.Success, Usage: abi.Usage{InputTokens: 1000, OutputTokens: 180}, LatencyMicros: 400_000,
		RateLimit: rl}
	ev := abi.Event{V: abi.Version, Outcome: &out}
	var d abi.Decision
	var fx abi.Effects
	return func(i int) {
		req.Now = rigStart + abi.UnixNano(i)*abi.UnixNano(abi.Millisecond)
		m.Route(&req, &d)
		if d.Code != abi.OK {
			b.Fatalf("refused: %s", d.Explanation)
		}
		out.Attempt, ev.Now = d.Attempt, req.Now
		if m.Apply(&ev, &fx); fx.Code != abi.OK {
			b.Fatalf("outcome: %s", fx.Message)
		}
	}
}

// BenchmarkSnapshot measures taking and encoding a snapshot, and its size,
// by fleet size: go test ./core -run '^$' -bench Snapshot
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			m := benchFleet(b, n, 0)
			step := stepper(b, m, abi.GoalFairness, nil)
			for i := range n { // round-robin: every key gets a pool and usage
				step(i)
			}
			var size int
			b.ReportAllocs()
			for b.Loop() {
				out, err := m.SnapshotMsg(nil)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

// BenchmarkRestore measures decoding and restoring a snapshot.
func BenchmarkRestore(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			m := benchFleet(b, n, 0)
			step := stepper(b, m, abi.GoalFairness, nil)
			for i := range n {
				step(i)
			}
			snap, err := m.SnapshotMsg(nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := RestoreMsg(snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
