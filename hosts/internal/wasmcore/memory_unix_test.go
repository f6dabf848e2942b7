//go:build unix

package wasmcore

import (
	"context"
	"testing"
	"unsafe"
)

// TestGuestMemoryIsMapped: the core's module runs in a reserved mapping,
// not on the Go heap, and keeps it as it grows.
func TestGuestMemoryIsMapped(t *testing.T) {
	ctx := context.Background()
	c := testCore(t, Config{})
	m, ok := c.inst.linear.(*mappedMemory)
	if !ok {
		t.Fatalf("the guest's memory is a %T", c.inst.linear)
	}
	before := c.inst.mem.Size()
	if err := c.inst.put(ctx, make([]byte, 8<<20)); err != nil { // makes the guest grow
		t.Fatal(err)
	}
	buf, _ := c.inst.mem.Read(0, 1)
	if c.inst.mem.Size() <= before || unsafe.SliceData(buf) != unsafe.SliceData(m.mem) {
		t.Fatalf("memory %d -> %d bytes, at %p, mapping at %p", before, c.inst.mem.Size(), unsafe.SliceData(buf), unsafe.SliceData(m.mem))
	}
}
