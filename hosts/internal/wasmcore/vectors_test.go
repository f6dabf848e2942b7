package wasmcore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

const vectorDir = "../../../testdata/vectors"

// wazeroCore drives a [wasmcore.Core] as a [coretest.Core].
type wazeroCore struct{ c *wasmcore.Core }

func (w wazeroCore) Call(op string, in []byte) ([]byte, error) {
	ctx := context.Background()
	switch op {
	case coretest.OpApply:
		return w.c.Apply(ctx, in)
	case coretest.OpRoute:
		return w.c.Route(ctx, in)
	case coretest.OpSnapshot:
		return w.c.Snapshot(ctx)
	case coretest.OpRestore:
		return nil, w.c.Restore(ctx, in)
	case coretest.OpVersion:
		return w.c.Version(ctx)
	}
	return nil, abi.Errorf(abi.InvalidArgument, "unknown operation %q", op)
}

// newCore returns a Core on the test module, closed when t ends.
func newCore(t testing.TB, cfg wasmcore.Config) *wasmcore.Core {
	t.Helper()
	if cfg.WasmPath == "" {
		cfg.WasmPath = wasmcore.TestModule
	}
	cfg.CacheDir = wasmcore.TestCacheDir
	c, err := wasmcore.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// compileExtism compiles the test module as an Extism plugin, closed when
// t ends.
func compileExtism(t testing.TB) *extism.CompiledPlugin {
	t.Helper()
	ctx := context.Background()
	cache, err := wazero.NewCompilationCacheWithDir(wasmcore.TestCacheDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wasmtest.CompileExtism(ctx, wasmcore.TestModule, cache)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Close(ctx)
		_ = cache.Close(ctx)
	})
	return p
}

func loadVectors(t testing.TB) []coretest.Vector {
	t.Helper()
	vectors, err := coretest.LoadVectors(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	return vectors
}

// TestVectors replays the golden vectors through the raw ABI under wazero.
func TestVectors(t *testing.T) {
	coretest.Run(t, loadVectors(t), func(t *testing.T) coretest.Core {
		return wazeroCore{newCore(t, wasmcore.Config{})}
	})
}

// TestVectorsExtism replays them through the Extism exports under extism
// go-sdk.
func TestVectorsExtism(t *testing.T) {
	p := compileExtism(t)
	coretest.Run(t, loadVectors(t), func(t *testing.T) coretest.Core { return wasmtest.NewExtism(t, p) })
}

// TestFinalSnapshots replays every vector natively, under wazero and under
// Extism, and compares the snapshots the three end with.
func TestFinalSnapshots(t *testing.T) {
	p := compileExtism(t)
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			impls := []struct {
				name string
				core coretest.Core
			}{
				{"native", coretest.NewNative()},
				{"wazero", wazeroCore{newCore(t, wasmcore.Config{})}},
				{"extism", wasmtest.NewExtism(t, p)},
			}
			var want []byte
			for i, impl := range impls {
				for _, call := range v.Calls {
					coretest.Invoke(impl.core, call)
				}
				got := coretest.Invoke(impl.core, coretest.Call{Op: coretest.OpSnapshot})
				if got.Code != abi.OK {
					t.Fatalf("%s: snapshot: %s %s", impl.name, got.Code, got.Message)
				}
				if i == 0 {
					want = got.Out
				} else if !bytes.Equal(got.Out, want) {
					t.Errorf("%s: final snapshot differs from native:\n got  %x\n want %x", impl.name, got.Out, want)
				}
			}
		})
	}
}
