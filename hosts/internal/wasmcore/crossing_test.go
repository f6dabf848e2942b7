package wasmcore

import (
	"context"
	"testing"
)

// BenchmarkCrossing is the bare cost of a call into the module and back:
// raw_result, which only returns an address. Compare BenchmarkCallNoop,
// whose version call also encodes a message inside the module.
func BenchmarkCrossing(b *testing.B) {
	ctx := context.Background()
	c, err := New(ctx, Config{WasmPath: TestModule, CacheDir: TestCacheDir})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	f := c.inst.mod.ExportedFunction("raw_result")
	stack := make([]uint64, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := f.CallWithStack(ctx, stack); err != nil {
			b.Fatal(err)
		}
	}
}
