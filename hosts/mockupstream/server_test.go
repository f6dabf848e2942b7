package mockupstream_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// clock is a settable clock for rate-limit windows.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// start is 2026-01-01T00:00:00Z: "created" is 1767225600.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// serve starts a mock with a fixed clock; it returns the mock, its base URL
// and the clock.
func serve(t *testing.T, cfg mockupstream.Config) (*mockupstream.Server, string, *clock) {
	t.Helper()
	clk := &clock{now: start}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	mock := mockupstream.New(cfg)
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	t.Cleanup(mock.Close) // runs first: stalled answers end
	return mock, srv.URL, clk
}

func call(t *testing.T, ctx context.Context, method, url, secret, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return http.DefaultClient.Do(req)
}

// post sends body and returns the answer with its whole body.
func post(t *testing.T, url, secret, body string) (*http.Response, string) {
	t.Helper()
	resp, err := call(t, t.Context(), http.MethodPost, url, secret, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

const usage5x5 = `"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}`

func TestChat(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{})
	resp, body := post(t, url+"/v1/chat/completions", "sk-1",
		`{"model":"mock-gpt","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"hello \"you\"\n"}]}`)
	// prompt: "Be brief" 8 bytes → 2, `hello "you"` + newline 12 bytes → 3; reply echoes the user: 3.
	want := `{"id":"chatcmpl-mock","object":"chat.completion","created":1767225600,"model":"mock-gpt","choices":[{"index":0,"message":{"role":"assistant","content":"hello \"you\"\n","refusal":null},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_mock"}`
	if resp.StatusCode != 200 || body != want {
		t.Errorf("%d %s\nwant %s", resp.StatusCode, body, want)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestChatContentPartsAndMaxTokens(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{})
	_, body := post(t, url+"/v1/chat/completions", "sk-1",
		`{"model":"m","max_tokens":2,"messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"},{"type":"text","text":"ijk"}]}]}`)
	var got struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			Prompt     int64 `json:"prompt_tokens"`
			Completion int64 `json:"completion_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if c := got.Choices[0]; c.Message.Content != "abcdefgh" || c.FinishReason != "length" || got.Usage.Prompt != 3 || got.Usage.Completion != 2 {
		t.Errorf("got %+v", got)
	}
}

func TestChatStream(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{})
	head := `data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1767225600,"model":"m","system_fingerprint":"fp_mock","choices":[`
	chunks := []string{
		`{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`,
		`{"index":0,"delta":{"content":"hello  "},"logprobs":null,"finish_reason":null}]`,
		`{"index":0,"delta":{"content":"there "},"logprobs":null,"finish_reason":null}]`,
		`{"index":0,"delta":{"content":"world"},"logprobs":null,"finish_reason":null}]`,
		`{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]`,
	}
	for _, tc := range []struct{ name, options string }{
		{"plain", ``},
		{"include_usage", `,"stream_options":{"include_usage":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want strings.Builder
			for _, c := range chunks {
				want.WriteString(head + c)
				if tc.options != "" {
					want.WriteString(`,"usage":null`)
				}
				want.WriteString("}\n\n")
			}
			if tc.options != "" {
				want.WriteString(head + `],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}` + "\n\n")
			}
			want.WriteString("data: [DONE]\n\n")
			resp, body := post(t, url+"/v1/chat/completions", "sk-1",
				`{"model":"m","stream":true`+tc.options+`,"messages":[{"role":"user","content":"hello  there world"}]}`)
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if body != want.String() {
				t.Errorf("stream\n%s\nwant\n%s", body, want.String())
			}
		})
	}
}

func TestCompletions(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{})
	_, body := post(t, url+"/v1/completions", "sk-1", `{"model":"m","prompt":["abcd","efghi"]}`)
	want := `{"id":"cmpl-mock","object":"text_completion","created":1767225600,"model":"m","choices":[` +
		`{"text":"abcd","index":0,"logprobs":null,"finish_reason":"stop"},{"text":"efghi","index":1,"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`
	if body != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	_, body = post(t, url+"/v1/completions", "sk-1", `{"model":"m","prompt":"ab cd","stream":true,"stream_options":{"include_usage":true}}`)
	head := `data: {"id":"cmpl-mock","object":"text_completion","created":1767225600,"choices":[`
	want = head + `{"text":"ab ","index":0,"logprobs":null,"finish_reason":null}],"model":"m","usage":null}` + "\n\n" +
		head + `{"text":"cd","index":0,"logprobs":null,"finish_reason":null}],"model":"m","usage":null}` + "\n\n" +
		head + `{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}],"model":"m","usage":null}` + "\n\n" +
		head + `],"model":"m","usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}` + "\n\n" +
		"data: [DONE]\n\n"
	if body != want {
		t.Errorf("stream\n%s\nwant\n%s", body, want)
	}
}

func TestEmbeddings(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{EmbeddingDims: 4})
	type embeddings struct {
		Data []struct {
			Index     int
			Embedding []float64
		}
		Usage struct {
			Prompt int64 `json:"prompt_tokens"`
			Total  int64 `json:"total_tokens"`
		}
	}
	get := func(input string) embeddings {
		_, body := post(t, url+"/v1/embeddings", "sk-1", `{"model":"e","input":`+input+`}`)
		var e embeddings
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return e
	}
	a, b := get(`["abcdefgh","x",[1,2,3]]`), get(`"abcdefgh"`)
	if len(a.Data) != 3 || len(a.Data[0].Embedding) != 4 || a.Usage.Prompt != 2+1+3 || a.Usage.Total != 6 {
		t.Fatalf("got %+v", a)
	}
	if !equal(a.Data[0].Embedding, b.Data[0].Embedding) {
		t.Errorf("the same input gave different vectors: %v and %v", a.Data[0].Embedding, b.Data[0].Embedding)
	}
	if equal(a.Data[0].Embedding, a.Data[1].Embedding) {
		t.Errorf("different inputs gave the same vector")
	}
	for _, v := range a.Data[2].Embedding {
		if v < -1 || v >= 1 {
			t.Errorf("component %v outside [-1, 1)", v)
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestModels(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{Models: []string{"a", "b"}})
	resp, err := call(t, t.Context(), http.MethodGet, url+"/v1/models", "sk-1", "")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"object":"list","data":[{"id":"a","object":"model","created":1700000000,"owned_by":"mockupstream"},{"id":"b","object":"model","created":1700000000,"owned_by":"mockupstream"}]}`
	if string(body) != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
}

func TestBadRequests(t *testing.T) {
	_, url, _ := serve(t, mockupstream.Config{})
	for _, tc := range []struct {
		name, path, secret, body string
		status                   int
		code                     string
	}{
		{"no key", "/v1/chat/completions", "", `{}`, 401, "invalid_api_key"},
		{"invalid JSON", "/v1/chat/completions", "sk-1", `{"messages":`, 400, ""},
		{"bad prompt", "/v1/completions", "sk-1", `{"prompt":{}}`, 400, ""},
		{"bad input", "/v1/embeddings", "sk-1", `{"input":[{}]}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, url+tc.path, tc.secret, tc.body)
			if resp.StatusCode != tc.status || errorCode(t, body) != tc.code {
				t.Errorf("%d %s; want %d with code %q", resp.StatusCode, body, tc.status, tc.code)
			}
		})
	}
}

// errorCode returns an OpenAI error body's code ("" for null).
func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error struct {
			Message string
			Code    *string
		}
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an OpenAI error: %s (%v)", body, err)
	}
	if e.Error.Code == nil {
		return ""
	}
	return *e.Error.Code
}

func TestRateLimitWindow(t *testing.T) {
	mock, url, clk := serve(t, mockupstream.Config{RequestsPerMinute: 3, TokensPerMinute: 100})
	chat := `{"model":"m","messages":[{"role":"user","content":"abcdefgh"}]}` // 2 + 2 tokens
	for i, want := range []struct {
		status                      int
		remainingReqs, remainingTok string
		reset, retryAfter           string
		advance                     time.Duration
	}{
		{200, "2", "96", "1m0s", "", 15 * time.Second},
		{200, "1", "92", "45s", "", 500 * time.Millisecond},
		{200, "0", "88", "44.5s", "", 0},
		{429, "0", "88", "44.5s", "45", 44500 * time.Millisecond},
		{200, "2", "96", "1m0s", "", 0}, // a new window
	} {
		resp, body := post(t, url+"/v1/chat/completions", "sk-1", chat)
		h := resp.Header
		if resp.StatusCode != want.status || h.Get("x-ratelimit-remaining-requests") != want.remainingReqs ||
			h.Get("x-ratelimit-remaining-tokens") != want.remainingTok || h.Get("x-ratelimit-reset-requests") != want.reset ||
			h.Get("x-ratelimit-reset-tokens") != want.reset || h.Get("retry-after") != want.retryAfter ||
			h.Get("x-ratelimit-limit-requests") != "3" || h.Get("x-ratelimit-limit-tokens") != "100" {
			t.Errorf("request %d: %d %v %s; want %+v", i, resp.StatusCode, h, body, want)
		}
		if resp.StatusCode == 429 && errorCode(t, body) != "rate_limit_exceeded" {
			t.Errorf("request %d: %s", i, body)
		}
		clk.advance(want.advance)
	}
	if got := mock.Requests("sk-1"); got != 5 {
		t.Errorf("Requests = %d, want 5", got)
	}
	resp, _ := post(t, url+"/v1/chat/completions", "sk-other", chat)
	if resp.Header.Get("x-ratelimit-remaining-requests") != "2" {
		t.Errorf("another key shares the window: %v", resp.Header)
	}
}

func TestFaultStatus(t *testing.T) {
	mock, url, _ := serve(t, mockupstream.Config{})
	chat := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	for _, tc := range []struct {
		name           string
		fault          mockupstream.Fault
		status         int
		code           string
		header, value  string
		otherHeaderNot string
	}{
		{"429 seconds", mockupstream.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, 429, "rate_limit_exceeded", "retry-after", "2", "retry-after-ms"},
		{"429 millis", mockupstream.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, RetryAfterMillis: true}, 429, "rate_limit_exceeded", "retry-after-ms", "1500", "retry-after"},
		{"quota", mockupstream.Fault{Status: 429, ErrorCode: "insufficient_quota"}, 429, "insufficient_quota", "x-ratelimit-limit-requests", "1000000", "retry-after"},
		{"401", mockupstream.Fault{Status: 401}, 401, "invalid_api_key", "content-type", "application/json", "retry-after"},
		{"500", mockupstream.Fault{Status: 500}, 500, "", "content-type", "application/json", "retry-after"},
		{"502", mockupstream.Fault{Status: 502}, 502, "", "content-type", "application/json", "retry-after"},
		{"503", mockupstream.Fault{Status: 503, RetryAfter: 3 * time.Second}, 503, "", "retry-after", "3", "retry-after-ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mock.SetFault("sk-f", tc.fault)
			resp, body := post(t, url+"/v1/chat/completions", "sk-f", chat)
			if resp.StatusCode != tc.status || errorCode(t, body) != tc.code ||
				resp.Header.Get(tc.header) != tc.value || resp.Header.Get(tc.otherHeaderNot) != "" {
				t.Errorf("%d %v %s", resp.StatusCode, resp.Header, body)
			}
		})
	}
	mock.ClearFault("sk-f")
	if resp, _ := post(t, url+"/v1/chat/completions", "sk-f", chat); resp.StatusCode != 200 {
		t.Errorf("after ClearFault: %d", resp.StatusCode)
	}
}

func TestFaultTimes(t *testing.T) {
	mock, url, _ := serve(t, mockupstream.Config{Faults: map[string]mockupstream.Fault{"sk-1": {Status: 503, Times: 2}}})
	chat := `{"model":"m","messages":[]}`
	var got []int
	for range 4 {
		resp, _ := post(t, url+"/v1/chat/completions", "sk-1", chat)
		got = append(got, resp.StatusCode)
	}
	if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if mock.Requests("sk-1") != 4 || mock.Requests("sk-never") != 0 {
		t.Errorf("Requests = %d and %d, want 4 and 0", mock.Requests("sk-1"), mock.Requests("sk-never"))
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// streamBody is a chat stream request body.
const streamBody = `{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three"}]}`

// openStream starts a stream and returns its reader, positioned after the
// first event.
func openStream(t *testing.T, ctx context.Context, url, secret string) (*http.Response, *bufio.Reader) {
	t.Helper()
	resp, err := call(t, ctx, http.MethodPost, url+"/v1/chat/completions", secret, streamBody)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	r := bufio.NewReader(resp.Body)
	first, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "data: {") {
		t.Fatalf("first event: %q, %v", first, err)
	}
	if blank, err := r.ReadString('\n'); blank != "\n" || err != nil {
		t.Fatalf("after the first event: %q, %v", blank, err)
	}
	return resp, r
}

// readInBackground reads r to its end in the background.
func readInBackground(r io.Reader) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(r)
		done <- err
	}()
	return done
}

func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not within 10s", what)
		panic("unreachable")
	}
}

func TestFaultReset(t *testing.T) {
	mock, url, _ := serve(t, mockupstream.Config{})
	mock.SetFault("sk-before", mockupstream.Fault{Reset: mockupstream.BeforeHeaders})
	if _, err := call(t, t.Context(), http.MethodPost, url+"/v1/chat/completions", "sk-before", streamBody); err == nil {
		t.Error("reset before headers: the call succeeded")
	}
	mock.SetFault("sk-mid", mockupstream.Fault{Reset: mockupstream.MidStream})
	_, r := openStream(t, t.Context(), url, "sk-mid")
	if err := within(t, readInBackground(r), "read after reset"); err == nil {
		t.Error("reset mid-stream: the stream ended cleanly")
	}
	mock.SetFault("sk-json", mockupstream.Fault{Reset: mockupstream.MidStream})
	resp, err := call(t, t.Context(), http.MethodPost, url+"/v1/chat/completions", "sk-json", `{"model":"m","messages":[]}`)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("reset mid-body: the body was read cleanly")
	}
}

func TestFaultStallAndChunkDelay(t *testing.T) {
	for name, f := range map[string]mockupstream.Fault{"stall": {Stall: mockupstream.MidStream}, "chunk delay": {ChunkDelay: time.Hour}} {
		t.Run(name, func(t *testing.T) {
			mock, url, _ := serve(t, mockupstream.Config{})
			mock.SetFault("sk-1", f)
			ctx, cancel := context.WithCancel(t.Context())
			_, r := openStream(t, ctx, url, "sk-1")
			done := readInBackground(r)
			select {
			case err := <-done:
				t.Fatalf("the stream went on (%v)", err)
			default:
			}
			cancel()
			if err := within(t, done, "read after cancel"); !errors.Is(err, context.Canceled) {
				t.Errorf("read after cancel: %v", err)
			}
		})
	}
}

func TestFaultBeforeHeaders(t *testing.T) {
	for name, f := range map[string]mockupstream.Fault{"stall": {Stall: mockupstream.BeforeHeaders}, "header delay": {HeaderDelay: time.Hour}} {
		t.Run(name, func(t *testing.T) {
			mock, url, _ := serve(t, mockupstream.Config{})
			mock.SetFault("sk-1", f)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			if _, err := call(t, ctx, http.MethodPost, url+"/v1/chat/completions", "sk-1", streamBody); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("call = %v, want the deadline to pass first", err)
			}
			// Close releases a stalled answer.
			done := make(chan error, 1)
			go func() {
				resp, err := call(t, t.Context(), http.MethodPost, url+"/v1/chat/completions", "sk-1", streamBody)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			for i := 0; i < 10_000 && mock.Requests("sk-1") < 2; i++ { // until the second request arrived (at most 10 s)
				time.Sleep(time.Millisecond)
			}
			mock.Close()
			within(t, done, "the stalled call after Close")
		})
	}
}

func TestFaultMalformed(t *testing.T) {
	mock, url, _ := serve(t, mockupstream.Config{})
	mock.SetFault("sk-1", mockupstream.Fault{Malformed: true})
	_, body := post(t, url+"/v1/chat/completions", "sk-1", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if json.Valid([]byte(body)) || !strings.HasPrefix(body, `{"id":"chatcmpl-mock"`) {
		t.Errorf("malformed JSON answer is %s", body)
	}
	_, body = post(t, url+"/v1/chat/completions", "sk-1", streamBody)
	events := strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n")
	if len(events) < 3 || events[len(events)-1] != "data: [DONE]" {
		t.Fatalf("events %q", events)
	}
	for i, e := range events[:len(events)-1] {
		if valid := json.Valid([]byte(strings.TrimPrefix(e, "data: "))); valid == (i == 1) {
			t.Errorf("event %d valid=%v: %s", i, valid, e)
		}
	}
}

func TestAdmin(t *testing.T) {
	mock, url, _ := serve(t, mockupstream.Config{})
	do := func(method, path, body string) (int, string) {
		resp, err := call(t, t.Context(), method, url+path, "", body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do(http.MethodPut, "/mock/faults/sk-1", `{"status":429,"retry_after":"2s","times":1}`); code != 204 {
		t.Fatalf("PUT fault: %d %s", code, body)
	}
	if resp, _ := post(t, url+"/v1/chat/completions", "sk-1", `{"messages":[]}`); resp.StatusCode != 429 || resp.Header.Get("retry-after") != "2" {
		t.Errorf("after PUT: %d %v", resp.StatusCode, resp.Header)
	}
	if code, body := do(http.MethodGet, "/mock/requests/sk-1", ""); code != 200 || body != `{"requests":1}`+"\n" {
		t.Errorf("GET requests: %d %q", code, body)
	}
	if code, _ := do(http.MethodPut, "/mock/faults/sk-1", `{"status":503}`); code != 204 {
		t.Fatal(code)
	}
	if code, _ := do(http.MethodDelete, "/mock/faults/sk-1", ""); code != 204 {
		t.Fatal(code)
	}
	if resp, _ := post(t, url+"/v1/chat/completions", "sk-1", `{"messages":[]}`); resp.StatusCode != 200 {
		t.Errorf("after DELETE: %d", resp.StatusCode)
	}
	for _, bad := range []string{`{"stauts":429}`, `{"retry_after":"soon"}`, `{"stall":"sometimes"}`, `[`} {
		if code, _ := do(http.MethodPut, "/mock/faults/sk-1", bad); code != 400 {
			t.Errorf("PUT %s: %d, want 400", bad, code)
		}
	}
	if mock.Requests("") != 0 {
		t.Error("admin requests were counted")
	}
}

func TestFaultJSON(t *testing.T) {
	f := mockupstream.Fault{Status: 429, ErrorCode: "insufficient_quota", RetryAfter: 1500 * time.Millisecond, RetryAfterMillis: true,
		HeaderDelay: time.Second, ChunkDelay: 10 * time.Millisecond, Stall: mockupstream.MidStream, Reset: mockupstream.BeforeHeaders, Malformed: true, Times: 3}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status":429,"error_code":"insufficient_quota","retry_after":"1.5s","retry_after_ms":true,"header_delay":"1s","chunk_delay":"10ms","stall":"mid_stream","reset":"before_headers","malformed":true,"times":3}`
	if string(b) != want {
		t.Errorf("Marshal = %s\nwant      %s", b, want)
	}
	var back mockupstream.Fault
	if err := json.Unmarshal(b, &back); err != nil || back != f {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}
