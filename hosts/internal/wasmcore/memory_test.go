package wasmcore

import (
	"context"
	"fmt"
	"testing"
	"unsafe"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
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

// TestGuestCollectsItsGarbage: the module runs its collector itself
// (wasm/gc.go), so restores, each of which leaves the replaced state behind
// as garbage, do not grow the guest's memory without bound.
func TestGuestCollectsItsGarbage(t *testing.T) {
	ctx := context.Background()
	c := testCore(t, Config{})
	m, err := core.New(abi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []abi.Event{{Provider: &abi.Provider{ID: "openai"}},
		{Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000}}}} {
		ev.V, ev.Now = abi.Version, t0
		m.Apply(&ev, &abi.Effects{})
	}
	for i := range 1000 {
		m.Apply(&abi.Event{V: abi.Version, Now: t0, Key: &abi.Key{ID: abi.KeyID(fmt.Sprintf("key-%04d", i)), Provider: "openai"}}, &abi.Effects{})
	}
	snap, err := m.SnapshotMsg(nil)
	if err != nil {
		t.Fatal(err)
	}
	const restores = 100
	var after10 uint32
	for i := range restores {
		if err := c.Restore(ctx, snap); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			after10 = c.inst.mem.Size()
		}
	}
	if got := c.inst.mem.Size(); got > after10+8<<20 {
		t.Fatalf("guest memory grew from %d MiB after 10 restores of a %d KiB snapshot to %d MiB after %d",
			after10>>20, len(snap)>>10, got>>20, restores)
	}
}
