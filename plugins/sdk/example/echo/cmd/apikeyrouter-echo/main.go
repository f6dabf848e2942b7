// Command apikeyrouter-echo serves the echo adapter as an ApiKeyRouter
// plugin: put it in APIKEYROUTER_PLUGIN_DIR.
package main

import (
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"

	"example.com/apikeyrouter-echo"
)

func main() {
	logger := hclog.New(&hclog.LoggerOptions{Name: "echo", Output: os.Stderr, JSONFormat: true,
		Level: hclog.LevelFromString(os.Getenv("LOG_LEVEL"))})
	sdk.Serve(echo.Adapter{}, logger)
}
