package wasmcore

import (
	"context"
	"fmt"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

// BenchmarkCrossing is the bare cost of a call into the module and back:
// raw_result, which only returns an address. Compare BenchmarkCallNoop,
// whose version call also encodes a message inside the module.
func BenchmarkCrossing(b *testing.B) {
	ctx := context.Background()
	c := testCore(b, Config{})
	f := c.inst.mod.ExportedFunction("raw_result")
	stack := make([]uint64, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := f.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuild is what a trap costs: a new instance, the base
// snapshot restored (100 keys) and a journal of mutating calls replayed.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	for _, journal := range []int{0, 1000} {
		b.Run(fmt.Sprintf("journal=%d", journal), func(b *testing.B) {
			c := testCore(b, Config{SnapshotEvery: -1})
			b2 := &coretest.Builder{}
			b2.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: "openai"}})
			b2.Apply(abi.Event{Now: t0, Model: &abi.Model{Provider: "openai", Name: "m", Price: abi.Price{Input: 1000, Output: 2000}}})
			for i := range 100 {
				b2.Apply(abi.Event{Now: t0, Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("k%03d", i)), Provider: "openai"}})
			}
			for _, call := range b2.Calls {
				if _, err := c.Apply(ctx, call.In); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := c.Snapshot(ctx); err != nil {
				b.Fatal(err)
			}
			for i := range journal / 2 {
				now := t0 + abi.UnixNano(i)*abi.UnixNano(abi.Millisecond)
				req, _ := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: now, Model: "m", InputTokens: 10})
				ev, _ := abi.Encode(&abi.Event{V: abi.Version, Now: now, Outcome: &abi.Outcome{Attempt: uint64(i + 1)}})
				if _, err := c.Route(ctx, req); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Apply(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.rebuild(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
