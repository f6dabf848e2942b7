package router

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestOpenCancelsTheAttemptsOfADeadProcess: attempts open when the
// process died hold a hard budget's reservation and count in flight; the
// next open settles them as cancelled — nothing charged, no key penalised.
func TestOpenCancelsTheAttemptsOfADeadProcess(t *testing.T) {
	g, r := newJournalRig(t)
	if err := r.SetBudget(abi.Budget{ID: "hard", Limit: abi.Dollars, Period: abi.Monthly, Enforcement: abi.Hard}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := r.Route(Request{Model: "gpt-4o-mini", InputTokens: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	s := r.Snapshot()
	if len(s.Attempts) != 3 || s.Budgets[1].Reserved == 0 {
		t.Fatalf("before the crash: %d attempts, %d reserved", len(s.Attempts), s.Budgets[1].Reserved)
	}
	crash(r)
	r = g.open()
	defer r.Close()
	s = r.Snapshot()
	if len(s.Attempts) != 0 || s.Budgets[1].Reserved != 0 || s.Budgets[1].Spent != 0 {
		t.Fatalf("after the restart: %d attempts open, %d reserved, %d spent", len(s.Attempts), s.Budgets[1].Reserved, s.Budgets[1].Spent)
	}
	for _, k := range s.Keys {
		if k.InFlight != 0 || k.State != abi.Active || len(k.Pools) > 0 && k.Pools[0].SuccessSamples != 0 {
			t.Fatalf("key %s after the restart: %+v", k.Key.ID, k)
		}
	}
}
