// Package wasmtest builds the core's WebAssembly module for tests and
// drives it through Extism (github.com/extism/go-sdk), so that every host's
// tests can check the module they ship, built from the tree they test.
//
// # Usage
//
//	func TestMain(m *testing.M) {
//		dir, _ := os.MkdirTemp("", "core")
//		wasmPath, err := wasmtest.Build(dir, "core.wasm")
//		…
//	}
//
//	p, err := wasmtest.CompileExtism(ctx, wasmPath, nil)
//	coretest.Run(t, vectors, func(t *testing.T) coretest.Core { return wasmtest.NewExtism(t, p) })
package wasmtest
