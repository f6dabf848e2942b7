package anthropic

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

func TestPrepareBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, model, want string
		stream                bool
	}{
		{name: "unchanged", in: `{"model":"claude-haiku-4-5", "max_tokens":5,"messages":[] }`, want: `{"model":"claude-haiku-4-5", "max_tokens":5,"messages":[] }`},
		{name: "same model unchanged", in: `{"model":"m","messages":[]}`, model: "m", want: `{"model":"m","messages":[]}`},
		{name: "model replaced in place", in: `{"messages":[], "model" : "alias",  "stream":true}`, model: "claude-haiku-4-5-20251001",
			want: `{"messages":[], "model" : "claude-haiku-4-5-20251001",  "stream":true}`, stream: true},
		{name: "model added", in: `{"messages":[]}`, model: "m", want: `{"messages":[],"model":"m"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			p, err := prepareBody(in, tc.model)
			if err != nil || string(p.body) != tc.want || p.stream != tc.stream {
				t.Errorf("prepareBody = %s stream=%v, %v; want %s stream=%v", p.body, p.stream, err, tc.want, tc.stream)
			}
			if string(in) != tc.in {
				t.Errorf("the client's body was modified: %s", in)
			}
			if again, _ := prepareBody(in, tc.model); !bytes.Equal(again.body, p.body) {
				t.Errorf("not idempotent on retry: %s then %s", p.body, again.body)
			}
		})
	}
	for _, in := range []string{``, `[1]`, `{"model":`} {
		if _, err := prepareBody([]byte(in), ""); err == nil {
			t.Errorf("prepareBody(%q) succeeded; want an error", in)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	for _, tc := range []struct {
		endpoint, format, want string
	}{
		{sdk.EndpointMessages, sdk.FormatAnthropic, sdk.FormatAnthropic},
		{sdk.EndpointMessages, "", sdk.FormatAnthropic},
		{sdk.EndpointChatCompletions, sdk.FormatOpenAI, sdk.FormatOpenAI},
		{sdk.EndpointChatCompletions, "", sdk.FormatOpenAI},
		{sdk.EndpointMessages, sdk.FormatOpenAI, ""},
		{sdk.EndpointChatCompletions, sdk.FormatAnthropic, ""},
		{sdk.EndpointEmbeddings, "", ""},
		{sdk.EndpointMessages, "gemini", ""},
	} {
		got, err := checkRequest(&sdk.Request{Endpoint: tc.endpoint, Format: tc.format})
		if got != tc.want || (tc.want == "") != (err != nil) || err != nil && sdk.ClassifyError(err) != abi.BadRequest {
			t.Errorf("checkRequest(%s, %q) = %q, %v; want %q", tc.endpoint, tc.format, got, err, tc.want)
		}
	}
}

func TestUpstreamHeader(t *testing.T) {
	extra := http.Header{"Authorization": {"Bearer client"}, "X-Api-Key": {"client"}, "Anthropic-Beta": {"prompt-caching-2024-07-31"},
		"Content-Length": {"9"}, "Connection": {"close"}}
	h := upstreamHeader(extra, "sk-ant-1")
	want := http.Header{"X-Api-Key": {"sk-ant-1"}, "Anthropic-Version": {APIVersion}, "Content-Type": {"application/json"},
		"Anthropic-Beta": {"prompt-caching-2024-07-31"}}
	if len(h) != len(want) {
		t.Errorf("header %v, want %v", h, want)
	}
	for k, v := range want {
		if h.Get(k) != v[0] {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v[0])
		}
	}
	if h := upstreamHeader(http.Header{"anthropic-version": {"2099-01-01"}}, ""); h.Get("Anthropic-Version") != "2099-01-01" || h.Get("X-Api-Key") != "" {
		t.Errorf("a configured version must win and an empty secret be left out: %v", h)
	}
}

func TestClassifyStatus(t *testing.T) {
	for status, want := range map[int]abi.Result{
		200: abi.Success, 400: abi.BadRequest, 401: abi.AuthError, 402: abi.QuotaExhausted, 403: abi.AuthError,
		404: abi.BadRequest, 413: abi.BadRequest, 429: abi.RateLimited, 500: abi.ServerError, 504: abi.ServerError, 529: abi.ServerError,
	} {
		if got := classifyStatus(status, nil); got != want {
			t.Errorf("classifyStatus(%d) = %s, want %s", status, got, want)
		}
	}
}

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       int64
	}{
		// "Be brief." 9 bytes: 3; "Hello!" 6: 2.
		{"system string and text", `{"system":"Be brief.","messages":[{"role":"user","content":"Hello!"}]}`, 3 + 2},
		{"system blocks, text blocks, image", `{"system":[{"type":"text","text":"abcdefgh"}],"messages":[{"role":"user","content":[{"type":"text","text":"abcd"},` +
			`{"type":"image","source":{"type":"url","url":"https://x"}}]}]}`, 2 + 1 + 1600},
		// tool_use: "f" 1 + {"a":1} 7 bytes: 2; tool_result "12345" 2.
		{"tool use and result", `{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":1}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"12345"}]}]}]}`, 1 + 2 + 2},
		{"documents", `{"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},` +
			`{"type":"document","source":{"type":"text","media_type":"text/plain","data":"abcd"}}]}]}`, 3000 + 1},
		// tools [{"name":"f"}] 14 bytes: 4.
		{"tools, auto", `{"tools":[{"name":"f"}],"messages":[]}`, 4 + 346},
		{"tools, forced", `{"tools":[{"name":"f"}],"tool_choice":{"type":"any"},"messages":[]}`, 4 + 313},
		{"empty", `{}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := estimateTokens([]byte(tc.body)); err != nil || got != tc.want {
				t.Errorf("estimateTokens = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := estimateTokens([]byte(`[]`)); err == nil {
		t.Error("estimateTokens([]) succeeded")
	}
}
