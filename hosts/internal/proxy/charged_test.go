package proxy_test

import (
	"strconv"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// TestLoggedCostCountsEveryAttempt: an answer that broke off is charged
// (the provider billed it) and the call fails over; the request's log line
// said cost_usd of the answer that came through only, so logs and budgets
// disagreed. It now counts every attempt's charge, as the budget does —
// and so does the line of a call no provider answered.
func TestLoggedCostCountsEveryAttempt(t *testing.T) {
	g := newCallRig(t)
	if err := g.r.SetBudget(abi.Budget{ID: "all", Limit: abi.Dollars, Period: abi.Monthly, Enforcement: abi.Soft}); err != nil {
		t.Fatal(err)
	}
	spent := func() int64 {
		for _, b := range g.r.Snapshot().Budgets {
			if b.Budget.ID == "all" {
				return int64(b.Spent)
			}
		}
		t.Fatal("no budget")
		return 0
	}
	logged := func() int64 {
		t.Helper()
		cost := g.lastLine().Cost
		usd, err := strconv.ParseFloat(cost, 64)
		if err != nil {
			t.Fatalf("cost_usd %q: %v", cost, err)
		}
		return int64(usd*1e9 + 0.5)
	}
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one two three four five six"}],"max_tokens":50}`

	// k1 (tier 0) breaks off mid-answer once; k2 answers.
	g.mock.SetFault(callSecrets[0], mockupstream.Fault{Reset: mockupstream.MidStream, Times: 1})
	before := spent()
	if w, _ := g.post("/v1/chat/completions", body, "Content-Type", "application/json"); w.Code != 200 {
		t.Fatalf("failover: %d %s", w.Code, w.Body)
	}
	if l := g.lastLine(); l.Attempts != 2 {
		t.Fatalf("want a failover after the broken answer: %+v", l)
	}
	if delta, cost := spent()-before, logged(); delta == 0 || cost != delta {
		t.Errorf("logged cost_usd %d nano-USD, the budget grew by %d", cost, delta)
	}

	// Every key breaks off: no answer, but the attempts are charged.
	for _, s := range callSecrets {
		g.mock.SetFault(s, mockupstream.Fault{Reset: mockupstream.MidStream})
	}
	before = spent()
	if w, _ := g.post("/v1/chat/completions", body, "Content-Type", "application/json"); w.Code != 502 {
		t.Fatalf("every answer broke off: %d %s", w.Code, w.Body)
	}
	if delta, cost := spent()-before, logged(); delta == 0 || cost != delta {
		t.Errorf("no answer: logged cost_usd %d nano-USD, the budget grew by %d", cost, delta)
	}
}
