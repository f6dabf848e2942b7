package wasmcore

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
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
	if TestModule, err = wasmtest.Build(dir, "core.wasm"); err == nil {
		TestCrashModule, err = wasmtest.Build(dir, "core-crash.wasm", "akrcrash")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
