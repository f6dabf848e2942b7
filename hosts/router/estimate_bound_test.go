package router_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// exactAdapter is a lyingAdapter whose estimates are counts.
type exactAdapter struct{ *lyingAdapter }

func (exactAdapter) EstimateIsExact(*sdk.Request) bool { return true }

// TestApproximateEstimateReservesTheBound: an adapter that only
// approximates the prompt (no sdk.ExactEstimator, or one that says so) may
// estimate far fewer tokens than the provider bills, and each request in
// flight then overspent a hard budget by the difference. Under a hard
// budget such a prompt now reserves one token per byte of the body, an
// upper bound; an exact count reserves the count.
func TestApproximateEstimateReservesTheBound(t *testing.T) {
	call := router.Call{Model: "m", MaxOutputTokens: 10,
		Body: []byte(`{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"` + strings.Repeat("x", 3000) + `"}]}`)}
	for _, tc := range []struct {
		name    string
		adapter func(*lyingAdapter) sdk.Adapter
		served  bool
	}{
		{"approximate", func(a *lyingAdapter) sdk.Adapter { return a }, false},
		{"exact", func(a *lyingAdapter) sdk.Adapter { return exactAdapter{a} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &lyingAdapter{} // estimates 10 tokens
			r := lyingRouter(t, router.Options{}, a, reply{status: 200, result: abi.Success})
			// Room for 1,000 tokens: the estimate (10 in, 10 out) fits, the
			// body's 3,000-odd bytes do not.
			for _, err := range []error{
				r.SetProvider(router.Provider{ID: "p", AdapterName: "lying", Adapter: tc.adapter(a)}),
				r.SetBudget(abi.Budget{ID: "daily", Period: abi.Daily, Limit: 1_000_000, Enforcement: abi.Hard}),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			ans, err := r.Do(context.Background(), call)
			var refusal *router.Refusal
			switch {
			case tc.served && err != nil:
				t.Fatalf("an exact estimate under the budget: %v", err)
			case tc.served:
				ans.Body.Close()
			case !errors.As(err, &refusal) || refusal.Code != abi.BudgetExceeded || len(a.called()) != 0:
				t.Fatalf("an approximate estimate whose bound exceeds the budget: %v, %d calls; want budget_exceeded, none", err, len(a.called()))
			}
		})
	}
}
