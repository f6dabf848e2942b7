package router

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// refusingEngine is the native core, except that it refuses as invalid
// the outcomes that report refusedTokens output tokens, as a core whose
// rules are stricter than the router's sanitizer would.
type refusingEngine struct{ Engine }

// refusedTokens marks an outcome for [refusingEngine] to refuse.
const refusedTokens = 7777

func (e refusingEngine) Apply(ctx context.Context, in []byte) ([]byte, error) {
	var ev abi.Event
	if err := abi.Decode(in, &ev); err == nil && ev.Outcome != nil && ev.Outcome.Usage.OutputTokens == refusedTokens {
		return abi.Encode(&abi.Effects{V: abi.Version, Code: abi.InvalidArgument, Message: "refused by the test"})
	}
	return e.Engine.Apply(ctx, in)
}

// markedAdapter answers the secret "rate-limited" with a 429 and any
// other with a 200, each reporting refusedTokens output tokens.
type markedAdapter struct{ sdk.Adapter }

func (markedAdapter) EstimateTokens(context.Context, *sdk.Request) (int64, error) { return 10, nil }

func (markedAdapter) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
	resp := &sdk.Response{Status: 200, Result: abi.Success, Header: http.Header{"Content-Type": {"application/json"}},
		Body: sdk.NewBody(io.NopCloser(strings.NewReader(`{}`)), func() abi.Usage { return abi.Usage{OutputTokens: refusedTokens} })}
	if req.Secret == "rate-limited" {
		resp.Status, resp.Result = 429, abi.RateLimited
	}
	return resp, nil
}

// TestRefusedOutcomeClosesTheAttempt: should the core refuse an outcome
// the router sanitized, the attempt is settled again as a connection
// error with no usage — on the failover path (a 429) and on an answer's
// settlement alike — so that nothing stays open, and that settlement is
// journaled: a crash then replays the same state.
func TestRefusedOutcomeClosesTheAttempt(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	open := func() *Router {
		r, err := New(Options{DataDir: dir, MasterKey: []byte("test master key"), Engine: refusingEngine{NativeEngine()},
			Now: func() time.Time { return clock }, Adapters: map[string]sdk.Adapter{"marked": markedAdapter{}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := open()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.SetProvider(Provider{ID: "p", AdapterName: "marked"}))
	must(r.RegisterModel(abi.Model{Provider: "p", Name: "m", Price: abi.Price{Input: 1_000_000, Output: 1_000_000}}))
	must(r.SetBudget(abi.Budget{ID: "daily", Period: abi.Daily, Limit: abi.Dollars}))
	must(r.RegisterKey(abi.Key{ID: "k1", Provider: "p"}, "rate-limited"))
	must(r.RegisterKey(abi.Key{ID: "k2", Provider: "p", Tier: 1}, "fine"))

	a, err := r.Do(context.Background(), Call{Model: "m", Body: []byte(`{"model":"m"}`)})
	if err != nil {
		t.Fatal(err)
	}
	a.Body.Close()
	if a.Status != 200 || a.Decision.Key != "k2" || a.Attempts != 2 {
		t.Fatalf("status %d from %s after %d attempts; want 200 from k2 after 2", a.Status, a.Decision.Key, a.Attempts)
	}
	if _, fx := a.Settled(); fx.Code != abi.OK || fx.Cost != 0 {
		t.Fatalf("the answer settled with %s, cost %d; want ok, nothing charged", fx.Code, fx.Cost)
	}
	before := r.Snapshot()
	if len(before.Attempts) != 0 || before.Budgets[0].Reserved != 0 || before.Budgets[0].Spent != 0 {
		t.Fatalf("attempts %+v, budget %+v; want none open, nothing reserved or spent", before.Attempts, before.Budgets[0])
	}
	samples := func(s *abi.Snapshot) map[abi.KeyID][2]int64 {
		m := map[abi.KeyID][2]int64{}
		for _, k := range s.Keys {
			if k.InFlight != 0 {
				t.Errorf("key %s has %d in flight", k.Key.ID, k.InFlight)
			}
			for _, p := range k.Pools {
				m[k.Key.ID] = [2]int64{p.SuccessSamples, p.FailStreak}
			}
		}
		return m
	}
	want := samples(before)
	for _, k := range []abi.KeyID{"k1", "k2"} {
		if want[k] != [2]int64{1, 1} {
			t.Fatalf("%s: %d outcomes, fail streak %d; want the one failure counted", k, want[k][0], want[k][1])
		}
	}

	crash(r)
	r = open()
	defer r.Close()
	if got := samples(r.Snapshot()); got["k1"] != want["k1"] || got["k2"] != want["k2"] {
		t.Fatalf("after a crash: %v; before it %v (the settlements that closed the attempts were not journaled)", got, want)
	}
}
