package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// edgeRig drives one key through real events into a state, then applies a
// trigger, so every edge of the transition table is checked against what
// the machine actually does.
type edgeRig struct {
	t     *testing.T
	m     *Machine
	now   abi.UnixNano
	spare []uint64 // attempts opened while the key was active, for late outcomes
}

const rigStart = abi.UnixNano(1_767_225_600_000_000_000)

func newEdgeRig(t *testing.T, threshold int64) *edgeRig {
	m, err := New(abi.Config{FailureThreshold: threshold})
	if err != nil {
		t.Fatal(err)
	}
	r := &edgeRig{t: t, m: m, now: rigStart}
	r.apply(abi.Event{Provider: &abi.Provider{ID: "p"}})
	r.apply(abi.Event{Model: &abi.Model{Provider: "p", Name: "m"}})
	r.apply(abi.Event{Key: &abi.Key{ID: "k", Provider: "p"}})
	for range 3 {
		r.spare = append(r.spare, r.route())
	}
	return r
}

func (r *edgeRig) apply(ev abi.Event) abi.Effects {
	ev.V, ev.Now = abi.Version, r.now
	var fx abi.Effects
	r.m.Apply(&ev, &fx)
	return fx
}

func (r *edgeRig) route() uint64 {
	var d abi.Decision
	r.m.Route(&abi.RouteRequest{V: abi.Version, Now: r.now, Model: "m"}, &d)
	if d.Code != abi.OK {
		r.t.Fatalf("route: %s %s", d.Code, d.Explanation)
	}
	return d.Attempt
}

func (r *edgeRig) outcome(res abi.Result) abi.Effects {
	if len(r.spare) == 0 {
		r.t.Fatal("no spare attempt left")
	}
	id := r.spare[0]
	r.spare = r.spare[1:]
	return r.apply(abi.Event{Outcome: &abi.Outcome{Attempt: id, Result: res}})
}

func (r *edgeRig) command(op abi.Op) abi.Effects {
	return r.apply(abi.Event{Command: &abi.Command{Op: op, ID: "k"}})
}

// effective is the key's state for model m: its own unless active, else
// its pool's, with an elapsed deadline read as probing.
func (r *edgeRig) effective() abi.State {
	k := r.m.keyByID["k"]
	if k.state != abi.Active {
		return k.state
	}
	return k.pools[0].effective(r.now)
}

// into drives the key into state s.
func (r *edgeRig) into(s abi.State) {
	switch s {
	case abi.Active:
	case abi.Probing:
		r.outcome(abi.RateLimited)
		r.now += abi.UnixNano(DefaultCooldownLadder[0])
	case abi.CoolingDown:
		r.outcome(abi.RateLimited)
	case abi.Exhausted:
		r.outcome(abi.QuotaExhausted)
	case abi.Invalid:
		r.outcome(abi.AuthError)
	case abi.Disabled:
		r.command(abi.OpDisableKey)
	case abi.Revoked:
		r.command(abi.OpRevokeKey)
	}
	if got := r.effective(); got != s {
		r.t.Fatalf("setup: key is %s, want %s", got, s)
	}
}

// fire applies trigger t and reports whether the machine refused it.
func (r *edgeRig) fire(t abi.Trigger) (refused bool) {
	var fx abi.Effects
	switch t {
	case abi.TriggerSuccess:
		fx = r.outcome(abi.Success)
	case abi.TriggerRateLimited:
		fx = r.outcome(abi.RateLimited)
	case abi.TriggerQuotaExhausted:
		fx = r.outcome(abi.QuotaExhausted)
	case abi.TriggerTransient, abi.TriggerFailureStreak:
		fx = r.outcome(abi.ServerError)
	case abi.TriggerAuthFailed:
		fx = r.outcome(abi.AuthError)
	case abi.TriggerElapsed:
		r.now += abi.UnixNano(DefaultResetHintCap) + 1
		return false
	case abi.TriggerDisable:
		fx = r.command(abi.OpDisableKey)
	case abi.TriggerEnable:
		fx = r.command(abi.OpEnableKey)
	case abi.TriggerRevoke:
		fx = r.command(abi.OpRevokeKey)
	case abi.TriggerRotate:
		fx = r.command(abi.OpRotateKey)
	}
	if fx.Code != abi.OK && fx.Code != abi.InvalidTransition {
		r.t.Fatalf("%s: unexpected %s: %s", t, fx.Code, fx.Message)
	}
	return fx.Code == abi.InvalidTransition
}

// wantEdges restates the policy independently of the table in
// statetable.go, one row per state, one column per trigger in abi order
// (success, rate_limited, quota_exhausted, transient, failure_streak,
// auth_failed, elapsed, disable, enable, revoke, rotate). "reject" means the
// command is refused and the state stays.
var wantEdges = map[abi.State]string{
	abi.Active:      "active cooling_down exhausted active cooling_down invalid active disabled active revoked active",
	abi.Probing:     "active cooling_down exhausted cooling_down cooling_down invalid probing disabled probing revoked probing",
	abi.CoolingDown: "cooling_down cooling_down exhausted cooling_down cooling_down invalid probing disabled cooling_down revoked cooling_down",
	abi.Exhausted:   "exhausted exhausted exhausted exhausted exhausted invalid probing disabled exhausted revoked exhausted",
	abi.Invalid:     "invalid invalid invalid invalid invalid invalid invalid disabled active revoked active",
	abi.Disabled:    "disabled disabled disabled disabled disabled disabled disabled disabled active revoked disabled",
	abi.Revoked:     "revoked revoked revoked revoked revoked revoked revoked reject reject revoked reject",
}

func TestTransitionTable(t *testing.T) {
	for from := abi.Active; from <= abi.Revoked; from++ {
		row := strings.Fields(wantEdges[from])
		if len(row) != numTriggers {
			t.Fatalf("wantEdges[%s] has %d columns, want %d", from, len(row), numTriggers)
		}
		for tr := abi.Trigger(0); int(tr) < numTriggers; tr++ {
			t.Run(fmt.Sprintf("%s/%s", from, tr), func(t *testing.T) {
				if name := next(from, tr); name == reject && row[tr] != "reject" || name != reject && row[tr] != name.String() {
					t.Fatalf("table says %s, the stated policy %s", stateName(name), row[tr])
				}
				threshold := int64(3) // one server error is transient
				if tr == abi.TriggerFailureStreak {
					threshold = 1 // one server error is a streak
				}
				r := newEdgeRig(t, threshold)
				r.into(from)
				want := next(from, tr)
				refused := r.fire(tr)
				if want == reject {
					if !refused {
						t.Fatalf("%s in %s was accepted, the table rejects it", tr, from)
					}
					want = from
				} else if refused {
					t.Fatalf("%s in %s was refused, the table allows it", tr, from)
				}
				if got := r.effective(); got != want {
					t.Fatalf("%s --%s--> %s, the table says %s", from, tr, got, want)
				}
			})
		}
	}
}

// TestTransitionTableComplete guards against a state or trigger added to
// the abi without a row or column here.
func TestTransitionTableComplete(t *testing.T) {
	if len(transitions) != int(abi.Revoked)+1 {
		t.Fatalf("table has %d rows, abi has %d states", len(transitions), int(abi.Revoked)+1)
	}
	if _, err := abi.ParseTrigger(abi.Trigger(numTriggers).String()); err == nil {
		t.Fatalf("abi has a trigger %d the table does not cover", numTriggers)
	}
}

func stateName(s abi.State) string {
	if s == reject {
		return "reject"
	}
	return s.String()
}
