package router

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestOpenCancelsTheAttemptsOfADeadProcess: attempts open when the
// process died hold a hard budget's reservation and count in flight; the
// next open settles them as cancelled — each charged its estimate (the
// provider bills a call the process died in), no key penalised.
func TestOpenCancelsTheAttemptsOfADeadProcess(t *testing.T) {
	g, r := newJournalRig(t)
	if err := r.SetBudget(abi.Budget{ID: "hard", Limit: abi.Dollars, Period: abi.Monthly, Enforcement: abi.Hard}); err != nil {
		t.Fatal(err)
	}
	var estimates abi.NanoUSD
	for i := range 3 {
		d, err := r.Route(Request{Model: "gpt-4o-mini", InputTokens: 1000, MaxOutputTokens: int64(100 * i)})
		if err != nil {
			t.Fatal(err)
		}
		estimates += d.EstimatedCost
	}
	s := r.Snapshot()
	if len(s.Attempts) != 3 || s.Budgets[1].Reserved == 0 {
		t.Fatalf("before the crash: %d attempts, %d reserved", len(s.Attempts), s.Budgets[1].Reserved)
	}
	crash(r)
	r = g.open()
	defer r.Close()
	s = r.Snapshot()
	if len(s.Attempts) != 0 || s.Budgets[1].Reserved != 0 || s.Budgets[1].Spent != estimates || estimates == 0 {
		t.Fatalf("after the restart: %d attempts open, %d reserved, %d spent; want none, none, the estimates' %d",
			len(s.Attempts), s.Budgets[1].Reserved, s.Budgets[1].Spent, estimates)
	}
	for _, k := range s.Keys {
		if k.InFlight != 0 || k.State != abi.Active || len(k.Pools) > 0 && k.Pools[0].SuccessSamples != 0 {
			t.Fatalf("key %s after the restart: %+v", k.Key.ID, k)
		}
	}
}
