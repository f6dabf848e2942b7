package wasmcore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

// Set by TestMain for this package's tests, internal and external.
var (
	// TestModule is the core module, built as `make wasm` builds it.
	TestModule string
	// TestCrashModule is the same with the test-only crash exports.
	TestCrashModule string
	// TestCacheDir is a compilation cache shared by the tests, so that
	// each module is compiled once.
	TestCacheDir string
)

// TestMain builds the modules into a temporary directory, so that go test
// needs nothing built beforehand.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wasmcore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	TestCacheDir = filepath.Join(dir, "cache")
	if TestModule, _, err = wasmbuild.Build(dir, "core.wasm"); err == nil {
		TestCrashModule, _, err = wasmbuild.Build(dir, "core-crash.wasm", "akrcrash")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// testCore returns a Core on TestModule with the shared compilation cache
// and the rest of cfg, closed when the test ends.
func testCore(t testing.TB, cfg Config) *Core {
	t.Helper()
	cfg.WasmPath, cfg.CacheDir = TestModule, TestCacheDir
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}
