package core

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestKeyLayout checks what the key's layout is for: every key's hot
// fields share a cache line, and the keys of a fleet lie an odd number of
// cache lines apart, so that a scan over them uses all the cache's sets
// (an even stride such as 12 lines leaves three in four idle). It depends
// on the Go runtime's size classes and allocation header: if a new runtime
// breaks it, move fields.
func TestKeyLayout(t *testing.T) {
	m, err := New(abi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var fx abi.Effects
	m.Apply(&abi.Event{V: abi.Version, Now: rigStart, Provider: &abi.Provider{ID: "p"}}, &fx)
	hotSize := unsafe.Offsetof(key{}.home) + unsafe.Offsetof(pool{}.calmFor) + unsafe.Sizeof(uint32(0)) - unsafe.Offsetof(key{}.mark)
	strides := map[uintptr]int{}
	var prev uintptr
	for i := range 256 {
		id := abi.KeyID(fmt.Sprintf("k%03d", i))
		if m.Apply(&abi.Event{V: abi.Version, Now: rigStart, Key: &abi.Key{ID: id, Provider: "p"}}, &fx); fx.Code != abi.OK {
			t.Fatal(fx.Message)
		}
		hot := uintptr(unsafe.Pointer(&m.keyByID[id].mark))
		if hot%64+hotSize > 64 {
			t.Fatalf("key %d's hot fields (%d bytes from %d bytes into a cache line) span two", i, hotSize, hot%64)
		}
		if i > 0 {
			strides[hot-prev]++
		}
		prev = hot
	}
	var common uintptr
	for s, n := range strides {
		if n > strides[common] {
			common = s
		}
	}
	if lines := common / 64; lines%2 == 0 {
		t.Fatalf("keys lie %d cache lines apart, an even number (key size %d)", lines, unsafe.Sizeof(key{}))
	}
}
