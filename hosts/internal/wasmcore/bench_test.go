package wasmcore_test

// The WebAssembly core's costs, separated as extism go-sdk separates them,
// with the native core alongside so the overhead is one benchstat away:
//
//	go test ./hosts/internal/wasmcore -run '^$' -bench . -benchmem -count 5 > bench.txt
//	benchstat -col /core bench.txt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// benchCore is one implementation's calls, on encoded messages.
type benchCore struct {
	route, apply func(in []byte) ([]byte, error)
	snapshot     func() ([]byte, error)
	restore      func(snap []byte) error
}

// benchCores are the implementations compared: the native core (appending
// to reused buffers), the raw ABI under wazero, and the Extism exports
// under extism go-sdk.
func benchCores(b *testing.B) []struct {
	name string
	new  func(b *testing.B) benchCore
} {
	return []struct {
		name string
		new  func(b *testing.B) benchCore
	}{
		{"native", func(b *testing.B) benchCore {
			m, err := core.New(abi.Config{})
			if err != nil {
				b.Fatal(err)
			}
			var rbuf, abuf, sbuf []byte
			return benchCore{
				route:    func(in []byte) (out []byte, err error) { rbuf, err = m.RouteMsg(rbuf[:0], in); return rbuf, err },
				apply:    func(in []byte) (out []byte, err error) { abuf, err = m.ApplyMsg(abuf[:0], in); return abuf, err },
				snapshot: func() (out []byte, err error) { sbuf, err = m.SnapshotMsg(sbuf[:0]); return sbuf, err },
				restore: func(snap []byte) error {
					r, err := core.RestoreMsg(snap)
					if err == nil {
						m = r
					}
					return err
				},
			}
		}},
		{"wazero", func(b *testing.B) benchCore {
			ctx := context.Background()
			c := newCore(b, wasmcore.Config{})
			return benchCore{
				route:    func(in []byte) ([]byte, error) { return c.Route(ctx, in) },
				apply:    func(in []byte) ([]byte, error) { return c.Apply(ctx, in) },
				snapshot: func() ([]byte, error) { return c.Snapshot(ctx) },
				restore:  func(snap []byte) error { return c.Restore(ctx, snap) },
			}
		}},
		{"extism", func(b *testing.B) benchCore {
			p := wasmtest.NewExtism(b, compileExtism(b))
			return benchCore{
				route:    func(in []byte) ([]byte, error) { return p.Call("route", in) },
				apply:    func(in []byte) ([]byte, error) { return p.Call("apply", in) },
				snapshot: func() ([]byte, error) { return p.Call("snapshot", nil) },
				restore:  func(snap []byte) error { _, err := p.Call("restore", snap); return err },
			}
		}},
	}
}

// benchT0 is the benchmarks' start, 2026-01-01T00:00:00Z.
const benchT0 = abi.UnixNano(1_767_225_600_000_000_000)

// Placeholders the loop overwrites in pre-encoded messages: both encode as
// eight bytes after a one-byte type, so the bytes can be patched in place
// and still decode (msgpack allows a wider encoding than the shortest).
const (
	nowMark     = 0x0123_4567_89ab_cdef
	attemptMark = 0x0fed_cba9_8765_4321
)

// benchKeys are the fleet sizes the benchmarks compare.
var benchKeys = []int{10, 100, 1000, 10000}

// benchRateLimit is the rate-limit state an OpenAI answer reports in its
// x-ratelimit-* headers, which every real outcome carries.
var benchRateLimit = &abi.RateLimit{LimitRequests: 10_000, RemainingRequests: 9_990, ResetRequests: 6 * abi.Second,
	LimitTokens: 2_000_000, RemainingTokens: 1_990_000, ResetTokens: 300 * abi.Millisecond}

// BenchmarkRoute is a stateful decision: a route and the outcome of its
// attempt per iteration, with the provider's rate-limit headers as real
// answers have them, on a fleet with no budget or with 1,000 (budgetsOf)
// in its steady state: every key has served (snapshotOf, restored into
// each core). The route-ns/op metric is the route's share, timed on every
// 16th iteration.
func BenchmarkRoute(b *testing.B) {
	for _, n := range benchKeys {
		for _, budgets := range []int{0, 1000} {
			for _, impl := range benchCores(b) {
				b.Run(fmt.Sprintf("keys=%d/budgets=%d/core=%s", n, budgets, impl.name), func(b *testing.B) {
					c := impl.new(b)
					if err := c.restore(snapshotOf(b, n, budgets)); err != nil {
						b.Fatal(err)
					}
					benchRoute(b, c, n, nil)
				})
			}
		}
	}
}

// BenchmarkRouteCold is BenchmarkRoute with the caches emptied before
// every route: 8 MiB written, outside the timer (four times the L2 cache
// of the machines we measure on), as a proxy's own work between two
// requests leaves them, more or less. It is what a call costs cold, which
// grows with the code and data the call touches; every route is timed.
func BenchmarkRouteCold(b *testing.B) {
	evict := make([]byte, 8<<20)
	for _, n := range []int{10, 100} {
		for _, impl := range benchCores(b) {
			if impl.name == "extism" {
				continue
			}
			b.Run(fmt.Sprintf("keys=%d/core=%s", n, impl.name), func(b *testing.B) {
				c := impl.new(b)
				if err := c.restore(snapshotOf(b, n, 0)); err != nil {
					b.Fatal(err)
				}
				benchRoute(b, c, n, evict)
			})
		}
	}
}

// benchRoute routes and settles on c, whose clock goes on from
// snapshotOf(n, …)'s. With evict, it writes all of evict before each
// route, the timer stopped, and times every route.
func benchRoute(b *testing.B, c benchCore, n int, evict []byte) {
	req := mustEncode(b, &abi.RouteRequest{V: abi.Version, Now: nowMark, Model: "gpt-4o-mini", InputTokens: 500, MaxOutputTokens: 200})
	ev := mustEncode(b, &abi.Event{V: abi.Version, Now: nowMark, Outcome: &abi.Outcome{Attempt: attemptMark, Result: abi.Success,
		Status: 200, Usage: abi.Usage{InputTokens: 480, OutputTokens: 150}, LatencyMicros: 350_000, RateLimit: benchRateLimit}})
	reqNow, evNow, evAttempt := offset(b, req, nowMark), offset(b, ev, nowMark), offset(b, ev, attemptMark)
	var d, e []byte
	var err error
	i := uint64(n)
	first := uint64(0) // the first attempt id, read from the first decision
	var routeTime time.Duration
	var timed int
	step := func() {
		now := uint64(benchT0) + i*uint64(abi.Millisecond)
		binary.BigEndian.PutUint64(req[reqNow:], now)
		binary.BigEndian.PutUint64(ev[evNow:], now)
		if evict != nil {
			b.StopTimer()
			for j := 0; j < len(evict); j += 64 {
				evict[j]++
			}
			b.StartTimer()
		}
		if evict != nil || i%16 == 0 {
			t := time.Now()
			d, err = c.route(req)
			routeTime += time.Since(t)
			timed++
		} else {
			d, err = c.route(req)
		}
		if err != nil {
			b.Fatal(err)
		}
		if first == 0 {
			var dec abi.Decision
			if err := abi.Decode(d, &dec); err != nil || dec.Code != abi.OK {
				b.Fatalf("first decision: %v %s", err, dec.Code)
			}
			first = dec.Attempt - (i - uint64(n))
		}
		binary.BigEndian.PutUint64(ev[evAttempt:], first+i-uint64(n))
		if e, err = c.apply(ev); err != nil {
			b.Fatal(err)
		}
		i++
	}
	step() // not timed: it reads the first attempt id
	routeTime, timed = 0, 0
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
	if timed > 0 {
		b.ReportMetric(float64(routeTime.Nanoseconds())/float64(timed), "route-ns/op")
	}
	checkLast(b, d, e, first+i-uint64(n)-1)
}

// fleetOf encodes the events that register a provider, a model and n keys.
func fleetOf(b testing.TB, n int) [][]byte {
	evs := []abi.Event{
		{Provider: &abi.Provider{ID: "openai"}},
		{Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}, ContextWindow: 128_000}},
	}
	for i := range n {
		evs = append(evs, abi.Event{Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("key-%05d", i)), Provider: "openai", Weight: int64(1 + i%3)}})
	}
	return encodeEvents(b, evs)
}

// budgetsOf encodes the events that set, over fleetOf(n), that many
// budgets — one per key up to n, the rest for clients the requests are not
// made by, as in a deployment with many virtual keys — and a global one.
func budgetsOf(b testing.TB, n, budgets int) [][]byte {
	evs := []abi.Event{{Budget: &abi.Budget{ID: "global", Limit: 1_000_000 * abi.Dollars}}}
	for i := range budgets {
		bu := &abi.Budget{ID: abi.BudgetID(fmt.Sprintf("b-%05d", i)), Scope: abi.ScopeKey,
			Target: fmt.Sprintf("key-%05d", i), Period: abi.Daily, Limit: 1000 * abi.Dollars}
		if i >= n {
			bu.Scope, bu.Target = abi.ScopeClient, fmt.Sprintf("client-%05d", i)
		}
		evs = append(evs, abi.Event{Budget: bu})
	}
	return encodeEvents(b, evs)
}

// fleetWith is fleetOf(n), plus budgetsOf(n, budgets) if budgets > 0.
func fleetWith(b testing.TB, n, budgets int) [][]byte {
	if budgets == 0 {
		return fleetOf(b, n)
	}
	return append(fleetOf(b, n), budgetsOf(b, n, budgets)...)
}

func encodeEvents(b testing.TB, evs []abi.Event) [][]byte {
	out := make([][]byte, len(evs))
	for i := range evs {
		evs[i].V, evs[i].Now = abi.Version, benchT0-1
		out[i] = mustEncode(b, &evs[i])
	}
	return out
}

// BenchmarkSnapshot measures taking and encoding a snapshot, and its size,
// by fleet size and budgets; the state (every key used once) is restored
// into each core from snapshotOf.
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range benchKeys {
		for _, budgets := range []int{0, 1000} {
			for _, impl := range benchCores(b) {
				b.Run(fmt.Sprintf("keys=%d/budgets=%d/core=%s", n, budgets, impl.name), func(b *testing.B) {
					c := impl.new(b)
					if err := c.restore(snapshotOf(b, n, budgets)); err != nil {
						b.Fatal(err)
					}
					var size int
					b.ReportAllocs()
					for b.Loop() {
						out, err := c.snapshot()
						if err != nil {
							b.Fatal(err)
						}
						size = len(out)
					}
					b.ReportMetric(float64(size), "bytes")
				})
			}
		}
	}
}

// BenchmarkRestore measures decoding and restoring the snapshot of
// BenchmarkSnapshot.
func BenchmarkRestore(b *testing.B) {
	for _, n := range benchKeys {
		for _, budgets := range []int{0, 1000} {
			for _, impl := range benchCores(b) {
				b.Run(fmt.Sprintf("keys=%d/budgets=%d/core=%s", n, budgets, impl.name), func(b *testing.B) {
					c := impl.new(b)
					snap := snapshotOf(b, n, budgets)
					b.ReportAllocs()
					for b.Loop() {
						if err := c.restore(snap); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// snapshots caches snapshotOf: at 10,000 keys, using every key once takes
// seconds.
var snapshots = map[[2]int][]byte{}

// snapshotOf returns the snapshot of a native core with fleetWith(n,
// budgets) in which every key has served (and settled) one request, at 1 ms
// intervals from benchT0.
func snapshotOf(b *testing.B, n, budgets int) []byte {
	if s, ok := snapshots[[2]int{n, budgets}]; ok {
		return s
	}
	m, err := core.New(abi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	for _, in := range fleetWith(b, n, budgets) {
		if buf, err = m.ApplyMsg(buf[:0], in); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n { // the default objective is fairness: round-robin
		now := benchT0 + abi.UnixNano(i)*abi.UnixNano(abi.Millisecond)
		req := mustEncode(b, &abi.RouteRequest{V: abi.Version, Now: now, Model: "gpt-4o-mini", InputTokens: 500, MaxOutputTokens: 200})
		if buf, err = m.RouteMsg(buf[:0], req); err != nil {
			b.Fatal(err)
		}
		var d abi.Decision
		if err := abi.Decode(buf, &d); err != nil || d.Code != abi.OK {
			b.Fatalf("route: %v %s", err, d.Code)
		}
		ev := mustEncode(b, &abi.Event{V: abi.Version, Now: now, Outcome: &abi.Outcome{Attempt: d.Attempt, Result: abi.Success,
			Status: 200, Usage: abi.Usage{InputTokens: 480, OutputTokens: 150}, LatencyMicros: 350_000, RateLimit: benchRateLimit}})
		if buf, err = m.ApplyMsg(buf[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
	s, err := m.SnapshotMsg(nil)
	if err != nil {
		b.Fatal(err)
	}
	snapshots[[2]int{n, budgets}] = s
	return s
}

// offset returns where the eight bytes of mark are in msg.
func offset(b testing.TB, msg []byte, mark uint64) int {
	var m [8]byte
	binary.BigEndian.PutUint64(m[:], mark)
	i := bytes.Index(msg, m[:])
	if i < 0 {
		b.Fatalf("%#x not in %x", mark, msg)
	}
	return i
}

// checkLast fails b unless the last route was routed as attempt want and
// its outcome accepted.
func checkLast(b *testing.B, decision, effects []byte, want uint64) {
	var d abi.Decision
	var e abi.Effects
	if err := abi.Decode(decision, &d); err != nil || d.Code != abi.OK || d.Attempt != want {
		b.Fatalf("last decision: %v, %s %s, attempt %d; want attempt %d", err, d.Code, d.Message, d.Attempt, want)
	}
	if err := abi.Decode(effects, &e); err != nil || e.Code != abi.OK {
		b.Fatalf("last effects: %v, %s %s", err, e.Code, e.Message)
	}
}

// BenchmarkInitialize is compiling and instantiating the module, without
// a compilation cache.
func BenchmarkInitialize(b *testing.B) {
	ctx := context.Background()
	b.Run("core=wazero", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			c, err := wasmcore.New(ctx, wasmcore.Config{WasmPath: wasmcore.TestModule})
			if err != nil {
				b.Fatal(err)
			}
			_ = c.Close(ctx)
		}
	})
	b.Run("core=extism", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			initExtism(b, nil)
		}
	})
}

// BenchmarkInitializeWithCache is the same with a warm on-disk compilation
// cache: what a restart costs.
func BenchmarkInitializeWithCache(b *testing.B) {
	ctx := context.Background()
	b.Run("core=wazero", func(b *testing.B) {
		cfg := wasmcore.Config{WasmPath: wasmcore.TestModule, CacheDir: wasmcore.TestCacheDir}
		b.ReportAllocs()
		for range b.N {
			c, err := wasmcore.New(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			_ = c.Close(ctx)
		}
	})
	b.Run("core=extism", func(b *testing.B) {
		dir := b.TempDir()
		warm := func() {
			cache, err := wazero.NewCompilationCacheWithDir(dir)
			if err != nil {
				b.Fatal(err)
			}
			initExtism(b, cache)
			_ = cache.Close(ctx)
		}
		warm()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			warm()
		}
	})
}

// initExtism compiles and instantiates the module as an Extism plugin and
// makes its first call (which initialises the Go runtime).
func initExtism(b *testing.B, cache wazero.CompilationCache) {
	ctx := context.Background()
	p, err := wasmtest.CompileExtism(ctx, wasmcore.TestModule, cache)
	if err != nil {
		b.Fatal(err)
	}
	inst, err := p.Instance(ctx, extism.PluginInstanceConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := inst.Call("version", nil); err != nil {
		b.Fatal(err)
	}
	_ = inst.Close(ctx)
	_ = p.Close(ctx)
}

// BenchmarkCallNoop is the cost of crossing into the module and back:
// the version call, which only encodes a two-field message.
func BenchmarkCallNoop(b *testing.B) {
	ctx := context.Background()
	b.Run("core=native", func(b *testing.B) {
		var out []byte
		b.ReportAllocs()
		for range b.N {
			out, _ = core.VersionMsg(out[:0])
		}
	})
	b.Run("core=wazero", func(b *testing.B) {
		c := newCore(b, wasmcore.Config{})
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := c.Version(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("core=extism", func(b *testing.B) {
		p := wasmtest.NewExtism(b, compileExtism(b))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := p.Call("version", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
