// Package echo is an example third-party adapter for ApiKeyRouter: it
// answers OpenAI chat completions by echoing the last user message, with
// no network. It lives in a Go module of its own, as a third party's
// adapter would, and builds against the SDK alone.
//
// # Usage
//
//	go build -o "$APIKEYROUTER_PLUGIN_DIR/apikeyrouter-echo" ./cmd/apikeyrouter-echo
//
// and configure a provider with it (APIKEYROUTER_CONFIG):
//
//	providers:
//	  echo: {adapter: echo, discover: false, models: [echo-1]}
//	keys:
//	  - {id: echo-1, provider: echo, secret: "any"}
package echo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Adapter echoes chats. It is safe for concurrent use.
type Adapter struct{}

// Info describes the adapter.
func (Adapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "echo", Version: "1.0.0", Formats: []string{sdk.FormatOpenAI},
		Endpoints: []string{sdk.EndpointChatCompletions}}, nil
}

// EstimateTokens counts a token per four bytes of the body.
func (Adapter) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	return int64(len(req.Body)+3) / 4, nil
}

// chat is the part of an OpenAI chat request the adapter reads.
type chat struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

// Do answers with "echo: " and the last user message.
func (a Adapter) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	var c chat
	if req.Endpoint != sdk.EndpointChatCompletions || json.Unmarshal(req.Body, &c) != nil {
		return nil, &sdk.Error{Result: abi.BadRequest, Message: "echo: want an OpenAI chat completions body"}
	}
	text := ""
	for _, m := range c.Messages {
		if m.Role == "user" {
			text = m.Content
		}
	}
	reply := "echo: " + text
	in, _ := a.EstimateTokens(ctx, req)
	usage := abi.Usage{InputTokens: abi.Tokens(in), OutputTokens: abi.Tokens(len(strings.Fields(reply)))}
	body, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-echo", "object": "chat.completion", "created": 0, "model": c.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": reply}}},
		"usage": map[string]any{"prompt_tokens": usage.InputTokens, "completion_tokens": usage.OutputTokens,
			"total_tokens": usage.InputTokens + usage.OutputTokens},
	})
	return &sdk.Response{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}},
		Result: abi.Success,
		Body:   sdk.NewBody(io.NopCloser(bytes.NewReader(body)), func() abi.Usage { return usage }),
	}, nil
}

// Models lists the one model.
func (Adapter) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
	return []sdk.Model{{ID: "echo-1", OwnedBy: "example"}}, nil
}

// Interface guards
var _ sdk.Adapter = Adapter{}
