package wasmcore

import "github.com/tetratelabs/wazero/experimental"

// The guest's linear memory lives outside the Go heap where the platform
// allows (memory_unix.go): wazero's default is a []byte on the heap,
// which the collector's goal then doubles (the proxy's heap grew by twice
// the guest's 6–11 MB), and which every growth copies. Reserved once at its
// maximum and committed as the guest grows, it stays where it is and
// costs only the pages the guest touches.

// heapMemory is a linear memory on the Go heap: the fallback when address
// space cannot be reserved.
type heapMemory struct {
	buf []byte
	max uint64
}

func (m *heapMemory) Reallocate(size uint64) []byte {
	switch {
	case size > m.max:
		return nil
	case size > uint64(cap(m.buf)):
		m.buf = append(m.buf[:cap(m.buf)], make([]byte, size-uint64(cap(m.buf)))...)
	}
	m.buf = m.buf[:size]
	return m.buf
}

func (m *heapMemory) Free() { m.buf = nil }

var _ experimental.LinearMemory = (*heapMemory)(nil)
