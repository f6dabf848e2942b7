//go:build wasip1 && akrcrash

package main

import (
	"bytes"
	"unsafe"
)

// Test-only exports, built with -tags akrcrash and never into the product
// module: they apply an event and then fail the way a bug in the core
// would, so that hosts can test that they rebuild the state after a trap.

// crashMark makes raw_apply trap, after applying the event, on any event
// that holds it (a key's id, say): a host running this build through its
// ordinary calls can make its core trap on demand.
var crashMark = []byte("akrcrash-trap")

// applyMsg is raw_apply's call: the machine's ApplyMsg, then a trap if
// the event holds crashMark.
func applyMsg(dst, in []byte) ([]byte, error) {
	b, err := machine.ApplyMsg(dst, in)
	if bytes.Contains(in, crashMark) {
		trap()
	}
	return b, err
}

// trapped keeps what trap loads, so that the load is not optimised away.
var trapped byte

// trap loads past the end of linear memory: a WebAssembly trap.
func trap() {
	far := unsafe.Add(unsafe.Pointer(unsafe.SliceData(rawIn)), 1<<31+1<<30)
	trapped = *(*byte)(far)
}

//go:wasmexport raw_crash_panic
func rawCrashPanic(n uint32) uint32 {
	rawApply(n)
	panic("akrcrash: a panic after applying the event")
}

//go:wasmexport raw_crash_trap
func rawCrashTrap(n uint32) uint32 {
	rawApply(n)
	trap()
	return 0
}
