// Package wasmtest drives the core's WebAssembly module through Extism
// (github.com/extism/go-sdk), so that every host's tests can check the
// module they ship (built by package wasmbuild from the tree they test).
//
// # Usage
//
//	func TestMain(m *testing.M) {
//		dir, _ := os.MkdirTemp("", "core")
//		wasmPath, _, err := wasmbuild.Build(dir, "core.wasm")
//		…
//	}
//
//	p, err := wasmtest.CompileExtism(ctx, wasmPath, nil)
//	coretest.Run(t, vectors, func(t *testing.T) coretest.Core { return wasmtest.NewExtism(t, p) })
package wasmtest
