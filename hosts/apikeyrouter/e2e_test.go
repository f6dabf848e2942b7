package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

const (
	proxyKey   = "sk-e2e-proxy-key-0123456789"
	adminToken = "e2e-admin-token-0123456789"
)

// secrets are the provider keys of the e2e fleet; no test output may ever
// contain one.
var secrets = []string{"sk-e2e-secret-aaaa1111", "sk-e2e-secret-bbbb2222", "sk-e2e-secret-cccc3333"}

// fleet is a mock upstream and the config file of a proxy with three keys
// on it: mock-1 and mock-2 at list price, mock-3 at half price.
type fleet struct {
	mock *mockupstream.Server
	// rec records every request that reached the upstream, in a fleet
	// made by newRecordingFleet; nil otherwise.
	rec     *mockupstream.Recorder
	dataDir string
	env     []string
}

func newFleet(t *testing.T, extraEnv ...string) *fleet {
	t.Helper()
	return startFleet(t, false, extraEnv...)
}

// newRecordingFleet is newFleet with its upstream requests recorded.
func newRecordingFleet(t *testing.T, extraEnv ...string) *fleet {
	t.Helper()
	return startFleet(t, true, extraEnv...)
}

func startFleet(t *testing.T, record bool, extraEnv ...string) *fleet {
	t.Helper()
	mock := mockupstream.New(mockupstream.Config{})
	var rec *mockupstream.Recorder
	var upstream http.Handler = mock
	if record {
		rec = mockupstream.NewRecorder(mock)
		upstream = rec
	}
	srv := httptest.NewServer(upstream)
	t.Cleanup(srv.Close)
	t.Cleanup(mock.Close)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`
providers:
  mock: {base_url: "%s/v1", discover: false}
prices:
  mock:
    gpt-4o-mini: {input: 0.15, output: 0.60, context: 128000, max_output: 16384}
keys:
  - {id: mock-1, provider: mock, secret: "%s"}
  - {id: mock-2, provider: mock, secret: "%s"}
  - {id: mock-3, provider: mock, secret: "%s", discount: 5000}
budgets:
  - {id: monthly, period: monthly, limit_usd: "1000"}
`, srv.URL, secrets[0], secrets[1], secrets[2])
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	env := append([]string{"APIKEYROUTER_CONFIG=" + path, "APIKEYROUTER_DATA_DIR=" + data, "PROXY_API_KEY=" + proxyKey,
		"APIKEYROUTER_ADMIN_TOKEN=" + adminToken, "LOG_LEVEL=debug"}, extraEnv...)
	return &fleet{mock: mock, rec: rec, dataDir: data, env: env}
}

// configPath is the fleet's config file.
func (f *fleet) configPath() string {
	for _, e := range f.env {
		if v, ok := strings.CutPrefix(e, "APIKEYROUTER_CONFIG="); ok {
			return v
		}
	}
	return ""
}

// editConfig rewrites the fleet's config file with edit.
func (f *fleet) editConfig(t *testing.T, edit func(string) string) {
	t.Helper()
	cfg, err := os.ReadFile(f.configPath())
	if err == nil {
		err = os.WriteFile(f.configPath(), []byte(edit(string(cfg))), 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// storedState opens the fleet's data directory with a router of its own,
// as an earlier version would have left it, and returns it to be filled
// and closed before the proxy starts.
func (f *fleet) storedState(t *testing.T, masterKey string) *router.Router {
	t.Helper()
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Options{DataDir: f.dataDir, MasterKey: []byte(masterKey)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func client(p *proc) openai.Client {
	return openai.NewClient(option.WithBaseURL(p.url+"/v1"), option.WithAPIKey(proxyKey), option.WithMaxRetries(0))
}

func chatParams(text string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(text)}}
}

// TestOpenAIClient drives the real binary and its real plugin subprocess
// with the official Go client, streamed and not.
func TestOpenAIClient(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin")
	p := start(t, f.env...)
	c := client(p)
	ctx := context.Background()

	var resp *http.Response
	out, err := c.Chat.Completions.New(ctx, chatParams("hello from the e2e test"), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Choices[0].Message.Content, "hello from the e2e test") || out.Usage.PromptTokens == 0 {
		t.Fatalf("answer %+v", out)
	}
	for _, h := range []string{"x-apikeyrouter-key-id", "x-apikeyrouter-provider", "x-apikeyrouter-attempts",
		"x-apikeyrouter-estimated-cost-usd", "x-apikeyrouter-explanation", "x-apikeyrouter-overhead-us"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if resp.Header.Get("x-apikeyrouter-provider") != "mock" || resp.Header.Get("x-ratelimit-remaining-requests") != "" {
		t.Errorf("headers %v", resp.Header)
	}
	// The adapter passes the body unchanged, so its length comes along
	// (and the proxy flushes the whole answer before its accounting), even
	// past what net/http would buffer and measure itself.
	long := strings.Repeat("long answer ", 1000)
	if out, err = c.Chat.Completions.New(ctx, chatParams(long), option.WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Choices[0].Message.Content, long) || resp.ContentLength <= int64(len(long)) {
		t.Errorf("a long answer (%d bytes of content) came with Content-Length %d", len(out.Choices[0].Message.Content), resp.ContentLength)
	}

	stream := c.Chat.Completions.NewStreaming(ctx, chatParams("one two three four"))
	var text strings.Builder
	for stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) > 0 {
			text.WriteString(ch.Choices[0].Delta.Content)
		}
		if len(ch.Choices) == 0 {
			t.Fatal("the usage chunk the client did not ask for reached it")
		}
	}
	if err := stream.Err(); err != nil || text.String() != "one two three four" {
		t.Fatalf("stream %q: %v", text.String(), err)
	}

	params := chatParams("with usage please")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream = c.Chat.Completions.NewStreaming(ctx, params)
	var usage int64
	for stream.Next() {
		usage += stream.Current().Usage.TotalTokens
	}
	if stream.Err() != nil || usage == 0 {
		t.Fatalf("asked for usage, got %d (%v)", usage, stream.Err())
	}
}

func objectiveOption(o string) option.RequestOption {
	return option.WithHeader("x-apikeyrouter-objective", o)
}

// TestFairnessAndCost: fairness spreads 300 requests within ±2 of 100 per
// key; cost picks the cheapest key.
func TestFairnessAndCost(t *testing.T) {
	f := newFleet(t)
	p := start(t, f.env...)
	c := client(p)
	counts := map[string]int{}
	for i := range 300 {
		var resp *http.Response
		if _, err := c.Chat.Completions.New(context.Background(), chatParams(fmt.Sprintf("request %d", i)),
			objectiveOption("fairness"), option.WithResponseInto(&resp)); err != nil {
			t.Fatal(err)
		}
		counts[resp.Header.Get("x-apikeyrouter-key-id")]++
	}
	for _, k := range []string{"mock-1", "mock-2", "mock-3"} {
		if n := counts[k]; n < 98 || n > 102 {
			t.Errorf("fairness: %s served %d of 300", k, n)
		}
	}
	for i := range 5 {
		var resp *http.Response
		if _, err := c.Chat.Completions.New(context.Background(), chatParams(fmt.Sprintf("cheap %d", i)),
			objectiveOption("cost"), option.WithResponseInto(&resp)); err != nil {
			t.Fatal(err)
		}
		if k := resp.Header.Get("x-apikeyrouter-key-id"); k != "mock-3" {
			t.Fatalf("cost chose %s: %s", k, resp.Header.Get("x-apikeyrouter-explanation"))
		}
	}
}

// TestFailover: one key always answers 429, one always 500; no request
// with the healthy third key ever fails, and the 429 key cools down and
// gets nothing until its Retry-After.
func TestFailover(t *testing.T) {
	f := newFleet(t)
	f.mock.SetFault(secrets[0], mockupstream.Fault{Status: 429, RetryAfter: time.Hour})
	f.mock.SetFault(secrets[1], mockupstream.Fault{Status: 500})
	p := start(t, f.env...)
	c := client(p)
	for i := range 40 {
		params := chatParams(fmt.Sprintf("failover %d", i))
		if i%2 == 0 {
			stream := c.Chat.Completions.NewStreaming(context.Background(), params, objectiveOption("fairness"))
			for stream.Next() {
			}
			if err := stream.Err(); err != nil {
				t.Fatalf("stream %d: %v", i, err)
			}
			continue
		}
		if _, err := c.Chat.Completions.New(context.Background(), params, objectiveOption("fairness")); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := f.mock.Requests(secrets[0]); n != 1 {
		t.Fatalf("the 429 key got %d requests, want 1 then nothing", n)
	}
	_, body := p.call("GET", "/admin/v1/keys/mock-1", adminToken, "", nil)
	if !strings.Contains(body, "cooling_down") {
		t.Fatalf("mock-1 is not cooling down: %s", body)
	}
}

// adminSpent reads the monthly budget's spend through the admin API, in
// nano-USD.
func adminSpent(t *testing.T, p *proc) int64 {
	t.Helper()
	_, body := p.call("GET", "/admin/v1/budgets/monthly", adminToken, "", nil)
	var b struct {
		Spent string `json:"spent_usd"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Spent == "" {
		t.Fatalf("budget: %s (%v)", body, err)
	}
	n, err := router.ParseUSD(b.Spent)
	if err != nil {
		t.Fatalf("spent_usd %q: %v", b.Spent, err)
	}
	return int64(n)
}

// cost is what the core charges for usage on a mock key: list price less
// the key's discount, each step rounded up to the nano-dollar.
func cost(key string, prompt, completion int64) int64 {
	nano := (prompt*150_000 + completion*600_000 + 999) / 1000
	if key == "mock-3" {
		nano = (nano*5000 + 9999) / 10000
	}
	return nano
}

// TestKill9LosesNothing: kill -9 after settled requests; after a restart,
// spend equals the settled total exactly and keys and states are intact.
func TestKill9LosesNothing(t *testing.T) {
	f := newFleet(t)
	f.mock.SetFault(secrets[1], mockupstream.Fault{Status: 429, RetryAfter: time.Hour, Times: 1})
	p := start(t, f.env...)
	c := client(p)
	var settled int64
	for i := range 25 {
		var resp *http.Response
		out, err := c.Chat.Completions.New(context.Background(), chatParams(fmt.Sprintf("settle %d", i)),
			objectiveOption("fairness"), option.WithResponseInto(&resp))
		if err != nil {
			t.Fatal(err)
		}
		settled += cost(resp.Header.Get("x-apikeyrouter-key-id"), out.Usage.PromptTokens, out.Usage.CompletionTokens)
	}
	if got := adminSpent(t, p); got != settled || settled == 0 {
		t.Fatalf("spent %d nano-USD before the crash, settled %d", got, settled)
	}
	_, keysBefore := p.call("GET", "/admin/v1/keys", adminToken, "", nil)
	p.kill()
	p = start(t, f.env...)
	if got := adminSpent(t, p); got != settled {
		t.Fatalf("spent %d nano-USD after kill -9, settled %d", got, settled)
	}
	_, keysAfter := p.call("GET", "/admin/v1/keys", adminToken, "", nil)
	for _, id := range []string{"mock-1", "mock-2", "mock-3"} {
		if !strings.Contains(keysAfter, `"`+id+`"`) {
			t.Fatalf("key %s lost: %s", id, keysAfter)
		}
	}
	if !strings.Contains(keysBefore, "cooling_down") || !strings.Contains(keysAfter, "cooling_down") {
		t.Fatalf("the cooldown of mock-2 did not survive the crash:\n%s\n%s", keysBefore, keysAfter)
	}
}
