package router_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// wallClock is a wall clock the test sets by hand: it jumps, it never
// ticks, and nothing sleeps.
type wallClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *wallClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *wallClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestWallClockJumps: the host's clock steps back by an hour and by ten
// days, then forward. A backward jump neither lifts a cooldown nor moves
// its end, nor reopens a budget period already charged; a forward jump
// past the end of a cooldown brings the key back, and past the period's
// end starts a new one. A ten-day Retry-After is capped at the reset-hint
// cap (24 h by default).
func TestWallClockJumps(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	clock := &wallClock{t: t0}
	g := newRig(t, router.Options{Now: clock.now})
	for _, k := range []string{"k2", "k3"} { // k1 serves alone
		if _, err := g.r.Command(abi.Command{Op: abi.OpDisableKey, ID: k}); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.r.SetBudget(abi.Budget{ID: "day", Period: abi.Daily, Limit: abi.Dollars}); err != nil {
		t.Fatal(err)
	}
	a, _ := g.do(chat("charged today", false))
	_, fx := a.Settled()
	spent := func() abi.NanoUSD { return g.r.Snapshot().Budgets[0].Spent }
	if fx.Cost == 0 || spent() != fx.Cost {
		t.Fatalf("spent %d, charged %d", spent(), fx.Cost)
	}

	// refusedUntil checks that k1 is cooling down at the clock's time,
	// until exactly until.
	refusedUntil := func(when string, until time.Time) {
		t.Helper()
		_, err := g.r.Route(router.Request{Model: "gpt-4o-mini", DryRun: true})
		var refusal *router.Refusal
		if !errors.As(err, &refusal) || refusal.Code != abi.NoEligibleKeys || !refusal.RetryAt.Equal(until) {
			t.Fatalf("%s: %v; want no_eligible_keys until %s", when, err, until.UTC())
		}
	}
	served := func(when string) {
		t.Helper()
		if a, _ := g.do(chat("served", false)); a.Status != 200 || a.Decision.Key != "k1" {
			t.Fatalf("%s: status %d from %s", when, a.Status, a.Decision.Key)
		}
	}

	g.mock.SetFault("sk-test-1", mockupstream.Fault{Status: 429, RetryAfter: time.Minute, Times: 1})
	if a, _ := g.do(chat("rate limited", false)); a.Status != 429 {
		t.Fatalf("status %d, want the 429 relayed", a.Status)
	}
	until := t0.Add(time.Minute)
	for _, jump := range []time.Duration{-time.Hour, -10 * 24 * time.Hour, 30 * time.Second, -time.Second} {
		clock.set(t0.Add(jump))
		refusedUntil("clock at t0"+jump.String(), until)
	}
	if spent() != fx.Cost {
		t.Fatalf("a backward jump changed the day's spend: %d, was %d", spent(), fx.Cost)
	}
	clock.set(until.Add(time.Second))
	served("forward past the cooldown")

	t1 := clock.now()
	g.mock.SetFault("sk-test-1", mockupstream.Fault{Status: 429, RetryAfter: 10 * 24 * time.Hour, Times: 1})
	if a, _ := g.do(chat("rate limited for ten days", false)); a.Status != 429 {
		t.Fatalf("status %d, want the 429 relayed", a.Status)
	}
	capped := t1.Add(24 * time.Hour)
	clock.set(t1.Add(23 * time.Hour))
	refusedUntil("23 h into a ten-day Retry-After", capped)
	clock.set(t1.Add(-48 * time.Hour))
	refusedUntil("then two days back", capped)
	clock.set(capped.Add(time.Second))
	if spent() != 0 {
		t.Fatalf("over a day after the last charge, the daily budget shows %d spent", spent())
	}
	served("past the 24 h cap")
}
