// Package abi is the versioned wire contract between ApiKeyRouter hosts and
// its routing core: MessagePack messages, their error codes and the rules
// that make every encoding canonical.
//
// The same types are used natively (library mode) and across the
// WebAssembly boundary, so a host written in any language that follows
// abi/README.md produces and reads the very same bytes.
//
// # Usage
//
// Encode a request, hand the bytes to the core, decode the answer:
//
//	in, _ := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: now, Model: "gpt-4o-mini"})
//	out := machine.Route(in)
//	var d abi.Decision
//	if err := abi.Decode(out, &d); err != nil { ... }
//	if d.Code != abi.OK { ... d.RetryAt ... }
//
// # Notes
//
// Every message starts with its version field "v"; [Decode] checks it before
// anything else and rejects unknown fields, trailing bytes and oversized
// input. Money is integer nano-USD ([NanoUSD]), time is integer Unix
// nanoseconds ([UnixNano]), tokens are integers ([Tokens]): no floats cross
// the boundary, so every platform computes the same results.
package abi
