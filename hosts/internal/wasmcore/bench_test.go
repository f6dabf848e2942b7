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

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// benchCore is one implementation's route and apply, on encoded messages.
type benchCore struct {
	route, apply func(in []byte) ([]byte, error)
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
			var rbuf, abuf []byte
			return benchCore{
				route: func(in []byte) (out []byte, err error) { rbuf, err = m.RouteMsg(rbuf[:0], in); return rbuf, err },
				apply: func(in []byte) (out []byte, err error) { abuf, err = m.ApplyMsg(abuf[:0], in); return abuf, err },
			}
		}},
		{"wazero", func(b *testing.B) benchCore {
			ctx := context.Background()
			c := newCore(b, wasmcore.Config{})
			return benchCore{
				route: func(in []byte) ([]byte, error) { return c.Route(ctx, in) },
				apply: func(in []byte) ([]byte, error) { return c.Apply(ctx, in) },
			}
		}},
		{"extism", func(b *testing.B) benchCore {
			p := wasmtest.NewExtism(b, compileExtism(b))
			return benchCore{
				route: func(in []byte) ([]byte, error) { return p.Call("route", in) },
				apply: func(in []byte) ([]byte, error) { return p.Call("apply", in) },
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

// BenchmarkRoute is a stateful decision: a route and the outcome of its
// attempt per iteration, over keys registered through the byte API.
func BenchmarkRoute(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, impl := range benchCores(b) {
			b.Run(fmt.Sprintf("keys=%d/core=%s", n, impl.name), func(b *testing.B) {
				c := impl.new(b)
				for _, in := range fleetOf(b, n) {
					if _, err := c.apply(in); err != nil {
						b.Fatal(err)
					}
				}
				req := mustEncode(b, &abi.RouteRequest{V: abi.Version, Now: nowMark, Model: "gpt-4o-mini", InputTokens: 500, MaxOutputTokens: 200})
				ev := mustEncode(b, &abi.Event{V: abi.Version, Now: nowMark, Outcome: &abi.Outcome{Attempt: attemptMark, Result: abi.Success,
					Status: 200, Usage: abi.Usage{InputTokens: 480, OutputTokens: 150}, LatencyMicros: 350_000}})
				reqNow, evNow, evAttempt := offset(b, req, nowMark), offset(b, ev, nowMark), offset(b, ev, attemptMark)
				var d, e []byte
				var err error
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					now := uint64(benchT0) + uint64(i)*uint64(abi.Millisecond)
					binary.BigEndian.PutUint64(req[reqNow:], now)
					binary.BigEndian.PutUint64(ev[evNow:], now)
					binary.BigEndian.PutUint64(ev[evAttempt:], uint64(i+1))
					if d, err = c.route(req); err != nil {
						b.Fatal(err)
					}
					if e, err = c.apply(ev); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				checkLast(b, d, e, uint64(b.N))
			})
		}
	}
}

// fleetOf encodes the events that register a provider, a model and n keys.
func fleetOf(b testing.TB, n int) [][]byte {
	evs := []abi.Event{
		{Provider: &abi.Provider{ID: "openai"}},
		{Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}, ContextWindow: 128_000}},
	}
	for i := range n {
		evs = append(evs, abi.Event{Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("key-%04d", i)), Provider: "openai", Weight: int64(1 + i%3)}})
	}
	out := make([][]byte, len(evs))
	for i := range evs {
		evs[i].V, evs[i].Now = abi.Version, benchT0-1
		out[i] = mustEncode(b, &evs[i])
	}
	return out
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
