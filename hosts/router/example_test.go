package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
)

// fixedClock makes the examples' output stable.
func fixedClock() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }

func newRouter() *router.Router {
	r, err := router.New(router.Options{Now: fixedClock, Config: abi.Config{Seed1: 1}})
	if err != nil {
		panic(err)
	}
	if err := r.RegisterProvider("openai"); err != nil {
		panic(err)
	}
	models, err := router.BundledPrices().Models("openai")
	if err != nil {
		panic(err)
	}
	for _, m := range models {
		if err := r.RegisterModel(m); err != nil {
			panic(err)
		}
	}
	r.RegisterKey(abi.Key{ID: "openai-1", Provider: "openai"}, "sk-test-one")
	r.RegisterKey(abi.Key{ID: "openai-2", Provider: "openai", Discount: 2000}, "sk-test-two")
	r.RegisterKey(abi.Key{ID: "openai-3", Provider: "openai", Weight: 2}, "sk-test-three")
	return r
}

// Route with an objective, call the provider, report the outcome.
func Example() {
	r := newRouter()
	d, err := r.Route(router.Request{Model: "gpt-4o-mini", Objective: "cost", InputTokens: 1200, MaxOutputTokens: 300})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Key, d.Fallbacks)
	fmt.Println(d.Explanation)

	// … call the provider with r.Secret(d.Key), then:
	fx, _ := r.Report(d.Attempt, abi.Outcome{Result: abi.Success, Usage: abi.Usage{InputTokens: 1180, OutputTokens: 250}})
	fmt.Printf("charged $%d.%09d\n", fx.Cost/abi.Dollars, fx.Cost%abi.Dollars)
	// Output:
	// openai-2 [openai-1 openai-3]
	// openai/openai-2: lowest estimated cost $0.00028 of 3 eligible keys
	// charged $0.000261600
}

// A 429 cools the key down; the next attempt goes elsewhere, and the
// explanation says why.
func Example_failover() {
	r := newRouter()
	d, _ := r.Route(router.Request{Model: "gpt-4o-mini", Objective: "fairness"})
	fx, _ := r.Report(d.Attempt, abi.Outcome{Result: abi.RateLimited, Status: 429, RetryAfter: 20 * abi.Second})
	fmt.Println(d.Key, "->", fx.Transitions[0].To)

	d, _ = r.Route(router.Request{Model: "gpt-4o-mini", Objective: "fairness", Exclude: []abi.KeyID{d.Key}})
	fmt.Println(d.Explanation)
	// Output:
	// openai-3 -> cooling_down
	// openai/openai-1: next in weighted round-robin (weight 1) of 2 eligible keys; openai-3 cooling down until 12:00:20Z
}

// A weighted mix of goals.
func Example_multiObjective() {
	r := newRouter()
	d, _ := r.Route(router.Request{Model: "gpt-4o-mini", InputTokens: 500,
		Objective: `{"primary":"cost","secondary":["reliability"],"weights":{"cost":0.7,"reliability":0.3}}`})
	fmt.Println(d.Explanation)
	// Output:
	// openai/openai-2: best weighted score 100% (reliability 30%, cost 70%) of 3 eligible keys
}

// A hard budget refuses before the call and says when to retry.
func Example_budget() {
	r := newRouter()
	r.SetBudget(abi.Budget{ID: "daily", Period: abi.Daily, Limit: 2 * abi.Dollars / 100}) // $0.02 a day
	req := router.Request{Model: "gpt-4o", InputTokens: 1000, MaxOutputTokens: 1000}      // $0.0125 at most
	r.Route(req)
	_, err := r.Route(req) // the first still holds its reservation
	var refusal *router.Refusal
	if errors.As(err, &refusal) {
		fmt.Println(refusal.Code, refusal.RetryAt.UTC().Format(time.RFC3339))
	}
	// Output:
	// budget_exceeded 2026-01-02T00:00:00Z
}

// Carry a call out: route, call the provider through its adapter, fail
// over if needed, and get the answer with the decision that explains it.
func ExampleRouter_Do() {
	upstream := httptest.NewServer(mockupstream.New(mockupstream.Config{})) // stands in for api.openai.com
	defer upstream.Close()

	r, _ := router.New(router.Options{Now: fixedClock, Config: abi.Config{Seed1: 1}})
	r.SetProvider(router.Provider{ID: "openai", Adapter: openai.New(openai.Config{}), BaseURL: upstream.URL + "/v1"})
	models, _ := router.BundledPrices().Models("openai")
	for _, m := range models {
		r.RegisterModel(m)
	}
	r.RegisterKey(abi.Key{ID: "openai-1", Provider: "openai"}, "sk-one")
	r.RegisterKey(abi.Key{ID: "openai-2", Provider: "openai", Discount: 2000}, "sk-two")

	answer, err := r.Do(context.Background(), router.Call{Model: "gpt-4o-mini", Objective: "cost",
		Body: []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello!"}]}`)})
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(answer.Body)
	answer.Body.Close()
	outcome, effects := answer.Settled()
	fmt.Println(answer.Status, strings.Contains(string(body), "Hello!"))
	fmt.Println(answer.Decision.Explanation)
	fmt.Println(outcome.Usage.InputTokens, outcome.Usage.OutputTokens, effects.Cost > 0)
	// Output:
	// 200 true
	// openai/openai-2: lowest estimated cost $0.00012 of 2 eligible keys
	// 2 2 true
}
