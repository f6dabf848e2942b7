package wasmcore_test

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
)

const scenarioDir = "../../../testdata/scenarios"

// TestScenarios runs every data-driven scenario (testdata/scenarios) on the
// WebAssembly core under the wazero runner: the expected output was written
// by the native core, so the two must agree line for line.
func TestScenarios(t *testing.T) {
	coretest.RunScenarios(t, scenarioDir, func(t *testing.T) coretest.Core {
		return wazeroCore{newCore(t, wasmcore.Config{})}
	}, false)
}

// TestScenariosExtism runs them under extism go-sdk.
func TestScenariosExtism(t *testing.T) {
	p := compileExtism(t)
	coretest.RunScenarios(t, scenarioDir, func(t *testing.T) coretest.Core { return wasmtest.NewExtism(t, p) }, false)
}
