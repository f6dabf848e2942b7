package anthropic

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := httptest.NewServer(New(Config{Now: func() time.Time { return now }}))
	defer srv.Close()
	call := func(method, path, key, version, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		if version != "" {
			req.Header.Set("anthropic-version", version)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	const v = "2023-06-01"
	for _, tc := range []struct {
		name, key, version, body string
		status                   int
		want                     string
	}{
		{"no key", "", v, `{}`, 401, `"authentication_error"`},
		{"no version", "k", "", `{}`, 400, `anthropic-version`},
		{"no max_tokens", "k", v, `{"model":"m","messages":[]}`, 400, `max_tokens: Field required`},
		{"extra input", "k", v, `{"model":"m","max_tokens":5,"messages":[],"n":2}`, 400, `n: Extra inputs are not permitted`},
		// "Be brief." 9 bytes: 3 tokens, cached; "hello mock world" 16: 4, echoed.
		{"answer with cache reads", "k", v,
			`{"model":"m","max_tokens":50,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hello mock world"}]}`,
			200, `{"content":[{"text":"hello mock world","type":"text"}],"id":"msg_mock","model":"m","role":"assistant","stop_reason":"end_turn",` +
				`"stop_sequence":null,"type":"message","usage":{"input_tokens":4,"cache_creation_input_tokens":0,"cache_read_input_tokens":3,"output_tokens":4}}`},
		{"cut at max_tokens", "k", v, `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"hello"}]}]}`,
			200, `"content":[{"text":"hell","type":"text"}],"id":"msg_mock","model":"m","role":"assistant","stop_reason":"max_tokens"`},
		{"tool", "k", v, `{"model":"m","max_tokens":9,"tool_choice":{"type":"tool","name":"f"},"messages":[{"role":"user","content":"x"}]}`,
			200, `"content":[{"id":"toolu_mock","input":{"text":"x"},"name":"f","type":"tool_use"}],"id":"msg_mock","model":"m","role":"assistant","stop_reason":"tool_use"`},
		{"stream", "k", v, `{"model":"m","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"a b"}]}`, 200,
			"event: content_block_delta\ndata: {\"delta\":{\"text\":\"a \",\"type\":\"text_delta\"},\"index\":0,\"type\":\"content_block_delta\"}\n\n" +
				"event: content_block_delta\ndata: {\"delta\":{\"text\":\"b\",\"type\":\"text_delta\"},\"index\":0,\"type\":\"content_block_delta\"}\n\n" +
				"event: content_block_stop\ndata: {\"index\":0,\"type\":\"content_block_stop\"}\n\n" +
				"event: message_delta\ndata: {\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"type\":\"message_delta\",\"usage\":{\"output_tokens\":1}}\n\n" +
				"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call("POST", "/v1/messages", tc.key, tc.version, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s\nwant %d with %s", resp.StatusCode, body, tc.status, tc.want)
			}
		})
	}
	resp, _ := call("POST", "/v1/messages", "k", v, `{"model":"m","max_tokens":1,"messages":[]}`)
	if got := resp.Header.Get("anthropic-ratelimit-requests-reset"); got != "2026-01-02T03:05:05Z" || resp.Header.Get("Date") != "Fri, 02 Jan 2026 03:04:05 GMT" {
		t.Errorf("reset %q, date %q", got, resp.Header.Get("Date"))
	}

	s := srv.Config.Handler.(*Server)
	s.SetFault("sk-bad", Fault{Status: 529, Type: "overloaded_error", RetryAfter: 1500 * time.Millisecond})
	resp, body := call("POST", "/v1/messages", "sk-bad", v, `{}`)
	if resp.StatusCode != 529 || resp.Header.Get("retry-after") != "2" || !strings.Contains(body, `"type":"overloaded_error"`) {
		t.Errorf("fault: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if s.Requests("sk-bad") != 1 || s.Requests("nobody") != 0 {
		t.Errorf("requests %d %d", s.Requests("sk-bad"), s.Requests("nobody"))
	}
	if _, body := call("GET", "/v1/models", "k", v, ""); !strings.Contains(body, `"id":"claude-haiku-4-5"`) || !strings.Contains(body, `"has_more":false`) {
		t.Errorf("models %s", body)
	}
}
