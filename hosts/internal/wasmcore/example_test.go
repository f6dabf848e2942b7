package wasmcore_test

import (
	"context"
	"fmt"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
)

func ExampleNew() {
	ctx := context.Background()
	c, err := wasmcore.New(ctx, wasmcore.Config{
		WasmPath: wasmcore.TestModule, // bin/apikeyrouter-core.wasm
		CacheDir: wasmcore.TestCacheDir,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)

	now := abi.UnixNano(1_767_225_600_000_000_000)
	for _, ev := range []abi.Event{
		{Provider: &abi.Provider{ID: "openai"}},
		{Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}}},
		{Key: &abi.Key{ID: "oa-1", Provider: "openai"}},
	} {
		ev.V, ev.Now = abi.Version, now
		in, _ := abi.Encode(&ev)
		if _, err := c.Apply(ctx, in); err != nil {
			panic(err)
		}
	}
	in, _ := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: now, Model: "gpt-4o-mini", InputTokens: 1200})
	out, err := c.Route(ctx, in)
	if err != nil {
		panic(err)
	}
	var d abi.Decision
	if err := abi.Decode(out, &d); err != nil {
		panic(err)
	}
	fmt.Println(d.Code, d.Key, d.Attempt)
	// Output: ok oa-1 1
}
