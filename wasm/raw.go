//go:build wasip1

package main

import (
	"errors"
	"unsafe"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// The raw exports: the same five calls with their input and output in
// linear memory, for hosts that do not need the Extism kernel. See
// README.md for the protocol.

var (
	// rawIn is the input buffer the host writes into (see raw_buffer).
	rawIn = make([]byte, 64<<10)
	// rawMsg holds the message of the last failed call.
	rawMsg []byte
	// rawResult is the result descriptor: the address and the length of
	// the last call's output, or of its error message.
	rawResult [2]uint32
)

//go:wasmexport raw_result
func rawResultAddr() uint32 {
	return uint32(uintptr(unsafe.Pointer(&rawResult)))
}

//go:wasmexport raw_buffer
func rawBuffer(size uint32) uint32 {
	if size > abi.MaxMessageSize {
		return 0
	}
	if uint32(len(rawIn)) < size {
		rawIn = make([]byte, size)
	}
	return addr(rawIn)
}

//go:wasmexport raw_apply
func rawApply(n uint32) uint32 {
	in, err := rawInput(n)
	var b []byte
	if err == nil {
		b, err = applyMsg(out[:0], in)
	}
	return collected(rawReply(b, err), false)
}

//go:wasmexport raw_route
func rawRoute(n uint32) uint32 {
	in, err := rawInput(n)
	var b []byte
	if err == nil {
		b, err = machine.RouteMsg(out[:0], in)
	}
	return collected(rawReply(b, err), false)
}

//go:wasmexport raw_snapshot
func rawSnapshot() uint32 {
	return collected(rawReply(machine.SnapshotMsg(out[:0])), true)
}

//go:wasmexport raw_restore
func rawRestore(n uint32) uint32 {
	in, err := rawInput(n)
	if err == nil {
		var m *core.Machine
		if m, err = core.RestoreMsg(in); err == nil {
			machine = m
		}
	}
	return collected(rawReply(nil, err), true)
}

//go:wasmexport raw_version
func rawVersion() uint32 {
	return rawReply(core.VersionMsg(out[:0]))
}

// rawInput returns the first n bytes of the input buffer.
func rawInput(n uint32) ([]byte, error) {
	if n > uint32(len(rawIn)) {
		return nil, abi.Errorf(abi.InvalidArgument, "raw input of %d bytes exceeds the %d-byte buffer", n, len(rawIn))
	}
	return rawIn[:n], nil
}

// rawReply points the result descriptor at the output and returns 0, or
// at the error's message and returns its code.
func rawReply(b []byte, err error) uint32 {
	if err != nil {
		var e *abi.Error
		if errors.As(err, &e) {
			rawMsg = append(rawMsg[:0], e.Message...)
		} else {
			rawMsg = append(rawMsg[:0], err.Error()...)
		}
		rawResult = [2]uint32{addr(rawMsg), uint32(len(rawMsg))}
		return uint32(abi.CodeOf(err))
	}
	if b != nil {
		out = b
	}
	rawResult = [2]uint32{addr(b), uint32(len(b))}
	return uint32(abi.OK)
}

// addr is the linear-memory address of b's first byte; 0 for an empty b.
func addr(b []byte) uint32 {
	if cap(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}
