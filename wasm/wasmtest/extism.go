package wasmtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// CompileExtism compiles the module at wasmPath as an Extism plugin, with
// WASI (the Go runtime needs it) and wazero's compiler, using cache unless
// it is nil.
func CompileExtism(ctx context.Context, wasmPath string, cache wazero.CompilationCache) (*extism.CompiledPlugin, error) {
	manifest := extism.Manifest{Wasm: []extism.Wasm{extism.WasmFile{Path: wasmPath}}}
	rc := wazero.NewRuntimeConfigCompiler()
	if cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	cfg := extism.PluginConfig{EnableWasi: true, RuntimeConfig: rc}
	p, err := extism.NewCompiledPlugin(ctx, manifest, cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("compile %s as an Extism plugin: %w", wasmPath, err)
	}
	return p, nil
}

// Extism is one instance of the module driven through its Extism exports
// (apply, route, snapshot, restore, version).
type Extism struct {
	Plugin *extism.Plugin
}

// NewExtism instantiates p with the host's clock and randomness; the
// instance is closed when t ends.
func NewExtism(t testing.TB, p *extism.CompiledPlugin) *Extism {
	t.Helper()
	ctx := context.Background()
	mc := wazero.NewModuleConfig().WithSysWalltime().WithSysNanotime().WithSysNanosleep()
	inst, err := p.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: mc})
	if err != nil {
		t.Fatalf("instantiate the Extism plugin: %v", err)
	}
	t.Cleanup(func() { _ = inst.Close(ctx) })
	return &Extism{Plugin: inst}
}

// Call implements [coretest.Core]. A guest's error (return code 1 and an
// error message) becomes the [*abi.Error] it describes.
func (e *Extism) Call(op string, in []byte) ([]byte, error) {
	rc, out, err := e.Plugin.Call(op, in)
	if err != nil {
		if rc == 1 {
			if ae, ok := ParseError(err.Error()); ok {
				return nil, ae
			}
		}
		return nil, fmt.Errorf("extism %s: rc %d: %w", op, rc, err)
	}
	if rc != 0 {
		return nil, fmt.Errorf("extism %s: rc %d without an error", op, rc)
	}
	return out, nil
}

// ParseError reads back the text of an [*abi.Error] ("abi: <code>:
// <message>"), which is how the Extism exports report a failed call.
func ParseError(s string) (*abi.Error, bool) {
	rest, ok := strings.CutPrefix(s, "abi: ")
	if !ok {
		return nil, false
	}
	name, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		return nil, false
	}
	code, err := abi.ParseCode(name)
	if err != nil {
		return nil, false
	}
	return &abi.Error{Code: code, Message: msg}, true
}

// Interface guards
var _ coretest.Core = (*Extism)(nil)
