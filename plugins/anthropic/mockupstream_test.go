package anthropic_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/apikeyrouter/apikeyrouter/abi"
	mockanthropic "github.com/apikeyrouter/apikeyrouter/hosts/mockupstream/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// adapterModes are the ways a host can run the adapter.
var adapterModes = []struct {
	name  string
	start func(tb testing.TB) sdk.Adapter
}{
	{"in-process", func(testing.TB) sdk.Adapter { return anthropic.New(anthropic.Config{}) }},
	{"grpc", func(tb testing.TB) sdk.Adapter {
		client, _ := plugin.TestPluginGRPCConn(tb, false, sdk.PluginMap(anthropic.New(anthropic.Config{})))
		tb.Cleanup(func() { _ = client.Close() })
		raw, err := client.Dispense(sdk.PluginName)
		if err != nil {
			tb.Fatal(err)
		}
		return raw.(sdk.Adapter)
	}},
	{"subprocess", func(tb testing.TB) sdk.Adapter {
		c, err := sdk.NewClient(sdk.ClientConfig{Path: pluginPath, Logger: hclog.NewNullLogger()})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(c.Kill)
		return c.Adapter()
	}},
}

// exchange calls Do and reads the whole body.
func exchange(t *testing.T, a sdk.Adapter, req *sdk.Request) (*sdk.Response, string, error) {
	t.Helper()
	resp, err := a.Do(t.Context(), req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// TestAgainstMockUpstream runs both formats, streamed and not, tool calls
// and faults against the mock Anthropic API, in every mode.
func TestAgainstMockUpstream(t *testing.T) {
	messages := func(stream bool, extra string) []byte {
		return []byte(`{"model":"claude-haiku-4-5","max_tokens":100,"stream":` + map[bool]string{true: "true", false: "false"}[stream] + extra +
			`,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hello mock world"}]}`)
	}
	chat := func(stream bool, extra string) []byte {
		return []byte(`{"model":"claude-haiku-4-5","stream":` + map[bool]string{true: "true", false: "false"}[stream] + extra +
			`,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello mock world"}]}`)
	}
	for _, m := range adapterModes {
		t.Run(m.name, func(t *testing.T) {
			mock := mockanthropic.New(mockanthropic.Config{})
			srv := httptest.NewServer(mock)
			defer srv.Close()
			a := m.start(t)
			req := func(secret, endpoint, format string, body []byte) *sdk.Request {
				return &sdk.Request{Endpoint: endpoint, Format: format, Body: body, BaseURL: srv.URL + "/v1", Secret: secret}
			}
			// "Be brief." 9 bytes: 3 tokens (cached when marked); "hello mock world" 16: 4, echoed.
			cached := abi.Usage{InputTokens: 7, CachedInputTokens: 3, OutputTokens: 4}
			plain := abi.Usage{InputTokens: 7, OutputTokens: 4}

			resp, body, err := exchange(t, a, req("sk-a", sdk.EndpointMessages, sdk.FormatAnthropic, messages(false, "")))
			if out := resp.Outcome(); err != nil || out.Result != abi.Success || out.Usage != cached || !strings.Contains(body, `"text":"hello mock world"`) {
				t.Errorf("messages: %v %+v %s", err, out, body)
			}
			if rl := resp.Outcome().RateLimit; rl == nil || rl.LimitRequests != 1_000_000 || rl.RemainingRequests != 999_999 {
				t.Errorf("rate limit: %+v", rl)
			}
			resp, body, err = exchange(t, a, req("sk-a", sdk.EndpointMessages, sdk.FormatAnthropic, messages(true, "")))
			if out := resp.Outcome(); err != nil || out.Usage != cached || !strings.HasSuffix(body, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n") {
				t.Errorf("messages stream: %v %+v\n%s", err, out, body)
			}

			resp, body, err = exchange(t, a, req("sk-a", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(false, "")))
			if out := resp.Outcome(); err != nil || out.Usage != plain ||
				!strings.Contains(body, `"message":{"role":"assistant","content":"hello mock world"}`) || !strings.Contains(body, `"prompt_tokens":7`) {
				t.Errorf("chat: %v %+v %s", err, out, body)
			}
			resp, body, err = exchange(t, a, req("sk-a", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(true, `,"stream_options":{"include_usage":true}`)))
			if out := resp.Outcome(); err != nil || out.Usage != plain || !strings.Contains(body, `"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":4`) ||
				!strings.HasSuffix(body, "data: [DONE]\n\n") {
				t.Errorf("chat stream: %v %+v\n%s", err, out, body)
			}
			tool := `,"tools":[{"type":"function","function":{"name":"echo","parameters":{"type":"object"}}}],"tool_choice":{"type":"function","function":{"name":"echo"}}`
			_, body, err = exchange(t, a, req("sk-a", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(false, tool)))
			if err != nil || !strings.Contains(body, `"tool_calls":[{"id":"toolu_mock","type":"function","function":{"name":"echo","arguments":"{\"text\":\"hello mock world\"}"}}]`) ||
				!strings.Contains(body, `"finish_reason":"tool_calls"`) {
				t.Errorf("chat tool call: %v %s", err, body)
			}
			_, body, err = exchange(t, a, req("sk-a", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(true, tool)))
			if err != nil || !strings.Contains(body, `"tool_calls":[{"index":0,"id":"toolu_mock","type":"function","function":{"name":"echo","arguments":""}}]`) ||
				strings.Count(body, `"function":{"arguments":`) != 2 {
				t.Errorf("chat tool call stream: %v\n%s", err, body)
			}

			mock.SetFault("sk-b", mockanthropic.Fault{Status: 429, Type: "rate_limit_error", RetryAfter: 2 * time.Second})
			resp, body, _ = exchange(t, a, req("sk-b", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(false, "")))
			if out := resp.Outcome(); resp.Status != 429 || out.Result != abi.RateLimited || out.RetryAfter != 2*abi.Second ||
				!strings.Contains(body, `"code":"rate_limit_exceeded"`) {
				t.Errorf("429: %d %+v %s", resp.Status, out, body)
			}
			mock.SetFault("sk-b", mockanthropic.Fault{Status: 529, Type: "overloaded_error"})
			if resp, body, _ = exchange(t, a, req("sk-b", sdk.EndpointMessages, sdk.FormatAnthropic, messages(false, ""))); resp.Outcome().Result != abi.ServerError ||
				body != `{"type":"error","error":{"type":"overloaded_error","message":"mock fault"}}`+"\n" {
				t.Errorf("529: %+v %q", resp.Outcome(), body)
			}
			mock.SetFault("sk-b", mockanthropic.Fault{Status: 402, Type: "billing_error"})
			if resp, _, _ = exchange(t, a, req("sk-b", sdk.EndpointMessages, sdk.FormatAnthropic, messages(false, ""))); resp.Outcome().Result != abi.QuotaExhausted {
				t.Errorf("402: %+v", resp.Outcome())
			}
			if resp, body, _ = exchange(t, a, req("sk-c", sdk.EndpointChatCompletions, sdk.FormatOpenAI, chat(false, `,"logprobs":true`))); resp.Status != 400 ||
				resp.Outcome().Result != abi.BadRequest || !strings.Contains(body, `"param":"logprobs"`) {
				t.Errorf("refused: %d %+v %s", resp.Status, resp.Outcome(), body)
			}
			models, err := a.Models(t.Context(), req("sk-a", "", "", nil))
			if err != nil || len(models) != 2 || models[0].ID != "claude-haiku-4-5" {
				t.Errorf("models: %v %v", models, err)
			}

			if got := [3]int64{mock.Requests("sk-a"), mock.Requests("sk-b"), mock.Requests("sk-c")}; got != [3]int64{7, 3, 0} {
				t.Errorf("requests per key = %v, want [7 3 0] (a refused request never leaves)", got)
			}
		})
	}
}
