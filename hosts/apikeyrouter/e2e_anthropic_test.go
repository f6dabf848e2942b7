package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	mockanthropic "github.com/apikeyrouter/apikeyrouter/hosts/mockupstream/anthropic"
)

// anthropicSecrets are the Anthropic keys of the fleet; no output may
// contain one.
var anthropicSecrets = []string{"sk-ant-e2e-secret-1111", "sk-ant-e2e-secret-2222"}

// buildAnthropicPlugin builds the anthropic adapter plugin next to the
// binary, once, as make build does.
var buildAnthropicPlugin = sync.OnceValue(func() error {
	out, err := exec.Command("go", "build", "-o", filepath.Join(bins, "apikeyrouter-anthropic"),
		"../../plugins/anthropic/cmd/apikeyrouter-anthropic").CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build apikeyrouter-anthropic: %v\n%s", err, out)
	}
	return nil
})

// anthropicFleet is a proxy's config with two Anthropic keys on the mock
// Messages API (claude-haiku-4-5 at its bundled price) and one key on the
// mock OpenAI upstream (gpt-4o-mini), every adapter a plugin subprocess.
type anthropicFleet struct {
	anthropic *mockanthropic.Server
	openai    *mockupstream.Server
	env       []string
}

// newAnthropicFleet writes the fleet's config; extraEnv comes last and wins.
func newAnthropicFleet(t *testing.T, extraEnv ...string) *anthropicFleet {
	t.Helper()
	if err := buildAnthropicPlugin(); err != nil {
		t.Fatal(err)
	}
	am := mockanthropic.New(mockanthropic.Config{})
	asrv := httptest.NewServer(am)
	t.Cleanup(asrv.Close)
	om := mockupstream.New(mockupstream.Config{})
	osrv := httptest.NewServer(om)
	t.Cleanup(osrv.Close)
	t.Cleanup(om.Close)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`
providers:
  anthropic: {base_url: "%s/v1"}
  mock: {base_url: "%s/v1", discover: false}
prices:
  mock:
    gpt-4o-mini: {input: 0.15, output: 0.60, context: 128000, max_output: 16384}
keys:
  - {id: claude-1, provider: anthropic, secret: "%s"}
  - {id: claude-2, provider: anthropic, secret: "%s"}
  - {id: mock-1, provider: mock, secret: "%s"}
budgets:
  - {id: monthly, period: monthly, limit_usd: "1000"}
`, asrv.URL, osrv.URL, anthropicSecrets[0], anthropicSecrets[1], secrets[0])
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &anthropicFleet{anthropic: am, openai: om, env: append([]string{"APIKEYROUTER_CONFIG=" + path,
		"APIKEYROUTER_DATA_DIR=" + filepath.Join(dir, "data"), "PROXY_API_KEY=" + proxyKey,
		"APIKEYROUTER_ADMIN_TOKEN=" + adminToken, "APIKEYROUTER_ADAPTERS=plugin", "LOG_LEVEL=debug"}, extraEnv...)}
}

// claudeClient is the official Anthropic client of the proxy.
func claudeClient(p *proc) anthropic.Client {
	return anthropic.NewClient(aoption.WithBaseURL(p.url), aoption.WithAPIKey(proxyKey), aoption.WithMaxRetries(0))
}

// claudeCost is what the core charges for usage on claude-haiku-4-5 at its
// bundled price ($1, cached $0.10, output $5 per million tokens), rounded
// up to the nano-dollar.
func claudeCost(input, cached, output int64) int64 {
	return ((input-cached)*1_000_000 + cached*100_000 + output*5_000_000 + 999) / 1000
}

// wantSpend waits (bounded) until the budget's spend is want: a streamed
// answer settles once the proxy has relayed its last byte.
func wantSpend(t *testing.T, p *proc, want int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("spend of %d nano-USD", want), 10*time.Second, func() bool { return adminSpent(t, p) == want })
}

// messageParams asks for an echo of text, with a cached system prompt
// ("Be brief.": 3 tokens, read from the cache).
func messageParams(model, text string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: 200,
		System:    []anthropic.TextBlockParam{{Text: "Be brief.", CacheControl: anthropic.NewCacheControlEphemeralParam()}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(text))},
	}
}

// TestAnthropicClientToAnthropicKey drives /v1/messages with the official
// Anthropic client to Anthropic keys through the plugin: the body passes
// through, usage (cache reads included) is accounted and charged, an
// overloaded key fails over, and errors have Anthropic's shape.
func TestAnthropicClientToAnthropicKey(t *testing.T) {
	f := newAnthropicFleet(t)
	p := start(t, f.env...)
	c := claudeClient(p)
	ctx := context.Background()

	var resp *http.Response
	msg, err := c.Messages.New(ctx, messageParams("claude-haiku-4-5", "hello from the anthropic client"), aoption.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	// "hello from the anthropic client": 31 bytes, 8 tokens, echoed.
	if len(msg.Content) != 1 || msg.Content[0].Text != "hello from the anthropic client" || msg.StopReason != anthropic.StopReasonEndTurn ||
		msg.Usage.InputTokens != 8 || msg.Usage.CacheReadInputTokens != 3 || msg.Usage.OutputTokens != 8 {
		t.Fatalf("message %+v", msg)
	}
	if resp.Header.Get("x-apikeyrouter-provider") != "anthropic" || !strings.HasPrefix(resp.Header.Get("x-apikeyrouter-key-id"), "claude-") {
		t.Errorf("headers %v", resp.Header)
	}
	spent := claudeCost(11, 3, 8)
	wantSpend(t, p, spent)

	stream := c.Messages.NewStreaming(ctx, messageParams("claude-haiku-4-5", "one two three four"))
	var acc anthropic.Message
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	// "one two three four": 18 bytes, 5 tokens.
	if acc.Content[0].Text != "one two three four" || acc.StopReason != anthropic.StopReasonEndTurn ||
		acc.Usage.InputTokens != 5 || acc.Usage.CacheReadInputTokens != 3 || acc.Usage.OutputTokens != 5 {
		t.Fatalf("streamed message %+v", acc)
	}
	spent += claudeCost(8, 3, 5)
	wantSpend(t, p, spent)

	// An overloaded key (529) fails over to the other: every answer comes from it.
	f.anthropic.SetFault(anthropicSecrets[0], mockanthropic.Fault{Status: 529, Type: "overloaded_error"})
	served := f.anthropic.Requests(anthropicSecrets[1])
	for i := range 4 {
		if _, err := c.Messages.New(ctx, messageParams("claude-haiku-4-5", fmt.Sprintf("failover %d", i)), aoption.WithResponseInto(&resp)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if k := resp.Header.Get("x-apikeyrouter-key-id"); k != "claude-2" {
			t.Errorf("request %d answered by %s", i, k)
		}
	}
	if n := f.anthropic.Requests(anthropicSecrets[1]) - served; n != 4 {
		t.Errorf("the healthy key served %d of 4 requests", n)
	}

	// The endpoint's own errors have Anthropic's shape, so the client reads their type.
	for _, tc := range []struct {
		name, key, model string
		status           int
		typ              string
	}{
		{"wrong key", "sk-wrong", "claude-haiku-4-5", 401, "authentication_error"},
		{"admin token as client key", adminToken, "claude-haiku-4-5", 401, "authentication_error"},
		{"unknown model", proxyKey, "claude-nope", 404, "not_found_error"},
	} {
		c := anthropic.NewClient(aoption.WithBaseURL(p.url), aoption.WithAPIKey(tc.key), aoption.WithMaxRetries(0))
		_, err := c.Messages.New(ctx, messageParams(tc.model, "x"))
		var apiErr *anthropic.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status || string(apiErr.Type()) != tc.typ || apiErr.Message == "" {
			t.Errorf("%s: %v; want %d %s", tc.name, err, tc.status, tc.typ)
		}
	}
	// Every key failing: the provider's last error, as it was.
	f.anthropic.SetFault(anthropicSecrets[1], mockanthropic.Fault{Status: 429, Type: "rate_limit_error", RetryAfter: time.Hour})
	_, err = c.Messages.New(ctx, messageParams("claude-haiku-4-5", "x"))
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Type() != "rate_limit_error" {
		t.Errorf("rate limited: %v", err)
	}
	// "failover N": 3 tokens, echoed; failed attempts cost nothing.
	wantSpend(t, p, spent+4*claudeCost(6, 3, 3))
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, s := range anthropicSecrets {
		if strings.Contains(p.logs.String(), s) {
			t.Errorf("secret %s…%s in the logs", s[:10], s[len(s)-4:])
		}
	}
}

// TestAnthropicClientToOpenAIKey drives /v1/messages with the Anthropic
// client to an OpenAI-compatible key: the openai plugin translates the
// request to a chat completion and the answer back, streamed and not.
func TestAnthropicClientToOpenAIKey(t *testing.T) {
	f := newAnthropicFleet(t)
	p := start(t, f.env...)
	c := claudeClient(p)
	ctx := context.Background()

	var resp *http.Response
	msg, err := c.Messages.New(ctx, messageParams("gpt-4o-mini", "hello through translation"), aoption.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	// The OpenAI mock counts "Be brief." (3) and "hello through translation" (25 bytes: 7), and echoes 7.
	if msg.Content[0].Text != "hello through translation" || msg.StopReason != anthropic.StopReasonEndTurn ||
		msg.Usage.InputTokens != 10 || msg.Usage.OutputTokens != 7 || msg.Model != "gpt-4o-mini" {
		t.Fatalf("message %+v", msg)
	}
	if resp.Header.Get("x-apikeyrouter-key-id") != "mock-1" {
		t.Errorf("key %s", resp.Header.Get("x-apikeyrouter-key-id"))
	}
	spent := cost("mock-1", 10, 7)
	wantSpend(t, p, spent)

	stream := c.Messages.NewStreaming(ctx, messageParams("gpt-4o-mini", "one two three"))
	var acc anthropic.Message
	events := 0
	for stream.Next() {
		events++
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	// "one two three": 13 bytes, 4 tokens; message_start, block start, a delta per word, block stop, message_delta, message_stop.
	if acc.Content[0].Text != "one two three" || acc.StopReason != anthropic.StopReasonEndTurn ||
		acc.Usage.InputTokens != 7 || acc.Usage.OutputTokens != 4 || events != 8 {
		t.Fatalf("streamed message (%d events) %+v", events, acc)
	}
	spent += cost("mock-1", 7, 4)
	wantSpend(t, p, spent)

	// A field OpenAI has no equivalent for is refused before any call, naming it.
	before := f.openai.Requests(secrets[0])
	_, err = c.Messages.New(ctx, messageParams("gpt-4o-mini", "x"), aoption.WithJSONSet("top_k", 5))
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type() != "invalid_request_error" || !strings.Contains(apiErr.Message, "top_k") {
		t.Fatalf("top_k: %v", err)
	}
	if f.openai.Requests(secrets[0]) != before || adminSpent(t, p) != spent {
		t.Error("a refused request reached the provider or was charged")
	}
}

// TestOpenAIClientToAnthropicKey drives /v1/chat/completions with the
// official OpenAI client to Anthropic keys: the anthropic plugin
// translates to the Messages API and back, streamed and not, tool calls
// included.
func TestOpenAIClientToAnthropicKey(t *testing.T) {
	f := newAnthropicFleet(t)
	p := start(t, f.env...)
	c := client(p)
	ctx := context.Background()
	params := func(text string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{Model: "claude-haiku-4-5", Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."), openai.UserMessage(text)}}
	}

	var resp *http.Response
	out, err := c.Chat.Completions.New(ctx, params("hello from the openai client"), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	// "Be brief." 3 tokens (not cached: a plain string), "hello from the openai client" 28 bytes: 7, echoed.
	if out.Choices[0].Message.Content != "hello from the openai client" || out.Choices[0].FinishReason != "stop" ||
		out.Usage.PromptTokens != 10 || out.Usage.CompletionTokens != 7 || out.Object != "chat.completion" {
		t.Fatalf("completion %+v", out)
	}
	if resp.Header.Get("x-apikeyrouter-provider") != "anthropic" {
		t.Errorf("provider %s", resp.Header.Get("x-apikeyrouter-provider"))
	}
	spent := claudeCost(10, 0, 7)
	wantSpend(t, p, spent)

	for _, withUsage := range []bool{false, true} {
		sp := params("one two three four")
		if withUsage {
			sp.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		}
		stream := c.Chat.Completions.NewStreaming(ctx, sp)
		var text strings.Builder
		var usage openai.CompletionUsage
		finish := ""
		for stream.Next() {
			ch := stream.Current()
			if len(ch.Choices) > 0 {
				text.WriteString(ch.Choices[0].Delta.Content)
				finish += ch.Choices[0].FinishReason
			} else if !withUsage {
				t.Fatal("a usage chunk the client did not ask for reached it")
			}
			if ch.Usage.TotalTokens > 0 {
				usage = ch.Usage
			}
		}
		if err := stream.Err(); err != nil || text.String() != "one two three four" || finish != "stop" {
			t.Fatalf("stream %q (finish %q): %v", text.String(), finish, err)
		}
		if withUsage && (usage.PromptTokens != 8 || usage.CompletionTokens != 5) {
			t.Errorf("usage chunk %+v", usage)
		}
		spent += claudeCost(8, 0, 5)
		wantSpend(t, p, spent)
	}

	// A forced tool call comes back as OpenAI tool_calls, streamed and not.
	tp := params("call it")
	tp.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name: "echo", Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}}}})}
	tp.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "echo"})
	out, err = c.Chat.Completions.New(ctx, tp)
	if err != nil {
		t.Fatal(err)
	}
	if calls := out.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Function.Name != "echo" ||
		calls[0].Function.Arguments != `{"text":"call it"}` || out.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("tool call %+v", out.Choices[0])
	}
	stream := c.Chat.Completions.NewStreaming(ctx, tp)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if calls := acc.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].ID != "toolu_mock" || calls[0].Function.Arguments != `{"text":"call it"}` {
		t.Fatalf("streamed tool call %+v", acc.Choices[0])
	}

	// What Anthropic cannot honour is refused before any call, naming the field.
	before := f.anthropic.Requests(anthropicSecrets[0]) + f.anthropic.Requests(anthropicSecrets[1])
	np := params("x")
	np.N = openai.Int(2)
	_, err = c.Chat.Completions.New(ctx, np)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type != "invalid_request_error" || apiErr.Param != "n" {
		t.Fatalf("n=2: %v", err)
	}
	if f.anthropic.Requests(anthropicSecrets[0])+f.anthropic.Requests(anthropicSecrets[1]) != before {
		t.Error("a refused request reached the provider")
	}
}

// TestAnthropicInProcess: by default the anthropic adapter, wire-compatible
// for Anthropic's format, runs in the binary, and translates there too.
func TestAnthropicInProcess(t *testing.T) {
	f := newAnthropicFleet(t, "APIKEYROUTER_ADAPTERS=auto")
	p := start(t, f.env...)
	if !strings.Contains(p.logs.String(), `"msg":"adapter is wire-compatible: running it in-process","adapter":"anthropic"`) {
		t.Fatalf("the anthropic adapter does not run in-process:\n%s", p.logs)
	}
	c := claudeClient(p)
	msg, err := c.Messages.New(context.Background(), messageParams("claude-haiku-4-5", "in process"))
	if err != nil || msg.Content[0].Text != "in process" {
		t.Fatalf("message %+v: %v", msg, err)
	}
	oc := client(p)
	out, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "claude-haiku-4-5",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("translated in process")}})
	if err != nil || out.Choices[0].Message.Content != "translated in process" {
		t.Fatalf("completion %+v: %v", out, err)
	}
	// "Be brief." cached (3) and "in process" (3), echoed; "translated in process" (6), echoed.
	wantSpend(t, p, claudeCost(6, 3, 3)+claudeCost(6, 0, 6))
}
