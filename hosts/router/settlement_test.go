package router

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// settlementRig opens a router on a data directory (open opens it again)
// with one key of a mock provider and a budget.
func settlementRig(t *testing.T, snapshotEvery int) (open func() *Router, r *Router) {
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	t.Cleanup(mock.Close)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	adapters := map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}
	open = func() *Router {
		r, err := New(Options{DataDir: dir, MasterKey: []byte("test master key"), Adapters: adapters, SnapshotEvery: snapshotEvery})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r = open()
	if err := r.SetProvider(Provider{ID: "openai", AdapterName: "openai", BaseURL: srv.URL + "/v1"}); err != nil {
		t.Fatal(err)
	}
	r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}})
	r.RegisterKey(abi.Key{ID: "k1", Provider: "openai"}, "sk-secret-1")
	r.SetBudget(abi.Budget{ID: "all", Limit: 100 * abi.Dollars, Period: abi.Monthly})
	return open, r
}

// TestSettlementJournaledAtTheEnd: an answer read to its end is in the
// journal before the reader sees the end, so a crash before the core
// applied it still charges it; and the next call into the core applies it
// before anything else.
func TestSettlementJournaledAtTheEnd(t *testing.T) {
	open, r := settlementRig(t, 0)
	call := func(r *Router) *Answer {
		a, err := r.Do(context.Background(), Call{Model: "gpt-4o-mini",
			Body: []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"settle me"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, a.Body); err != nil {
			t.Fatal(err)
		}
		return a
	}

	first := call(r)
	if len(r.pending) != 1 || first.settlement.done {
		t.Fatalf("read to its end: %d pending, applied %v; want it journaled, not yet applied", len(r.pending), first.settlement.done)
	}
	second := call(r)
	if !first.settlement.done {
		t.Fatal("the next call into the core did not apply the settlement queued before it")
	}
	_, fx1 := first.Settled()

	// The second answer's outcome is journaled only: a crash now.
	crash(r)
	_, fx2 := second.Settled() // applied to the dead router's core, not journaled again
	if fx1.Cost == 0 || fx2.Cost == 0 {
		t.Fatalf("costs %d, %d", fx1.Cost, fx2.Cost)
	}
	r = open()
	defer r.Close()
	s := r.Snapshot()
	if got := s.Budgets[0].Spent; got != fx1.Cost+fx2.Cost {
		t.Fatalf("after the crash the budget spent %d; the two answers cost %d + %d", got, fx1.Cost, fx2.Cost)
	}
	if len(s.Attempts) != 0 {
		t.Fatalf("%d attempts open after the restart", len(s.Attempts))
	}
}

// TestSettlementCoveredBySnapshot: an outcome whose journal entry triggers
// a snapshot is in that snapshot, which replaces the entry.
func TestSettlementCoveredBySnapshot(t *testing.T) {
	open, r := settlementRig(t, 1)
	var cost abi.NanoUSD
	for range 5 {
		a, err := r.Do(context.Background(), Call{Model: "gpt-4o-mini",
			Body: []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"snapshot me"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		r.persist.saved.Wait() // the route's snapshot is saved: the outcome's entry snapshots
		if _, err := io.Copy(io.Discard, a.Body); err != nil {
			t.Fatal(err)
		}
		_, fx := a.Settled()
		cost += fx.Cost
	}
	r.persist.saved.Wait()
	crash(r)
	r = open()
	defer r.Close()
	if got := r.Snapshot().Budgets[0].Spent; got != cost || cost == 0 {
		t.Fatalf("after the crash the budget spent %d; the answers cost %d", got, cost)
	}
}
