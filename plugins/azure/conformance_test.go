package azure_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/azure"
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
	dir, err := os.MkdirTemp("", "apikeyrouter-azure-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if pluginPath, err = sdktest.BuildPlugin("./cmd/apikeyrouter-azure", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func TestConformance(t *testing.T) {
	sdktest.Run(t, sdktest.Config{
		New: func(logger hclog.Logger) sdk.Adapter {
			return azure.New(azure.Config{Logger: logger})
		},
		Cassettes: "testdata/cassettes",
		Plugin:    pluginPath,
	})
}
