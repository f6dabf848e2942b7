package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TestPrefixedModelNames: clients coming from LLM-API-Key-Proxy name
// models "<provider>/<model>". Each call goes to that provider, whose
// upstream (each mock echoes the model it was sent) gets its own name for
// the model through the adapter plugins; the log line keeps the client's.
func TestPrefixedModelNames(t *testing.T) {
	f := newAnthropicFleet(t)
	p := start(t, f.env...)
	c := client(p)
	ctx := context.Background()
	for _, tc := range []struct {
		model, provider, upstream string
	}{
		{"anthropic/claude-haiku-4-5", "anthropic", "claude-haiku-4-5"},
		{"mock/gpt-4o-mini", "mock", "gpt-4o-mini"},
	} {
		var resp *http.Response
		out, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: tc.model,
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}}, option.WithResponseInto(&resp))
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		if out.Model != tc.upstream || out.Choices[0].Message.Content != "hello" || resp.Header.Get("x-apikeyrouter-provider") != tc.provider {
			t.Errorf("%s: answered for %q by %q: %+v", tc.model, out.Model, resp.Header.Get("x-apikeyrouter-provider"), out)
		}
		waitFor(t, "the log line of "+tc.model, 5*time.Second, func() bool {
			return strings.Contains(p.logs.String(), `"model":"`+tc.model+`"`)
		})
	}

	var resp *http.Response
	claude := claudeClient(p)
	msg, err := claude.Messages.New(ctx, messageParams("anthropic/claude-haiku-4-5", "hello"), aoption.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Model) != "claude-haiku-4-5" || resp.Header.Get("x-apikeyrouter-provider") != "anthropic" {
		t.Errorf("/v1/messages answered for %q by %q", msg.Model, resp.Header.Get("x-apikeyrouter-provider"))
	}
	if f.openai.Requests(secrets[0]) != 1 {
		t.Errorf("the mock provider got %d requests, want 1 (for mock/gpt-4o-mini only)", f.openai.Requests(secrets[0]))
	}
}
