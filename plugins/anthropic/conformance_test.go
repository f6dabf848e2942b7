package anthropic_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/sdktest"
)

// pluginPath is the adapter's plugin executable, built by TestMain.
var pluginPath string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the plugin into a temporary directory, runs the tests and
// removes it.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "apikeyrouter-anthropic-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if pluginPath, err = sdktest.BuildPlugin("./cmd/apikeyrouter-anthropic", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func TestConformance(t *testing.T) {
	sdktest.Run(t, sdktest.Config{
		New: func(logger hclog.Logger) sdk.Adapter {
			return anthropic.New(anthropic.Config{Logger: logger})
		},
		Cassettes: "testdata/cassettes",
		Plugin:    pluginPath,
	})
}
