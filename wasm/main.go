//go:build wasip1

// Command wasm is the routing core as a WebAssembly module: an Extism
// plugin (exports apply, route, snapshot, restore, version) that also
// exports a raw ABI for hosts without the Extism kernel (raw_*). Build it
// with stock Go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o bin/apikeyrouter-core.wasm ./wasm
//
// `make wasm` does, and then threads the module's jumps (package optimize).
//
// The exports are glue only: input → core's *Msg method → output. The
// module instance holds one [core.Machine]. README.md specifies both ABIs.
package main

import (
	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// machine is the module instance's routing core: the instance owns the
// state, and restore replaces it.
var machine = newMachine()

// out is the output buffer the calls append to, reused between calls.
var out []byte

func newMachine() *core.Machine {
	m, err := core.New(abi.Config{})
	if err != nil {
		panic(err) // the zero config is valid
	}
	return m
}

// main is never called: a c-shared (reactor) module is initialised by
// _initialize and then only entered through its exports.
func main() {}
