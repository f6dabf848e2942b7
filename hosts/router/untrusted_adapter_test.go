package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// An adapter is third-party code (a plugin): the router must not trust
// what it reports. These tests run one in-process that answers whatever
// it is told to, as a broken or hostile adapter might.

// reply is what the lying adapter answers a call with.
type reply struct {
	status     int
	result     abi.Result
	usage      abi.Usage
	retryAfter abi.Duration
	noBody     bool  // a response without a body
	err        error // no response, this error
	none       bool  // neither a response nor an error
}

// lyingAdapter answers each call with the reply for its key's secret,
// and estimates tokens with estimate (10 if nil).
type lyingAdapter struct {
	replies  map[string]reply
	estimate func(ctx context.Context, req *sdk.Request) (int64, error)

	mu    sync.Mutex
	calls []string // the secrets called, in order
}

func (a *lyingAdapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "lying", Formats: []string{sdk.FormatOpenAI}, Endpoints: []string{sdk.EndpointChatCompletions}}, nil
}

func (a *lyingAdapter) EstimateTokens(ctx context.Context, req *sdk.Request) (int64, error) {
	if a.estimate != nil {
		return a.estimate(ctx, req)
	}
	return 10, nil
}

func (a *lyingAdapter) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
	a.mu.Lock()
	a.calls = append(a.calls, req.Secret)
	a.mu.Unlock()
	rp := a.replies[req.Secret]
	switch {
	case rp.err != nil:
		return nil, rp.err
	case rp.none:
		return nil, nil
	}
	resp := &sdk.Response{Status: rp.status, Result: rp.result, RetryAfter: rp.retryAfter,
		Header: http.Header{"Content-Type": {"application/json"}}}
	if !rp.noBody {
		usage := rp.usage
		resp.Body = sdk.NewBody(io.NopCloser(strings.NewReader(`{"id":"lie"}`)), func() abi.Usage { return usage })
	}
	return resp, nil
}

func (a *lyingAdapter) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
	return []sdk.Model{{ID: "m"}}, nil
}

// called returns the secrets called so far.
func (a *lyingAdapter) called() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// lyingRouter is a router with a provider served by a, model m (price
// 1,000,000 in and out: a token costs 1,000 nano-USD), a hard global
// budget of $1 a day, and a key k<i> of secret s<i> for each reply,
// tried in that order (tiers).
func lyingRouter(t *testing.T, opts router.Options, a *lyingAdapter, replies ...reply) *router.Router {
	t.Helper()
	opts.Adapters = map[string]sdk.Adapter{"lying": a}
	r, err := router.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.SetProvider(router.Provider{ID: "p", AdapterName: "lying"}))
	must(r.RegisterModel(abi.Model{Provider: "p", Name: "m", Price: abi.Price{Input: 1_000_000, Output: 1_000_000}}))
	must(r.SetBudget(abi.Budget{ID: "daily", Period: abi.Daily, Limit: abi.Dollars, Enforcement: abi.Hard}))
	if a.replies == nil {
		a.replies = map[string]reply{}
	}
	for i, rp := range replies {
		secret := fmt.Sprintf("s%d", i+1)
		a.replies[secret] = rp
		must(r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i+1)), Provider: "p", Tier: int64(i)}, secret))
	}
	return r
}

// lyingCall is a call for model m.
var lyingCall = router.Call{Model: "m", Body: []byte(`{"model":"m","messages":[{"role":"user","content":"hello"}]}`)}

// settledAll fails the test if an attempt is still open: listed by the
// core, holding a key's in-flight slot or a budget's reservation.
func settledAll(t *testing.T, r *router.Router) *abi.Snapshot {
	t.Helper()
	s := r.Snapshot()
	if len(s.Attempts) != 0 {
		t.Errorf("%d attempt(s) still open: %+v", len(s.Attempts), s.Attempts)
	}
	for _, k := range s.Keys {
		if k.InFlight != 0 {
			t.Errorf("key %s has %d in flight", k.Key.ID, k.InFlight)
		}
	}
	for _, b := range s.Budgets {
		if b.Reserved != 0 {
			t.Errorf("budget %s still reserves %d", b.Budget.ID, b.Reserved)
		}
	}
	return s
}

// TestImpossibleOutcomeIsCorrectedAndSettled: usage the core refuses
// (negative, above 2^36 tokens, more cached than input) or a negative
// retry-after no longer leaves the attempt open until the core's attempt
// TTL, holding its reservation and in-flight slot and charging nothing: it
// is clamped into range and charged as clamped.
func TestImpossibleOutcomeIsCorrectedAndSettled(t *testing.T) {
	const maxTokens = 1 << 36
	for _, tc := range []struct {
		name  string
		reply reply
		want  abi.Usage // what is settled and charged
	}{
		{"negative and huge usage", reply{status: 200, usage: abi.Usage{InputTokens: -1e9, OutputTokens: 1 << 62}},
			abi.Usage{OutputTokens: maxTokens}},
		{"more cached than input", reply{status: 200, usage: abi.Usage{InputTokens: 10, CachedInputTokens: 20, OutputTokens: 5}},
			abi.Usage{InputTokens: 10, CachedInputTokens: 10, OutputTokens: 5}},
		{"negative cached", reply{status: 200, usage: abi.Usage{InputTokens: 10, CachedInputTokens: -3, OutputTokens: 5}},
			abi.Usage{InputTokens: 10, OutputTokens: 5}},
		{"negative retry-after on a 429", reply{status: 429, result: abi.RateLimited, retryAfter: -abi.Duration(time.Second),
			usage: abi.Usage{InputTokens: -7}}, abi.Usage{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &lyingAdapter{}
			r := lyingRouter(t, router.Options{}, a, tc.reply)
			ans, err := r.Do(context.Background(), lyingCall)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(ans.Body); err != nil {
				t.Fatal(err)
			}
			ans.Body.Close()
			if ans.Status != tc.reply.status {
				t.Errorf("status %d, want the adapter's %d", ans.Status, tc.reply.status)
			}
			s := settledAll(t, r)
			// What the budget was charged is what the corrected usage costs.
			want := (int64(tc.want.InputTokens)*1_000_000 + int64(tc.want.OutputTokens)*1_000_000 + 999) / 1000
			if got := int64(s.Budgets[0].Spent); got != want {
				t.Errorf("charged %d nano-USD, want %d for usage %+v", got, want, tc.want)
			}
			if tc.reply.status == 200 {
				if o, fx := ans.Settled(); o.Usage != tc.want || fx.Code != abi.OK || int64(fx.Cost) != want {
					t.Errorf("settled %+v (%s, cost %d); want usage %+v", o, fx.Code, fx.Cost, tc.want)
				}
			}
		})
	}
}

// TestHugeUsageExhaustsAHardBudget: an adapter that claims 2^62 tokens is
// charged for 2^36, which a hard budget then refuses further calls on,
// rather than the claim going uncharged and the budget bypassed.
func TestHugeUsageExhaustsAHardBudget(t *testing.T) {
	a := &lyingAdapter{}
	r := lyingRouter(t, router.Options{}, a, reply{status: 200, usage: abi.Usage{OutputTokens: 1 << 62}})
	ans, err := r.Do(context.Background(), lyingCall)
	if err != nil {
		t.Fatal(err)
	}
	ans.Body.Close()
	_, err = r.Do(context.Background(), lyingCall)
	var refusal *router.Refusal
	if !errors.As(err, &refusal) || refusal.Code != abi.BudgetExceeded {
		t.Fatalf("the next call: %v; want budget_exceeded", err)
	}
}

// TestHungEstimateFallsBack: an adapter whose token estimate hangs (until
// its context ends) holds the call up only for the attempt timeout (at
// most 2 s), not the request's: the call goes on with four bytes a token.
func TestHungEstimateFallsBack(t *testing.T) {
	const attemptTimeout = 50 * time.Millisecond
	var bound time.Duration
	var ended error
	a := &lyingAdapter{estimate: func(ctx context.Context, _ *sdk.Request) (int64, error) {
		dl, ok := ctx.Deadline()
		if bound = time.Until(dl); !ok || bound > attemptTimeout {
			return 0, errors.New("unbounded") // hanging would hold the test up for the request's 10 minutes
		}
		<-ctx.Done()
		ended = ctx.Err()
		return 0, ended
	}}
	r := lyingRouter(t, router.Options{AttemptTimeout: attemptTimeout}, a, reply{status: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ans, err := r.Do(ctx, lyingCall)
	if err != nil {
		t.Fatal(err)
	}
	ans.Body.Close()
	if want := int64(len(lyingCall.Body)+3) / 4; ans.InputTokens != want {
		t.Errorf("input tokens %d, want the fallback's %d", ans.InputTokens, want)
	}
	if bound <= 0 || bound > attemptTimeout || !errors.Is(ended, context.DeadlineExceeded) {
		t.Errorf("the estimate had %v and ended with %v; want at most the attempt timeout %v, then its deadline",
			bound, ended, attemptTimeout)
	}
}

// TestOutOfRangeEstimateFallsBack: a token estimate the core would refuse
// (below 0, above 2^36) is the adapter's bug, not the client's: the call
// goes on with four bytes a token instead of being refused as
// invalid_argument.
func TestOutOfRangeEstimateFallsBack(t *testing.T) {
	for _, n := range []int64{-1, -1 << 40, 1<<36 + 1, 1 << 62} {
		a := &lyingAdapter{estimate: func(context.Context, *sdk.Request) (int64, error) { return n, nil }}
		r := lyingRouter(t, router.Options{}, a, reply{status: 200})
		ans, err := r.Do(context.Background(), lyingCall)
		if err != nil {
			t.Fatalf("estimate %d: %v", n, err)
		}
		ans.Body.Close()
		if want := int64(len(lyingCall.Body)+3) / 4; ans.InputTokens != want {
			t.Errorf("estimate %d: input tokens %d, want the fallback's %d", n, ans.InputTokens, want)
		}
	}
}

// TestAnswerNoProviderGivesFailsOver: an answer no HTTP provider could
// give (status 0, which panics net/http's WriteHeader; 999, which it
// would send on; no body; an unknown result class; neither an answer nor
// an error; a failure classed a success) is the adapter breaking its
// contract: a connection error, and the next key answers.
func TestAnswerNoProviderGivesFailsOver(t *testing.T) {
	for _, tc := range []struct {
		name string
		bad  reply
	}{
		{"status 0", reply{status: 0}},
		{"status 999", reply{status: 999}},
		{"status 99", reply{status: 99}},
		{"status 600", reply{status: 600, result: abi.ServerError}},
		{"no body", reply{status: 200, noBody: true}},
		{"result 200", reply{status: 200, result: 200}},
		{"nothing", reply{none: true}},
		{"failure classed success", reply{err: &sdk.Error{Result: abi.Success, Message: "odd"}}},
		{"failure of class 200", reply{err: &sdk.Error{Result: 200, Message: "odd"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &lyingAdapter{}
			r := lyingRouter(t, router.Options{}, a, tc.bad, reply{status: 200})
			ans, err := r.Do(context.Background(), lyingCall)
			if err != nil {
				t.Fatal(err)
			}
			ans.Body.Close()
			if ans.Status != 200 || ans.Decision.Key != "k2" || ans.Attempts != 2 {
				t.Fatalf("status %d from %s after %d attempts; want 200 from k2 after 2", ans.Status, ans.Decision.Key, ans.Attempts)
			}
			s := settledAll(t, r)
			for _, k := range s.Keys {
				if k.Key.ID == "k1" && (len(k.Pools) == 0 || k.Pools[0].FailStreak != 1) {
					t.Errorf("k1's pools %+v; want one failure counted", k.Pools)
				}
			}
		})
	}
}

// TestOnlyBrokenAnswersIsAnUpstreamError: when every key's adapter answer
// is broken, Do says no provider answered (a connection error), as for
// keys that could not be reached.
func TestOnlyBrokenAnswersIsAnUpstreamError(t *testing.T) {
	a := &lyingAdapter{}
	r := lyingRouter(t, router.Options{}, a, reply{status: 0}, reply{status: 999}, reply{status: -1})
	_, err := r.Do(context.Background(), lyingCall)
	var up *router.UpstreamError
	if !errors.As(err, &up) || up.Result != abi.ConnectionError || up.Attempts != 3 || !strings.Contains(err.Error(), "broke the protocol") {
		t.Fatalf("Do: %v; want an upstream connection error after 3 attempts", err)
	}
	if got := a.called(); len(got) != 3 {
		t.Errorf("keys called %v, want all three", got)
	}
	settledAll(t, r)
}
