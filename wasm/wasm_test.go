package main_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/wasm/optimize"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
	"github.com/tetratelabs/wazero"
)

// TestExports builds the module as `make wasm` does and checks its
// interface: exactly the Extism and raw exports, imports only from WASI
// and the Extism kernel — and the crash exports only with -tags akrcrash;
// and that its jumps were threaded, all of them (threading again finds
// none).
func TestExports(t *testing.T) {
	dir := t.TempDir()
	product := []string{
		"_initialize",
		"apply", "restore", "route", "snapshot", "version",
		"raw_apply", "raw_buffer", "raw_restore", "raw_result", "raw_route", "raw_snapshot", "raw_version",
	}
	for _, tc := range []struct {
		tags []string
		want []string
	}{
		{nil, product},
		{[]string{"akrcrash"}, append(slices.Clone(product), "raw_crash_panic", "raw_crash_trap")},
	} {
		path, stats, err := wasmbuild.Build(dir, "core.wasm", tc.tags...)
		if err != nil {
			t.Fatal(err)
		}
		if module, err := os.ReadFile(path); err != nil {
			t.Fatal(err)
		} else if _, again, err := optimize.ThreadJumps(module); err != nil || stats.Jumps < 1000 || stats.Entries < 1000 || again != (optimize.Stats{}) {
			t.Errorf("tags %v: threaded %+v, then %+v more (%v)", tc.tags, stats, again, err)
		}
		exports, imports := inspect(t, path)
		slices.Sort(tc.want)
		if !slices.Equal(exports, tc.want) {
			t.Errorf("tags %v: exports\n %v\nwant\n %v", tc.tags, exports, tc.want)
		}
		for _, m := range imports {
			if m != "wasi_snapshot_preview1" && m != "extism:host/env" {
				t.Errorf("tags %v: imports from %q", tc.tags, m)
			}
		}
	}
}

// inspect returns the module's exported functions (sorted) and the
// modules it imports from.
func inspect(t *testing.T, path string) (exports, imports []string) {
	t.Helper()
	ctx := context.Background()
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only the module's interface is read, nothing runs: the interpreter
	// decodes and validates without compiling (minutes under -race).
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	for name := range cm.ExportedFunctions() {
		exports = append(exports, name)
	}
	slices.Sort(exports)
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		t.Error("no exported memory")
	}
	for _, f := range cm.ImportedFunctions() {
		m, _, _ := f.Import()
		if !slices.Contains(imports, m) {
			imports = append(imports, m)
		}
	}
	return exports, imports
}
