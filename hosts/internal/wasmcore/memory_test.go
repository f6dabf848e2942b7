package wasmcore

import (
	"testing"
	"unsafe"
)

func TestLinearMemoryGrowsInPlace(t *testing.T) {
	const page = 64 << 10
	for _, tc := range []struct {
		name string
		max  uint64
	}{
		{"reserved", 1 << 32},     // the Go module's maximum: 65536 pages
		{"unreservable", 1 << 62}, // no address space for it: on the heap
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := allocateMemory(page, tc.max)
			defer m.Free()
			a := m.Reallocate(2 * page)
			if len(a) != 2*page {
				t.Fatalf("%d bytes, want %d", len(a), 2*page)
			}
			a[0], a[len(a)-1] = 1, 2
			b := m.Reallocate(40 * page)
			if len(b) != 40*page || b[0] != 1 || b[2*page-1] != 2 || b[len(b)-1] != 0 {
				t.Fatalf("grown to %d bytes, contents lost", len(b))
			}
			b[len(b)-1] = 3
			if _, mapped := m.(*mappedMemory); mapped && unsafe.SliceData(a) != unsafe.SliceData(b) {
				t.Fatal("a reserved memory moved when it grew")
			}
			if _, mapped := m.(*mappedMemory); mapped != (tc.name == "reserved") {
				t.Fatalf("%T for %s", m, tc.name)
			}
		})
	}
	if m := allocateMemory(0, 4*page); m.Reallocate(5*page) != nil {
		t.Fatal("grew past its maximum")
	}
}
