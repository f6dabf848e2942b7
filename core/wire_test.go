package core

import (
	"fmt"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestHotCallsAllocateNothing: once a fleet has served, routing a request
// and applying its outcome (with the provider's rate-limit report) through
// the wire allocate nothing. Inside WebAssembly, where the collector has no
// time between calls to mark on its own, this is what keeps the hot path
// free of collections (wasm/gc.go).
func TestHotCallsAllocateNothing(t *testing.T) {
	m, err := New(abi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	call := func(f func(dst, in []byte) ([]byte, error), v any) []byte {
		in, err := abi.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if out, err = f(out[:0], in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	call(m.ApplyMsg, &abi.Event{V: abi.Version, Now: rigStart, Provider: &abi.Provider{ID: "openai"}})
	call(m.ApplyMsg, &abi.Event{V: abi.Version, Now: rigStart, Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini",
		Price: abi.Price{Input: 150_000, Output: 600_000}}})
	call(m.ApplyMsg, &abi.Event{V: abi.Version, Now: rigStart, Budget: &abi.Budget{ID: "global", Limit: 1000 * abi.Dollars}})
	for i := range 100 {
		call(m.ApplyMsg, &abi.Event{V: abi.Version, Now: rigStart, Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("key-%03d", i)), Provider: "openai"}})
	}
	req := &abi.RouteRequest{V: abi.Version, Now: rigStart, Model: "gpt-4o-mini", InputTokens: 500, MaxOutputTokens: 200}
	ev := &abi.Event{V: abi.Version, Now: rigStart, Outcome: &abi.Outcome{Result: abi.Success, Status: 200,
		Usage: abi.Usage{InputTokens: 480, OutputTokens: 150}, LatencyMicros: 350_000,
		RateLimit: &abi.RateLimit{LimitRequests: 10_000, RemainingRequests: 9_990, ResetRequests: 6 * abi.Second}}}
	var d abi.Decision
	step := func() {
		req.Now += abi.UnixNano(abi.Millisecond)
		ev.Now = req.Now
		call(m.RouteMsg, req)
		if err := abi.Decode(out, &d); err != nil || d.Code != abi.OK {
			t.Fatalf("route: %v %s", err, d.Code)
		}
		ev.Outcome.Attempt = d.Attempt
		call(m.ApplyMsg, ev)
	}
	for range 200 { // every key serves, every table reaches its size
		step()
	}
	// Attempt ids are consecutive: the loop encodes its messages ahead
	// (encoding allocates nothing either, into reused buffers).
	var in []byte
	allocs := testing.AllocsPerRun(100, func() {
		req.Now += abi.UnixNano(abi.Millisecond)
		ev.Now, ev.Outcome.Attempt = req.Now, ev.Outcome.Attempt+1
		var err error
		if in, err = abi.AppendEncode(in[:0], req); err == nil {
			out, err = m.RouteMsg(out[:0], in)
		}
		if err == nil {
			in, err = abi.AppendEncode(in[:0], ev)
		}
		if err == nil {
			out, err = m.ApplyMsg(out[:0], in)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	var fx abi.Effects
	if err := abi.Decode(out, &fx); err != nil || fx.Code != abi.OK {
		t.Fatalf("the last outcome: %v %+v", err, fx)
	}
	if allocs != 0 {
		t.Fatalf("a route and its outcome allocate %.1f times", allocs)
	}
}
