package router_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// rig is a router with three keys on a mock OpenAI-compatible upstream,
// the adapter running in-process.
type rig struct {
	t    *testing.T
	r    *router.Router
	mock *mockupstream.Server
}

func newRig(t *testing.T, opts router.Options) *rig {
	t.Helper()
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	t.Cleanup(mock.Close)
	if opts.Adapters == nil {
		opts.Adapters = map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}
	}
	r, err := router.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "openai", AdapterName: "openai", BaseURL: srv.URL + "/v1"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i)), Provider: "openai"}, fmt.Sprintf("sk-test-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return &rig{t: t, r: r, mock: mock}
}

func chat(text string, stream bool) []byte {
	s := ""
	if stream {
		s = `,"stream":true`
	}
	return []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + text + `"}]` + s + `}`)
}

// do carries out one call and reads the whole answer.
func (g *rig) do(body []byte) (*router.Answer, string) {
	g.t.Helper()
	a, err := g.r.Do(context.Background(), router.Call{Model: "gpt-4o-mini", Body: body})
	if err != nil {
		g.t.Fatalf("Do: %v", err)
	}
	b, err := io.ReadAll(a.Body)
	if err != nil {
		g.t.Fatalf("read answer: %v", err)
	}
	a.Body.Close()
	return a, string(b)
}

func TestDoAnswersAndSettles(t *testing.T) {
	g := newRig(t, router.Options{})
	a, body := g.do(chat("hello there", false))
	if a.Status != 200 || !strings.Contains(body, "hello there") || a.Attempts != 1 {
		t.Fatalf("status %d attempts %d body %s", a.Status, a.Attempts, body)
	}
	o, fx := a.Settled()
	if o.Result != abi.Success || o.Usage.InputTokens == 0 || fx.Cost == 0 {
		t.Fatalf("outcome %+v effects %+v", o, fx)
	}
	want := (int64(o.Usage.InputTokens)*150_000 + int64(o.Usage.OutputTokens)*600_000 + 999) / 1000
	if int64(fx.Cost) != want {
		t.Fatalf("charged %d, usage says %d", fx.Cost, want)
	}
}

func TestDoStreamsAndAccountsUsage(t *testing.T) {
	g := newRig(t, router.Options{})
	a, body := g.do(chat("one two three", true))
	if !strings.Contains(body, "data: [DONE]") || strings.Contains(body, `"choices":[]`) {
		t.Fatalf("stream body %q", body)
	}
	if o, _ := a.Settled(); o.Usage.OutputTokens == 0 {
		t.Fatalf("no usage accounted from the stream: %+v", o)
	}
}

func TestDoFailsOverAndCoolsDown(t *testing.T) {
	g := newRig(t, router.Options{Config: abi.Config{Objective: abi.Objective{Primary: abi.GoalFairness}}})
	g.mock.SetFault("sk-test-1", mockupstream.Fault{Status: 429, RetryAfter: 30 * time.Second})
	g.mock.SetFault("sk-test-2", mockupstream.Fault{Status: 500})
	for i := range 30 {
		a, _ := g.do(chat(fmt.Sprintf("request %d", i), i%2 == 0))
		if a.Status != 200 || a.Decision.Key != "k3" {
			t.Fatalf("request %d: status %d from %s after %d attempts", i, a.Status, a.Decision.Key, a.Attempts)
		}
	}
	if n := g.mock.Requests("sk-test-1"); n != 1 {
		t.Fatalf("the rate-limited key got %d requests, want 1 (then cooling down)", n)
	}
	for _, k := range g.r.Snapshot().Keys {
		if k.Key.ID == "k1" && (len(k.Pools) == 0 || k.Pools[0].State != abi.CoolingDown) {
			t.Fatalf("k1 is %+v, want cooling_down", k.Pools)
		}
	}
}

func TestDoRelaysTheLastFailure(t *testing.T) {
	g := newRig(t, router.Options{})
	for i := 1; i <= 3; i++ {
		g.mock.SetFault(fmt.Sprintf("sk-test-%d", i), mockupstream.Fault{Status: 503})
	}
	a, body := g.do(chat("hi", false))
	if a.Status != 503 || a.Attempts != 3 || !strings.Contains(body, "error") {
		t.Fatalf("status %d after %d attempts: %s", a.Status, a.Attempts, body)
	}
}

func TestDoUsesTheOldSecretDuringGrace(t *testing.T) {
	g := newRig(t, router.Options{})
	for _, k := range []abi.KeyID{"k2", "k3"} {
		g.r.Command(abi.Command{Op: abi.OpDisableKey, ID: string(k)})
	}
	g.mock.SetFault("sk-new", mockupstream.Fault{Status: 401})
	if _, err := g.r.RotateSecret("k1", "sk-new", time.Hour); err != nil {
		t.Fatal(err)
	}
	a, _ := g.do(chat("hi", false))
	if a.Status != 200 || a.Attempts != 2 || g.mock.Requests("sk-test-1") != 1 {
		t.Fatalf("status %d after %d attempts; old secret used %d times", a.Status, a.Attempts, g.mock.Requests("sk-test-1"))
	}
	if _, fx := a.Settled(); fx.Code != abi.OK {
		t.Fatalf("the attempt did not settle: %s %s", fx.Code, fx.Message)
	}
	for _, k := range g.r.Snapshot().Keys {
		if k.Key.ID == "k1" && k.State != abi.Active {
			t.Fatalf("k1 is %s: the new secret's 401 must not invalidate it during grace", k.State)
		}
	}
}

// TestCutStreamIsCharged: a stream cut before its usage arrives is charged
// for the prompt's estimate and the events relayed, not for nothing.
func TestCutStreamIsCharged(t *testing.T) {
	g := newRig(t, router.Options{})
	for i := 1; i <= 3; i++ {
		g.mock.SetFault(fmt.Sprintf("sk-test-%d", i), mockupstream.Fault{Reset: mockupstream.MidStream})
	}
	a, err := g.r.Do(context.Background(), router.Call{Model: "gpt-4o-mini", Body: chat("one two three four five six", true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(a.Body); err == nil {
		t.Fatal("the cut stream read to its end")
	}
	a.Body.Close()
	o, fx := a.Settled()
	if o.Result == abi.Success || o.Usage.InputTokens != abi.Tokens(a.InputTokens) || o.Usage.OutputTokens < 1 || fx.Cost == 0 {
		t.Fatalf("outcome %+v, cost %d", o, fx.Cost)
	}
}

// preparing is an adapter that spends prep on each call before sending it,
// as a translating adapter or a plugin's round trip does.
type preparing struct {
	sdk.Adapter
	prep time.Duration
}

func (p preparing) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	time.Sleep(p.prep)
	return p.Adapter.Do(ctx, req)
}

// TestOverheadCountsTheAdaptersOwnWork checks that an answer's overhead
// holds the adapter's time outside its wait for the provider, as the
// adapter measured it (Response.Waited), not only the router's.
func TestOverheadCountsTheAdaptersOwnWork(t *testing.T) {
	const prep = 20 * time.Millisecond
	g := newRig(t, router.Options{Adapters: map[string]sdk.Adapter{"openai": preparing{openai.New(openai.Config{}), prep}}})
	g.do(chat("hello", false)) // the first call also loads the tokenizer
	a, _ := g.do(chat("hello again", false))
	if a.Overhead < prep {
		t.Fatalf("overhead %v, but the adapter spent %v before sending the request", a.Overhead, prep)
	}
}
