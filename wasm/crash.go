//go:build wasip1 && akrcrash

package main

import "unsafe"

// Test-only exports, built with -tags akrcrash and never into the product
// module: they apply an event and then fail the way a bug in the core
// would, so that hosts can test that they rebuild the state after a trap.

//go:wasmexport raw_crash_panic
func rawCrashPanic(n uint32) uint32 {
	rawApply(n)
	panic("akrcrash: a panic after applying the event")
}

//go:wasmexport raw_crash_trap
func rawCrashTrap(n uint32) uint32 {
	rawApply(n)
	// A load past the end of linear memory: a WebAssembly trap.
	far := unsafe.Add(unsafe.Pointer(unsafe.SliceData(rawIn)), 1<<31+1<<30)
	return uint32(*(*byte)(far))
}
