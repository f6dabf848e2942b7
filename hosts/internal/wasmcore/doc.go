// Package wasmcore runs the routing core's WebAssembly build
// (bin/apikeyrouter-core.wasm, package wasm) under wazero's compiler, through
// the module's raw ABI: one module instance that owns the state, calls
// serialised by a mutex, no Extism kernel on the hot path.
//
// A trap does not lose state or kill the process: the [Core] keeps the last
// snapshot and a journal of the mutating calls made since, and after a trap
// it discards the instance, instantiates the module again, restores the
// snapshot and replays the journal. It takes a snapshot itself every
// [Config.SnapshotEvery] mutating calls, which bounds the journal.
//
// # Usage
//
// Build the module once (make wasm), then:
//
//	c, err := wasmcore.New(ctx, wasmcore.Config{
//		WasmPath: "bin/apikeyrouter-core.wasm",
//		CacheDir: filepath.Join(dataDir, "wazero"), // compiled code, reused by the next start
//	})
//	if err != nil { ... }
//	defer c.Close(ctx)
//
//	effects, err := c.Apply(ctx, event)     // an encoded abi.Event
//	decision, err := c.Route(ctx, request)  // an encoded abi.RouteRequest
//	switch {
//	case errors.Is(err, wasmcore.ErrTrapped):
//		// the core's state is intact, this call's result is lost: retry once
//	case abi.CodeOf(err) != abi.OK:
//		// the input itself was refused (malformed, wrong version …)
//	}
//
// The inputs and outputs are the MessagePack messages of package abi, the
// same bytes as [core.Machine]'s *Msg methods take and give.
//
// # Notes
//
// A call runs to completion: the context is passed to the guest but does not
// interrupt it (a decision takes microseconds).
package wasmcore
