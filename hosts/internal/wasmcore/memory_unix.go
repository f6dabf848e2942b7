//go:build unix

package wasmcore

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mappedMemory is a linear memory in an anonymous mapping reserved at the
// memory's maximum size (address space only: PROT_NONE, no swap reserved)
// and made readable and writable as the guest grows it.
type mappedMemory struct {
	mem       []byte // the whole reservation
	committed uint64
}

// allocateMemory reserves a linear memory of at most max bytes, or falls
// back to the heap if the reservation fails (a ulimit on address space).
func allocateMemory(cap, max uint64) experimental.LinearMemory {
	mem, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil || max == 0 {
		return &heapMemory{buf: make([]byte, 0, cap), max: max}
	}
	adviseHugePages(mem)
	return &mappedMemory{mem: mem}
}

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.mem)) {
		return nil
	}
	if size > m.committed {
		// Wasm pages (64 KiB) keep size a multiple of the system's page.
		if err := syscall.Mprotect(m.mem[m.committed:size], syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
			return nil
		}
		m.committed = size
	}
	return m.mem[:size:size]
}

// Free unmaps the memory. wazero calls it when the instance is closed;
// nothing may read a view of it afterwards (Core copies every output).
func (m *mappedMemory) Free() {
	if m.mem != nil {
		_ = syscall.Munmap(m.mem)
		m.mem, m.committed = nil, 0
	}
}
