package router_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// upstreamCall is what the capturing upstream saw of one request.
type upstreamCall struct {
	secret, model string
}

// prefixRig is a router whose providers p1 and p2 both serve gpt-x, x
// serves "a/b" verbatim and a serves b: one key each (the provider's id
// is its secret), all on one mock upstream that records each request's
// key and model.
type prefixRig struct {
	t *testing.T
	r *router.Router
	// estimated records the Model of each token estimate asked for.
	estimated *recordingAdapter

	mu    sync.Mutex
	calls []upstreamCall
}

func newPrefixRig(t *testing.T) *prefixRig {
	t.Helper()
	g := &prefixRig{t: t, estimated: &recordingAdapter{Adapter: openai.New(openai.Config{})}}
	mock := mockupstream.New(mockupstream.Config{})
	t.Cleanup(mock.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var m struct{ Model string }
		_ = json.Unmarshal(body, &m)
		g.mu.Lock()
		g.calls = append(g.calls, upstreamCall{secret: strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "), model: m.Model})
		g.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		mock.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r, err := router.New(router.Options{Adapters: map[string]sdk.Adapter{"openai": g.estimated}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	g.r = r
	for _, m := range []abi.Model{
		{Provider: "p1", Name: "gpt-x", Price: abi.Price{Input: 1_000_000, Output: 1_000_000}},
		{Provider: "p2", Name: "gpt-x", Price: abi.Price{Input: 2_000_000, Output: 4_000_000}},
		{Provider: "x", Name: "a/b"},
		{Provider: "a", Name: "b"},
	} {
		if err := r.SetProvider(router.Provider{ID: m.Provider, AdapterName: "openai", BaseURL: srv.URL + "/v1"}); err != nil {
			t.Fatal(err)
		}
		if err := r.RegisterModel(m); err != nil {
			t.Fatal(err)
		}
		if err := r.RegisterKey(abi.Key{ID: abi.KeyID(m.Provider + "-key"), Provider: m.Provider}, string(m.Provider)); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// do carries out a chat asking for model, reads the answer and returns it
// with the upstream requests it made.
func (g *prefixRig) do(model string, pin abi.ProviderID) (*router.Answer, []upstreamCall, error) {
	g.t.Helper()
	g.mu.Lock()
	g.calls = nil
	g.mu.Unlock()
	body := []byte(`{"model":"` + model + `","messages":[{"role":"user","content":"hello"}]}`)
	a, err := g.r.Do(context.Background(), router.Call{Model: model, Body: body, Provider: pin})
	if err == nil {
		if _, err := io.ReadAll(a.Body); err != nil {
			g.t.Fatal(err)
		}
		a.Body.Close()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return a, g.calls, err
}

// recordingAdapter records the Model of the token estimates asked of it.
type recordingAdapter struct {
	sdk.Adapter
	mu     sync.Mutex
	models []string
}

func (a *recordingAdapter) EstimateTokens(ctx context.Context, req *sdk.Request) (int64, error) {
	a.mu.Lock()
	a.models = append(a.models, req.Model)
	a.mu.Unlock()
	return a.Adapter.EstimateTokens(ctx, req)
}

func (a *recordingAdapter) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.models) == 0 {
		return "(none)"
	}
	return a.models[len(a.models)-1]
}

// TestPrefixedModelIsPinned: "p2/gpt-x", which no provider serves as it
// is, goes to p2's key only, every time, as gpt-x — in the upstream body,
// the decision, the estimate and the price charged.
func TestPrefixedModelIsPinned(t *testing.T) {
	g := newPrefixRig(t)
	for range 8 {
		a, calls, err := g.do("p2/gpt-x", "")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != 200 || len(calls) != 1 || calls[0] != (upstreamCall{secret: "p2", model: "gpt-x"}) {
			t.Fatalf("status %d; upstream saw %+v; want one call with p2's key for gpt-x", a.Status, calls)
		}
		if d := a.Decision; d.Provider != "p2" || d.Key != "p2-key" || d.Model != "gpt-x" {
			t.Fatalf("decision %s/%s for %q; want p2/p2-key for gpt-x", d.Provider, d.Key, d.Model)
		}
		if m := g.estimated.last(); m != "gpt-x" {
			t.Fatalf("the token estimate was asked for model %q, want gpt-x", m)
		}
		o, fx := a.Settled()
		if want := int64(o.Usage.InputTokens)*2_000 + int64(o.Usage.OutputTokens)*4_000; o.Usage.InputTokens == 0 || int64(fx.Cost) != want {
			t.Fatalf("charged %d for %+v; p2's price says %d", fx.Cost, o.Usage, want)
		}
	}
}

// TestVerbatimModelWinsOverPrefix: "a/b", which x serves as it is, goes to
// x unchanged, although a serves b; "gpt-x" stays any provider's.
func TestVerbatimModelWinsOverPrefix(t *testing.T) {
	g := newPrefixRig(t)
	a, calls, err := g.do("a/b", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0] != (upstreamCall{secret: "x", model: "a/b"}) || a.Decision.Model != "a/b" {
		t.Fatalf("upstream saw %+v, decision for %q; want one call with x's key for a/b", calls, a.Decision.Model)
	}
	if m := g.estimated.last(); m != "" {
		t.Fatalf("the token estimate was asked for model %q, want the body's", m)
	}
	seen := map[string]bool{}
	for range 16 {
		_, calls, err := g.do("gpt-x", "")
		if err != nil || len(calls) != 1 || calls[0].model != "gpt-x" {
			t.Fatalf("gpt-x: %v; upstream saw %+v", err, calls)
		}
		seen[calls[0].secret] = true
	}
	if !seen["p1"] || !seen["p2"] {
		t.Fatalf("gpt-x went to %v; want both of its providers", seen)
	}
}

// TestPrefixedModelRouting checks how Route reads model names, dry runs
// included (the admin API's explain).
func TestPrefixedModelRouting(t *testing.T) {
	g := newPrefixRig(t)
	for _, tc := range []struct {
		model    string
		pin      abi.ProviderID
		provider abi.ProviderID // of the decision; "" for a refusal
		routed   string         // the decision's model
		code     abi.Code
		msg      []string // parts of the refusal's message
	}{
		{model: "p2/gpt-x", provider: "p2", routed: "gpt-x"},
		{model: "p2/gpt-x", pin: "p2", provider: "p2", routed: "gpt-x"},
		{model: "p1/gpt-x", provider: "p1", routed: "gpt-x"},
		{model: "gpt-x", pin: "p1", provider: "p1", routed: "gpt-x"},
		{model: "a/b", provider: "x", routed: "a/b"},
		{model: "a/b", pin: "x", provider: "x", routed: "a/b"},
		{model: "x/a/b", provider: "x", routed: "a/b"},
		{model: "p2/gpt-x", pin: "p1", code: abi.InvalidArgument, msg: []string{`"p2/gpt-x"`, "p2", "p1"}},
		{model: "p3/gpt-x", code: abi.UnknownModel, msg: []string{`"p3/gpt-x"`}},
		{model: "a/gpt-x", code: abi.UnknownModel, msg: []string{`"a/gpt-x"`}},
		{model: "/gpt-x", code: abi.UnknownModel},
		{model: "p2/", code: abi.UnknownModel},
	} {
		for _, dry := range []bool{true, false} {
			d, err := g.r.Route(router.Request{Model: tc.model, Provider: tc.pin, DryRun: dry})
			if tc.code != abi.OK {
				var refusal *router.Refusal
				if !errors.As(err, &refusal) || refusal.Code != tc.code {
					t.Errorf("Route(%q, pin %q) = %v; want a %s refusal", tc.model, tc.pin, err, tc.code)
					continue
				}
				for _, p := range tc.msg {
					if !strings.Contains(refusal.Message, p) {
						t.Errorf("Route(%q, pin %q): the refusal %q does not name %s", tc.model, tc.pin, refusal.Message, p)
					}
				}
				continue
			}
			if err != nil || d.Provider != tc.provider || d.Model != tc.routed {
				t.Errorf("Route(%q, pin %q) = %+v, %v; want %s for %q", tc.model, tc.pin, d, err, tc.provider, tc.routed)
				continue
			}
			if !dry {
				if _, err := g.r.Report(d.Attempt, abi.Outcome{Result: abi.Cancelled}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestPrefixedModelPinnedElsewhereIsRefused: a call pinned to p1 asking
// for "p2/gpt-x" is refused before any provider is called.
func TestPrefixedModelPinnedElsewhereIsRefused(t *testing.T) {
	g := newPrefixRig(t)
	_, calls, err := g.do("p2/gpt-x", "p1")
	var refusal *router.Refusal
	if !errors.As(err, &refusal) || refusal.Code != abi.InvalidArgument || len(calls) != 0 {
		t.Fatalf("Do = %v after %d upstream calls; want an invalid_argument refusal and none", err, len(calls))
	}
	if !strings.Contains(refusal.Message, "p1") || !strings.Contains(refusal.Message, "p2") {
		t.Fatalf("the refusal %q does not name both providers", refusal.Message)
	}
}
