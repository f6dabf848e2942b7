package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// budgetView is the part of an admin budget the tests read, in nano-USD.
type budgetView struct {
	limit, spent, reserved int64
}

func (p *proc) budget(id string) budgetView {
	p.t.Helper()
	var b struct {
		Limit    string `json:"limit_usd"`
		Spent    string `json:"spent_usd"`
		Reserved string `json:"reserved_usd"`
	}
	p.adminGet("/admin/v1/budgets/"+id, &b)
	var out budgetView
	for _, f := range []struct {
		s   string
		dst *int64
	}{{b.Limit, &out.limit}, {b.Spent, &out.spent}, {b.Reserved, &out.reserved}} {
		n, err := router.ParseUSD(f.s)
		if err != nil {
			p.t.Fatalf("budget %s: %q: %v", id, f.s, err)
		}
		*f.dst = int64(n)
	}
	return out
}

// TestHardBudgetUnderConcurrency: 64 clients at once against a hard
// budget of $0.02, each sending until the budget has refused it three
// times (at most 40 requests each): requests with max_tokens, and one in
// four without (a hard budget then reserves the model's longest answer).
// The budget never spends more than its limit, every answer is either
// served in full or refused with 429 budget_exceeded, and the spend is
// exactly the sum of the costs of the answers the clients received.
func TestHardBudgetUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "LOG_LEVEL=warn")
	p := start(t, f.env...)
	if resp, body := p.call("POST", "/admin/v1/budgets", adminToken, "application/json",
		[]byte(`{"id":"hard","period":"monthly","limit_usd":"0.02","enforcement":"hard"}`)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create the budget: %d %s", resp.StatusCode, body)
	}
	c := newLoadClient(p, 60*time.Second)
	defer c.close()
	prompt := strings.Repeat("tokens! ", 150) // 300 tokens
	const workers, perWorker = 64, 40
	var served, refused, charged atomic.Int64
	xs := hammer(workers, workers, func(w int) exchange {
		for i, no := 0, 0; i < perWorker && no < 3; i++ {
			r := chatRequest{text: prompt, stream: (w+i)%2 == 0}
			if (w+i)%4 != 0 {
				r.maxTokens = int64(50 + (w*7+i*13)%350)
			}
			x := c.chat(context.Background(), r)
			switch {
			case x.ok():
				served.Add(1)
				charged.Add(x.cost())
			case x.status == http.StatusTooManyRequests && x.code == "budget_exceeded":
				refused.Add(1)
				no++
			default:
				return x
			}
		}
		return exchange{status: http.StatusOK, complete: true}
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("a request neither served nor refused for the budget: %v", bad[0])
	}
	b := p.budget("hard")
	if b.spent > b.limit {
		t.Fatalf("OVERSPEND: spent %d nano-USD of a %d limit", b.spent, b.limit)
	}
	if b.spent != charged.Load() || b.reserved != 0 {
		t.Fatalf("spent %d, reserved %d; the clients were served %d worth", b.spent, b.reserved, charged.Load())
	}
	if served.Load() == 0 || refused.Load() == 0 {
		t.Fatalf("served %d, refused %d: the budget was not exercised", served.Load(), refused.Load())
	}
	t.Logf("figures: clients=%d served=%d refused_budget_exceeded=%d other_errors=0 spent=%d limit=%d overspend=0 drift=0 used=%.1f%%",
		workers, served.Load(), refused.Load(), b.spent, b.limit, 100*float64(b.spent)/float64(b.limit))
}
