package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// messagesTestKey is the proxy key of the Messages tests.
const messagesTestKey = "proxy-key-for-messages"

// recordingAdapter answers every call with a fixed Messages answer and
// records what it was asked.
type recordingAdapter struct {
	mu   sync.Mutex
	reqs []sdk.Request
}

const recordedAnswer = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Hi"}],` +
	`"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":2}}`

func (a *recordingAdapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "recording", Formats: []string{sdk.FormatAnthropic}, Endpoints: []string{sdk.EndpointMessages}}, nil
}

func (a *recordingAdapter) EstimateTokens(context.Context, *sdk.Request) (int64, error) {
	return 100, nil
}

func (a *recordingAdapter) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
	a.mu.Lock()
	a.reqs = append(a.reqs, *req)
	a.mu.Unlock()
	return &sdk.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Result: abi.Success,
		Body: sdk.NewBody(io.NopCloser(strings.NewReader(recordedAnswer)), func() abi.Usage { return abi.Usage{InputTokens: 10, OutputTokens: 2} })}, nil
}

func (a *recordingAdapter) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
	return nil, nil
}

func (a *recordingAdapter) last() sdk.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reqs[len(a.reqs)-1]
}

// newMessagesRig serves a proxy whose "anthropic" provider is the
// recording adapter, serving claude-haiku-4-5 (a 1,000-token context).
func newMessagesRig(t *testing.T) (*httptest.Server, *recordingAdapter) {
	t.Helper()
	a := &recordingAdapter{}
	r, err := router.New(router.Options{Adapters: map[string]sdk.Adapter{"recording": a}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "anthropic", AdapterName: "recording"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "anthropic", Name: "claude-haiku-4-5", ContextWindow: 1000,
		Price: abi.Price{Input: 1_000_000, Output: 5_000_000}}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "anthropic-1", Provider: "anthropic"}, "sk-ant-test"); err != nil {
		t.Fatal(err)
	}
	s, err := proxy.New(r, proxy.Config{ProxyKey: messagesTestKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, a
}

func TestMessages(t *testing.T) {
	srv, a := newMessagesRig(t)
	good := `{"model":"claude-haiku-4-5","max_tokens":200,"messages":[{"role":"user","content":"Hi"}]}`
	call := func(header map[string]string, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	for _, h := range []map[string]string{
		{"x-api-key": messagesTestKey, "anthropic-version": "2023-06-01"},
		{"Authorization": "Bearer " + messagesTestKey},
	} {
		resp, body := call(h, good)
		if resp.StatusCode != 200 || body != recordedAnswer || resp.Header.Get("x-apikeyrouter-key-id") != "anthropic-1" ||
			resp.Header.Get("x-apikeyrouter-provider") != "anthropic" {
			t.Fatalf("headers %v: %d %v %s", h, resp.StatusCode, resp.Header, body)
		}
		got := a.last()
		if got.Endpoint != sdk.EndpointMessages || got.Format != sdk.FormatAnthropic || string(got.Body) != good || got.Secret != "sk-ant-test" {
			t.Errorf("the adapter was asked %+v", got)
		}
	}

	key := map[string]string{"x-api-key": messagesTestKey}
	for _, tc := range []struct {
		name   string
		header map[string]string
		ctype  string
		body   string
		status int
		typ    string
	}{
		{"no key", nil, "", good, 401, "authentication_error"},
		{"wrong key", map[string]string{"x-api-key": "sk-wrong"}, "", good, 401, "authentication_error"},
		{"wrong bearer", map[string]string{"Authorization": "Bearer sk-wrong"}, "", good, 401, "authentication_error"},
		{"not JSON", key, "", `{"model":`, 400, "invalid_request_error"},
		{"no model", key, "", `{"max_tokens":5,"messages":[]}`, 400, "invalid_request_error"},
		{"negative max_tokens", key, "", `{"model":"claude-haiku-4-5","max_tokens":-1,"messages":[]}`, 400, "invalid_request_error"},
		// 100 estimated input tokens + 950 > the 1,000-token context.
		{"max_tokens over the context", key, "", `{"model":"claude-haiku-4-5","max_tokens":950,"messages":[]}`, 400, "invalid_request_error"},
		{"unknown model", key, "", `{"model":"claude-nope","max_tokens":5,"messages":[]}`, 404, "not_found_error"},
		{"wrong content type", key, "text/plain", good, 415, "invalid_request_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/messages", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var e struct {
				Type  string
				Error struct{ Type, Message string }
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || resp.StatusCode != tc.status || e.Type != "error" || e.Error.Type != tc.typ || e.Error.Message == "" {
				t.Errorf("%d %s; want %d with an Anthropic error of type %s (%v)", resp.StatusCode, raw, tc.status, tc.typ, err)
			}
		})
	}
	// Only max_tokens bounds a Messages answer: OpenAI's field means nothing here.
	if resp, body := call(key, `{"model":"claude-haiku-4-5","max_completion_tokens":5000,"messages":[]}`); resp.StatusCode != 200 {
		t.Errorf("max_completion_tokens was read: %d %s", resp.StatusCode, body)
	}
}

// Interface guards
var _ sdk.Adapter = (*recordingAdapter)(nil)
