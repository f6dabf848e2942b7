//go:build !unix

package wasmcore

import "github.com/tetratelabs/wazero/experimental"

// allocateMemory puts the linear memory on the heap, as wazero would.
func allocateMemory(cap, max uint64) experimental.LinearMemory {
	return &heapMemory{buf: make([]byte, 0, cap), max: max}
}
