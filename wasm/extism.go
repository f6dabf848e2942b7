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
	defer collectGarbage(false)
	return extismReply(machine.ApplyMsg(out[:0], pdk.Input()))
}

//go:wasmexport route
func route() int32 {
	defer collectGarbage(false)
	return extismReply(machine.RouteMsg(out[:0], pdk.Input()))
}

//go:wasmexport snapshot
func snapshot() int32 {
	defer collectGarbage(true)
	return extismReply(machine.SnapshotMsg(out[:0]))
}

//go:wasmexport restore
func restore() int32 {
	defer collectGarbage(true)
	m, err := core.RestoreMsg(pdk.Input())
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	machine = m
	return 0
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
