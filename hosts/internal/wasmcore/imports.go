package wasmcore

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// extismEnv is the module the Extism PDK imports its host functions from.
const extismEnv = "extism:host/env"

// instantiateImports provides what the module imports: WASI for the Go
// runtime, and for the Extism exports' imports, functions that fail if
// called: the raw ABI never reaches them, so a call is a broken contract
// and traps, like any other fault.
func instantiateImports(ctx context.Context, rt wazero.Runtime, cm wazero.CompiledModule) error {
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return fmt.Errorf("instantiate WASI: %w", err)
	}
	b := rt.NewHostModuleBuilder(extismEnv)
	seen := map[string]bool{}
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != extismEnv || seen[name] {
			continue
		}
		seen[name] = true
		b.NewFunctionBuilder().
			WithGoModuleFunction(unavailable(name), f.ParamTypes(), f.ResultTypes()).
			Export(name)
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return fmt.Errorf("instantiate %s stubs: %w", extismEnv, err)
	}
	return nil
}

// unavailable is an Extism host function the raw ABI does not provide.
func unavailable(name string) api.GoModuleFunc {
	return func(context.Context, api.Module, []uint64) {
		panic(fmt.Errorf("the guest called %s:%s, which the raw ABI does not provide", extismEnv, name))
	}
}
