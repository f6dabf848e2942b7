// Command apikeyrouter-gemini is the Google Gemini provider adapter as a
// go-plugin subprocess. The host starts it (sdk.NewClient); run by hand it
// only says it is a plugin. It logs JSON to stderr, which the host relays;
// LOG_LEVEL sets the level (default info).
package main

import (
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/gemini"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

func main() {
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "gemini",
		Output:     os.Stderr,
		JSONFormat: true,
		Level:      hclog.LevelFromString(os.Getenv("LOG_LEVEL")),
	})
	sdk.Serve(gemini.New(gemini.Config{Logger: logger}), logger)
}
