//go:build wasip1

package main

import (
	"github.com/apikeyrouter/apikeyrouter/core"
	"github.com/extism/go-pdk"
)

// The Extism exports: input from pdk.Input, output through pdk.Output,
// return 0; or pdk.SetError and return 1 when the ABI call itself failed.

//go:wasmexport apply
func apply() int32 {
	return collected(extismReply(machine.ApplyMsg(out[:0], pdk.Input())), false)
}

//go:wasmexport route
func route() int32 {
	return collected(extismReply(machine.RouteMsg(out[:0], pdk.Input())), false)
}

//go:wasmexport snapshot
func snapshot() int32 {
	return collected(extismReply(machine.SnapshotMsg(out[:0])), true)
}

//go:wasmexport restore
func restore() int32 {
	m, err := core.RestoreMsg(pdk.Input())
	if err != nil {
		pdk.SetError(err)
		return collected(int32(1), true)
	}
	machine = m
	return collected(int32(0), true)
}

//go:wasmexport version
func version() int32 {
	return extismReply(core.VersionMsg(out[:0]))
}

// extismReply hands a call's output or error to the Extism host.
func extismReply(b []byte, err error) int32 {
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	out = b
	pdk.Output(b)
	return 0
}
