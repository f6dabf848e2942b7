package openai_test

import (
	"bufio"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// startMock serves a mock upstream and returns it with its base URL.
func startMock(tb testing.TB) (*mockupstream.Server, string) {
	tb.Helper()
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	tb.Cleanup(srv.Close)
	tb.Cleanup(mock.Close) // runs first: stalled answers end
	return mock, srv.URL + "/v1"
}

// adapterModes are the ways a host can run the adapter.
var adapterModes = []struct {
	name  string
	start func(tb testing.TB) sdk.Adapter
}{
	{"in-process", func(testing.TB) sdk.Adapter { return openai.New(openai.Config{}) }},
	{"grpc", func(tb testing.TB) sdk.Adapter {
		client, _ := plugin.TestPluginGRPCConn(tb, false, sdk.PluginMap(openai.New(openai.Config{})))
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

func chatBody(content string, stream bool) []byte {
	s := ""
	if stream {
		s = `"stream":true,`
	}
	return []byte(`{"model":"mock-gpt",` + s + `"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"` + content + `"}]}`)
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

func TestAgainstMockUpstream(t *testing.T) {
	for _, m := range adapterModes {
		t.Run(m.name, func(t *testing.T) {
			mock, base := startMock(t)
			a := m.start(t)
			req := func(secret string, body []byte) *sdk.Request {
				return &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: body, BaseURL: base, Secret: secret}
			}
			// "Be brief." is 9 bytes: 3 tokens; "hello mock world" 16 bytes: 4, echoed.
			wantUsage := abi.Usage{InputTokens: 7, OutputTokens: 4}

			resp, body, err := exchange(t, a, req("sk-a", chatBody("hello mock world", false)))
			out := resp.Outcome()
			if err != nil || out.Result != abi.Success || out.Usage != wantUsage || !strings.Contains(body, `"content":"hello mock world"`) {
				t.Errorf("chat: %v %+v %s", err, out, body)
			}
			if rl := out.RateLimit; rl == nil || rl.LimitRequests != 1_000_000 || rl.RemainingRequests != 999_999 || rl.ResetRequests != abi.Minute {
				t.Errorf("chat rate limit: %+v", rl)
			}

			resp, body, err = exchange(t, a, req("sk-a", chatBody("hello mock world", true)))
			out = resp.Outcome()
			if err != nil || out.Result != abi.Success || out.Usage != wantUsage {
				t.Errorf("stream: %v %+v", err, out)
			}
			if strings.Contains(body, `"choices":[]`) || !strings.HasSuffix(body, "data: [DONE]\n\n") || strings.Count(body, "data: ") != 6 {
				t.Errorf("stream body: the usage chunk must be hidden and the rest kept:\n%s", body)
			}

			mock.SetFault("sk-b", mockupstream.Fault{Status: 429, RetryAfter: 2 * time.Second, Times: 1})
			resp, _, _ = exchange(t, a, req("sk-b", chatBody("x", false)))
			if out := resp.Outcome(); resp.Status != 429 || out.Result != abi.RateLimited || out.RetryAfter != 2*abi.Second {
				t.Errorf("429: %d %+v", resp.Status, out)
			}
			mock.SetFault("sk-b", mockupstream.Fault{Status: 429, ErrorCode: "insufficient_quota"})
			if resp, _, _ = exchange(t, a, req("sk-b", chatBody("x", false))); resp.Outcome().Result != abi.QuotaExhausted {
				t.Errorf("insufficient_quota: %+v", resp.Outcome())
			}
			mock.SetFault("sk-b", mockupstream.Fault{Reset: mockupstream.MidStream})
			resp, _, err = exchange(t, a, req("sk-b", chatBody("one two three", true)))
			if sdk.ClassifyError(err) != abi.ConnectionError || resp.Outcome().Result != abi.ConnectionError {
				t.Errorf("reset mid-stream: %v %+v", err, resp.Outcome())
			}
			mock.SetFault("sk-b", mockupstream.Fault{Malformed: true})
			if resp, _, err = exchange(t, a, req("sk-b", chatBody("one two three", true))); resp.Outcome().Result != abi.ServerError {
				t.Errorf("malformed stream: %v %+v", err, resp.Outcome())
			}

			if got := [3]int64{mock.Requests("sk-a"), mock.Requests("sk-b"), mock.Requests("sk-c")}; got != [3]int64{2, 4, 0} {
				t.Errorf("requests per key = %v, want [2 4 0]", got)
			}
		})
	}
}

// TestStreamChunkByChunk proves chunks are relayed as they arrive: the
// upstream stalls after its first chunk, and that chunk still reaches the
// host, through every boundary.
func TestStreamChunkByChunk(t *testing.T) {
	for _, m := range adapterModes {
		t.Run(m.name, func(t *testing.T) {
			mock, base := startMock(t)
			mock.SetFault("sk-1", mockupstream.Fault{Stall: mockupstream.MidStream})
			a := m.start(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resp, err := a.Do(ctx, &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: chatBody("one two", true), BaseURL: base, Secret: "sk-1"})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			first := make(chan string, 1)
			go func() {
				line, _ := bufio.NewReader(resp.Body).ReadString('\n')
				first <- line
			}()
			select {
			case line := <-first:
				if !strings.Contains(line, `"role":"assistant"`) {
					t.Errorf("first chunk %q", line)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the first chunk did not arrive while the upstream held back the second")
			}
			cancel()
			rest := make(chan error, 1)
			go func() {
				_, err := io.ReadAll(resp.Body)
				rest <- err
			}()
			select {
			case err := <-rest:
				if sdk.ClassifyError(err) != abi.Cancelled || resp.Outcome().Result != abi.Cancelled {
					t.Errorf("after cancel: read %v, outcome %s; want cancelled", err, resp.Outcome().Result)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the stream did not stop after cancel")
			}
		})
	}
}

// TestLargeBodyThroughPlugin sends a body larger than gRPC's default 4 MiB
// message limit across the process boundary.
func TestLargeBodyThroughPlugin(t *testing.T) {
	_, base := startMock(t)
	c, err := sdk.NewClient(sdk.ClientConfig{Path: pluginPath, Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	content := strings.Repeat("abcd", 6<<20/4) // 6 MiB
	resp, body, err := exchange(t, c.Adapter(), &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: chatBody(content, false), BaseURL: base, Secret: "sk-1"})
	if err != nil || resp.Status != 200 || len(body) < 6<<20 {
		t.Fatalf("status %d, %d bytes, %v", resp.Status, len(body), err)
	}
	if u := resp.Outcome().Usage; u.InputTokens != 3+6<<20/4 || u.OutputTokens != 6<<20/4 {
		t.Errorf("usage %+v", u)
	}
}
