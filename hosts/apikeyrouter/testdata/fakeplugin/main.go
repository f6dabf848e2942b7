// Command fakeplugin is an adapter plugin for the supervision tests. It
// counts its starts and takes its behaviour from files next to its
// executable (a plugin inherits no test environment):
//
//   - <exe>.spawns gets a line at every start;
//   - <exe>.mode holds what it does: "hang" (at start, never handshake),
//     "crash" (at start, print <exe>.message to stderr and exit 3),
//     "log-secret" (log each call's secret, then answer), "panic" (panic
//     with the secret in the message), anything else or no file: answer.
//
// It answers chats with "fake: ok".
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

var exe string

func file(ext string) string {
	b, _ := os.ReadFile(exe + ext)
	return strings.TrimSpace(string(b))
}

// fake is the adapter; raw is the plugin's stderr as it started (Serve
// redirects os.Stderr afterwards).
type fake struct {
	log hclog.Logger
	raw io.Writer
}

func (fake) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "fake", Version: "1.0.0", Formats: []string{sdk.FormatOpenAI},
		Endpoints: []string{sdk.EndpointChatCompletions}}, nil
}

func (fake) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	return int64(len(req.Body)+3) / 4, nil
}

func (f fake) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
	switch file(".mode") {
	case "log-secret":
		f.log.Info("calling the provider with "+req.Secret, "secret", req.Secret)
		fmt.Fprintln(f.raw, "a raw line with", req.Secret)
	case "panic":
		panic("boom " + req.Secret)
	}
	body := `{"id":"fake","object":"chat.completion","created":0,"model":"fake-1","choices":[{"index":0,` +
		`"finish_reason":"stop","message":{"role":"assistant","content":"fake: ok"}}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`
	usage := func() abi.Usage { return abi.Usage{InputTokens: 1, OutputTokens: 2} }
	return &sdk.Response{Status: http.StatusOK, Result: abi.Success,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   sdk.NewBody(io.NopCloser(strings.NewReader(body)), usage)}, nil
}

func (fake) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
	return []sdk.Model{{ID: "fake-1"}}, nil
}

func main() {
	var err error
	if exe, err = os.Executable(); err != nil {
		panic(err)
	}
	if f, err := os.OpenFile(exe+".spawns", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintln(f, os.Getpid())
		f.Close()
	}
	switch file(".mode") {
	case "hang":
		for {
			time.Sleep(time.Hour)
		}
	case "crash":
		fmt.Fprintln(os.Stderr, file(".message"))
		os.Exit(3)
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "fake", Output: os.Stderr, JSONFormat: true,
		Level: hclog.LevelFromString(os.Getenv("LOG_LEVEL"))})
	sdk.Serve(fake{log: logger, raw: os.Stderr}, logger)
}
