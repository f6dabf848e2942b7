package wasmcore_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

// FuzzNativeVsWasm derives a stream of calls from the fuzz input — fleets,
// outcomes, routes under every objective, exclusions, budgets, clients,
// commands, malformed bytes — makes them on the native core and on the
// module under wazero, and fails on the first output that differs, then on
// a difference between the final snapshots.
//
//	go test ./hosts/internal/wasmcore -run '^$' -fuzz FuzzNativeVsWasm -fuzztime 60s
func FuzzNativeVsWasm(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 0, 0, 2, 0, 0, 2, 1, 0, 7, 0, 7, 0, 6, 0, 0, 7, 1, 6, 1, 1, 11})
	f.Add(bytes.Repeat([]byte{2, 3, 7, 6, 10, 8, 5, 3, 9, 4, 12, 11}, 8))

	c := wazeroCore{newCore(f, wasmcore.Config{SnapshotEvery: 7})}
	native := coretest.NewNative()
	fresh, err := native.Call(coretest.OpSnapshot, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, impl := range []coretest.Core{native, c} {
			if _, err := impl.Call(coretest.OpRestore, fresh); err != nil {
				t.Fatal(err)
			}
		}
		g := &gen{s: data, now: t0}
		calls := fleet()
		for i := 0; i < len(calls)+maxCalls && (i < len(calls) || len(g.s) > 0); i++ {
			var call coretest.Call
			if i < len(calls) {
				call = calls[i]
			} else {
				call = g.next()
			}
			want := coretest.Invoke(native, call)
			got := coretest.Invoke(c, call)
			if got.Code != want.Code || got.Message != want.Message || !bytes.Equal(got.Out, want.Out) {
				t.Fatalf("call %d (%s %x):\n wasm   %s %q %x\n native %s %q %x",
					i, call.Op, call.In, got.Code, got.Message, got.Out, want.Code, want.Message, want.Out)
			}
			g.observe(call.Op, want.Out)
		}
		want := coretest.Invoke(native, coretest.Call{Op: coretest.OpSnapshot})
		got := coretest.Invoke(c, coretest.Call{Op: coretest.OpSnapshot})
		if got.Code != want.Code || !bytes.Equal(got.Out, want.Out) {
			t.Fatalf("final snapshots differ:\n wasm   %x\n native %x", got.Out, want.Out)
		}
	})
}

// maxCalls bounds the calls one fuzz input makes.
const maxCalls = 64

// t0 is the streams' start. It is early (1970-01-12) because core's
// snapshot validation rejects usage windows that start after 2^56 ns.
const t0 = abi.UnixNano(1_000_000_000_000_000)

// The vocabulary the generator draws from: small, so that calls meet the
// same objects.
var (
	providers = []abi.ProviderID{"openai", "groq", "anthropic"}
	models    = []string{"gpt-4o-mini", "llama-3", "claude", "no-such-model"}
	keys      = []abi.KeyID{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	clients   = []abi.ClientID{"c0", "c1"}
	budgets   = []abi.BudgetID{"b0", "b1"}
	tags      = []string{"eu", "team-a", "us"}
	goals     = []abi.Goal{abi.GoalDefault, abi.GoalFairness, abi.GoalReliability, abi.GoalCost, abi.GoalLatency, abi.GoalQuota}
)

// fleet is the start of every stream, so that most routes find keys.
func fleet() []coretest.Call {
	b := &coretest.Builder{}
	for _, p := range providers {
		b.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: p}})
	}
	for i, m := range []struct {
		provider abi.ProviderID
		name     string
	}{{"openai", "gpt-4o-mini"}, {"groq", "gpt-4o-mini"}, {"groq", "llama-3"}, {"anthropic", "claude"}} {
		b.Apply(abi.Event{Now: t0, Model: &abi.Model{Provider: m.provider, Name: m.name,
			Price: abi.Price{Input: abi.MicroUSDPerMTok(50_000 * (i + 1)), Output: abi.MicroUSDPerMTok(200_000 * (i + 1))}, ContextWindow: 128_000}})
	}
	for i, k := range keys[:6] {
		b.Apply(abi.Event{Now: t0, Key: &abi.Key{ID: k, Provider: providers[i%len(providers)], Weight: int64(i % 3)}})
	}
	return b.Calls
}

// gen turns fuzz bytes into calls; once the bytes run out, every draw is 0.
type gen struct {
	s        []byte
	now      abi.UnixNano
	attempts []uint64 // attempts routed and not yet reported
	next1    uint64   // a guess for attempts never routed
}

func (g *gen) byte() byte {
	if len(g.s) == 0 {
		return 0
	}
	b := g.s[0]
	g.s = g.s[1:]
	return b
}

func (g *gen) n(k int) int { return int(g.byte()) % k }
func (g *gen) bool() bool  { return g.byte()&1 == 1 }
func (g *gen) int(max int64) int64 {
	return (int64(g.byte())<<8 | int64(g.byte())) % (max + 1)
}

func pick[T any](g *gen, xs []T) T { return xs[g.n(len(xs))] }

// subset returns a sorted subset of xs.
func subset[T ~string](g *gen, xs []T) []T {
	var out []T
	mask := g.byte()
	for i, x := range xs {
		if mask&(1<<i) != 0 {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func (g *gen) next() coretest.Call {
	b := &coretest.Builder{}
	ev := abi.Event{Now: g.now}
	switch g.n(14) {
	case 0:
		ev.Provider = &abi.Provider{ID: pick(g, providers)}
	case 1:
		ev.Model = &abi.Model{Provider: pick(g, providers), Name: pick(g, models[:3]),
			Price:         abi.Price{Input: abi.MicroUSDPerMTok(g.int(3_000_000)), Output: abi.MicroUSDPerMTok(g.int(15_000_000)), CachedInput: abi.MicroUSDPerMTok(g.int(1_000_000))},
			ContextWindow: abi.Tokens(g.int(200_000)), MaxOutputTokens: abi.Tokens(g.int(16_384)),
			QuotaGroup: pick(g, []string{"", "", "pro"}), Limits: g.limits()}
	case 2:
		ev.Key = &abi.Key{ID: pick(g, keys), Provider: pick(g, providers), Weight: int64(g.n(4)), Tier: int64(g.n(3)),
			Limits: g.limits(), Tags: subset(g, tags), Models: subset(g, models[:3]), Discount: g.int(12_000)}
	case 3:
		bu := &abi.Budget{ID: pick(g, budgets), Scope: abi.Scope(g.n(6)), Period: abi.Period(g.n(6)),
			Window: abi.Duration(g.int(7200)) * abi.Second, Limit: abi.NanoUSD(g.int(1_000_000)) * 1000, Enforcement: abi.Enforcement(g.n(3))}
		switch bu.Scope {
		case abi.ScopeProvider:
			bu.Target = string(pick(g, providers))
		case abi.ScopeKey:
			bu.Target = string(pick(g, keys))
		case abi.ScopeModel:
			bu.Target = pick(g, models)
		case abi.ScopeClient:
			bu.Target = string(pick(g, clients))
		}
		ev.Budget = bu
	case 4:
		ev.Client = &abi.Client{ID: pick(g, clients), Models: subset(g, models), RPM: int64(g.n(5))}
	case 5:
		cmd := &abi.Command{Op: abi.Op(g.n(11)), ID: string(pick(g, keys))}
		switch cmd.Op {
		case abi.OpRemoveProvider:
			cmd.ID = string(pick(g, providers))
		case abi.OpRemoveModel:
			cmd.ID, cmd.Provider = pick(g, models), pick(g, providers)
		case abi.OpRemoveBudget:
			cmd.ID = string(pick(g, budgets))
		case abi.OpRemoveClient:
			cmd.ID = string(pick(g, clients))
		}
		ev.Command = cmd
	case 6:
		ev.Outcome = g.outcome()
	case 7, 8, 9:
		return b.Route(g.request()).Calls[0]
	case 10:
		ev.Config = &abi.Config{Seed1: uint64(g.byte()), Seed2: uint64(g.byte()),
			Objective: abi.Objective{Primary: pick(g, goals)}, FailureThreshold: int64(g.n(5)), MaxFallbacks: int64(g.n(20))}
	case 11:
		g.now += abi.UnixNano(pick(g, []abi.Duration{abi.Millisecond, abi.Second, 30 * abi.Second, abi.Minute, abi.Hour, 25 * abi.Hour}))
		return b.Snapshot().Calls[0]
	case 12:
		n := int(g.byte())
		n %= len(g.s) + 1
		in := bytes.Clone(g.s[:n])
		g.s = g.s[n:]
		return b.Raw(pick(g, []string{coretest.OpApply, coretest.OpRoute, coretest.OpRestore}), in).Calls[0]
	case 13:
		g.now -= abi.UnixNano(g.int(5000)) * abi.UnixNano(abi.Millisecond) // a clock stepping back
		ev.Now = g.now
	}
	return b.Apply(ev).Calls[0]
}

func (g *gen) limits() abi.Limits {
	if !g.bool() {
		return abi.Limits{}
	}
	return abi.Limits{RPM: int64(g.n(6)), TPM: g.int(20_000), RPD: int64(g.n(50)), Concurrency: int64(g.n(4))}
}

func (g *gen) request() abi.RouteRequest {
	r := abi.RouteRequest{Now: g.now, Model: pick(g, models), InputTokens: abi.Tokens(g.int(8000)),
		MaxOutputTokens: abi.Tokens(g.int(4000)), DryRun: g.n(4) == 0, Detail: g.n(4) == 0, MaxFallbacks: int64(g.n(5))}
	if g.n(4) == 0 {
		r.Provider = pick(g, providers)
	}
	if g.n(4) == 0 {
		r.Client = pick(g, clients)
	}
	r.Objective = g.objective()
	r.Exclude = subset(g, keys)
	if g.n(4) == 0 {
		r.Tags = subset(g, tags)
	}
	g.now += abi.UnixNano(g.int(2000)) * abi.UnixNano(abi.Millisecond)
	return r
}

// objective returns a mostly valid objective: distinct goals, weights in
// range; one in eight may break those rules.
func (g *gen) objective() abi.Objective {
	o := abi.Objective{Primary: pick(g, goals)}
	if o.Primary == abi.GoalDefault {
		return o
	}
	sloppy := g.n(8) == 0
	used := map[abi.Goal]bool{o.Primary: true}
	for range g.n(3) {
		if s := pick(g, goals[1:]); sloppy || !used[s] {
			o.Secondary = append(o.Secondary, s)
			used[s] = true
		}
	}
	weighted := map[abi.Goal]bool{}
	for range g.n(4) {
		if w := pick(g, goals[1:]); sloppy || !weighted[w] {
			o.Weights = append(o.Weights, abi.Weight{Goal: w, Milli: g.int(1000)})
			weighted[w] = true
		}
	}
	return o
}

func (g *gen) outcome() *abi.Outcome {
	o := &abi.Outcome{Result: abi.Result(g.n(10)), Status: pick(g, []int64{0, 200, 401, 429, 500, 503}),
		Usage:         abi.Usage{InputTokens: abi.Tokens(g.int(8000)), CachedInputTokens: abi.Tokens(g.int(1000)), OutputTokens: abi.Tokens(g.int(4000))},
		LatencyMicros: g.int(5_000_000), RetryAfter: abi.Duration(g.int(120)) * abi.Second}
	if len(g.attempts) > 0 && g.n(8) != 0 {
		i := g.n(len(g.attempts))
		o.Attempt = g.attempts[i]
		g.attempts = slices.Delete(g.attempts, i, i+1)
	} else {
		o.Attempt = uint64(g.n(16))
	}
	if g.bool() {
		rl := abi.NoRateLimit
		rl.LimitRequests, rl.RemainingRequests, rl.ResetRequests = g.int(100), g.int(100), abi.Duration(g.int(60))*abi.Second
		if g.bool() {
			rl.LimitTokens, rl.RemainingTokens, rl.ResetTokens = g.int(100_000), g.int(100_000), abi.Duration(g.int(3600))*abi.Second
		}
		o.RateLimit = &rl
	}
	g.now += abi.UnixNano(g.int(3000)) * abi.UnixNano(abi.Millisecond)
	return o
}

// observe remembers the attempts that routes open, for later outcomes.
func (g *gen) observe(op string, out []byte) {
	if op != coretest.OpRoute || out == nil {
		return
	}
	var d abi.Decision
	if abi.Decode(out, &d) == nil && d.Attempt != 0 {
		g.attempts = append(g.attempts, d.Attempt)
	}
}
