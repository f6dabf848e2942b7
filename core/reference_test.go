package core_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// TestChoiceMatchesReference drives random fleets through random histories
// and checks every decision against a slow, obviously correct reference
// computed from the snapshot: the chosen key must be one the reference
// ranks best, with the same eligible set and estimated cost.
func TestChoiceMatchesReference(t *testing.T) {
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { referenceRun(t, seed) })
	}
}

type refRig struct {
	t   *testing.T
	rng *rand.Rand
	m   *core.Machine
	now abi.UnixNano
}

func (r *refRig) apply(ev abi.Event) abi.Effects {
	ev.V, ev.Now = abi.Version, r.now
	var fx abi.Effects
	r.m.Apply(&ev, &fx)
	return fx
}

var refPrice = abi.Price{Input: 300_000, Output: 1_200_000}

func referenceRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	m, err := core.New(abi.Config{Seed1: seed})
	if err != nil {
		t.Fatal(err)
	}
	r := &refRig{t: t, rng: rng, m: m, now: 1_767_225_600_000_000_000}
	r.apply(abi.Event{Provider: &abi.Provider{ID: "p"}})
	r.apply(abi.Event{Model: &abi.Model{Provider: "p", Name: "m", Price: refPrice}})
	n := 1 + rng.IntN(20)
	for i := range n {
		k := abi.Key{ID: abi.KeyID(fmt.Sprintf("k%02d", i)), Provider: "p", Weight: rng.Int64N(4), Tier: rng.Int64N(2) * rng.Int64N(2)}
		if rng.IntN(3) == 0 {
			k.Discount = rng.Int64N(3) * 2500
		}
		r.apply(abi.Event{Key: &k})
	}
	open := []uint64{}
	for step := range 60 {
		r.now += abi.UnixNano(rng.Int64N(int64(20 * abi.Second)))
		if step%10 == 9 {
			r.m = restored(t, r.m) // the rest of the run continues on a restored copy
		}
		switch rng.IntN(6) {
		case 0: // an operator command
			ops := []abi.Op{abi.OpDisableKey, abi.OpEnableKey, abi.OpRotateKey}
			r.apply(abi.Event{Command: &abi.Command{Op: ops[rng.IntN(len(ops))], ID: fmt.Sprintf("k%02d", rng.IntN(n))}})
		case 1, 2: // settle an open attempt
			if len(open) == 0 {
				continue
			}
			i := rng.IntN(len(open))
			results := []abi.Result{abi.Success, abi.Success, abi.Success, abi.RateLimited, abi.ServerError, abi.AuthError}
			r.apply(abi.Event{Outcome: &abi.Outcome{Attempt: open[i], Result: results[rng.IntN(len(results))],
				LatencyMicros: 1000 * (1 + rng.Int64N(900)), Usage: abi.Usage{InputTokens: 100, OutputTokens: abi.Tokens(rng.Int64N(200))}}})
			open = slices.Delete(open, i, i+1)
		default: // a decision, checked against the reference
			req := r.randomRequest(n)
			before := r.m.Snapshot()
			want := reference(before, &req)
			var d abi.Decision
			r.m.Route(&req, &d)
			checkCounters(t, step, before, r.m.Snapshot(), &req, &d, want)
			if len(want.best) == 0 {
				if d.Code == abi.OK {
					t.Fatalf("step %d: routed to %s, the reference finds no eligible key", step, d.Key)
				}
				continue
			}
			if d.Code != abi.OK {
				t.Fatalf("step %d: refused %s (%s), the reference picks %v", step, d.Code, d.Explanation, want.best)
			}
			if !slices.Contains(want.best, d.Key) {
				t.Fatalf("step %d: chose %s, the reference ranks best %v (objective %+v)\n%s", step, d.Key, want.best, req.Objective, d.Explanation)
			}
			if d.Eligible != int64(want.eligible) || d.EstimatedCost != want.cost[d.Key] {
				t.Fatalf("step %d: eligible %d cost %d, the reference %d %d", step, d.Eligible, d.EstimatedCost, want.eligible, want.cost[d.Key])
			}
			if !req.DryRun {
				open = append(open, d.Attempt)
			}
		}
	}
}

// restored returns a machine restored from m's snapshot, after checking
// that its own snapshot is the same bytes.
func restored(t *testing.T, m *core.Machine) *core.Machine {
	t.Helper()
	before, err := abi.Encode(m.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	m2, err := core.RestoreMsg(before)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	after, _ := abi.Encode(m2.Snapshot())
	if !bytes.Equal(before, after) {
		t.Fatal("a restored machine's snapshot differs")
	}
	return m2
}

func (r *refRig) randomRequest(n int) abi.RouteRequest {
	goals := []abi.Goal{abi.GoalFairness, abi.GoalReliability, abi.GoalCost, abi.GoalLatency, abi.GoalQuota}
	req := abi.RouteRequest{V: abi.Version, Now: r.now, Model: "m", InputTokens: abi.Tokens(100 + r.rng.Int64N(1000)),
		MaxOutputTokens: abi.Tokens(r.rng.Int64N(500)), DryRun: r.rng.IntN(3) == 0,
		Objective: abi.Objective{Primary: goals[r.rng.IntN(len(goals))]}}
	for range r.rng.IntN(3) {
		req.Exclude = append(req.Exclude, abi.KeyID(fmt.Sprintf("k%02d", r.rng.IntN(n))))
	}
	return req
}

// refResult is what the reference expects of a decision.
type refResult struct {
	best     []abi.KeyID // every key the reference ranks best (ties)
	eligible int
	cost     map[abi.KeyID]abi.NanoUSD
	weight   map[abi.KeyID]int64 // the eligible keys' round-robin weights
}

// checkCounters checks the round-robin counters after decision d: a
// fairness decision that opened an attempt adds its weight to every
// eligible key's counter and takes their sum from the chosen key's; any
// other decision, and every key not eligible, leaves them as they were.
func checkCounters(t *testing.T, step int, before, after *abi.Snapshot, req *abi.RouteRequest, d *abi.Decision, want refResult) {
	t.Helper()
	stepped := d.Code == abi.OK && !req.DryRun && req.Objective.Primary == abi.GoalFairness
	var total int64
	for _, w := range want.weight {
		total += w
	}
	for i, k := range before.Keys {
		c := k.Current
		if w, ok := want.weight[k.Key.ID]; ok && stepped {
			c += w
			if k.Key.ID == d.Key {
				c -= total
			}
		}
		if got := after.Keys[i].Current; got != c {
			t.Fatalf("step %d: key %s's round-robin counter is %d after the decision (for %s), want %d", step, k.Key.ID, got, d.Key, c)
		}
	}
}

// reference ranks the keys of a snapshot for a request the slow way.
func reference(s *abi.Snapshot, req *abi.RouteRequest) refResult {
	type cand struct {
		id       abi.KeyID
		tier     int64
		cost     abi.NanoUSD
		success  int64
		latency  int64 // 0 = never answered
		fresh    bool
		inFlight int64
		lastUsed abi.UnixNano
		cw       int64
	}
	meanOut := s.Models[0].MeanOutput
	if req.MaxOutputTokens > 0 {
		meanOut = req.MaxOutputTokens
	} else if meanOut == 0 {
		meanOut = 256
	}
	var cands []cand
	current := map[abi.KeyID]int64{}
	for _, k := range s.Keys {
		current[k.Key.ID] = k.Current
		if k.State != abi.Active || slices.Contains(req.Exclude, k.Key.ID) {
			continue
		}
		c := cand{id: k.Key.ID, tier: k.Key.Tier, success: 1_000_000, fresh: true, inFlight: k.InFlight,
			lastUsed: k.LastUsed, cw: k.Current + max(k.Key.Weight, 1)}
		for _, p := range k.Pools {
			state := p.State
			if (state == abi.CoolingDown || state == abi.Exhausted) && p.Until <= req.Now {
				state = abi.Probing // the cooldown is over by the request's time
			}
			if state == abi.CoolingDown || state == abi.Exhausted || state == abi.Probing && p.Probe {
				goto next
			}
			c.success, c.latency, c.fresh = int64(p.Success), p.LatencyMicros, p.SuccessSamples == 0
		}
		{
			pico := int64(req.InputTokens)*int64(refPrice.Input) + int64(meanOut)*int64(refPrice.Output)
			nano := (pico + 999) / 1000
			nano = (nano*(10000-k.Key.Discount) + 9999) / 10000
			c.cost = abi.NanoUSD(nano)
		}
		cands = append(cands, c)
	next:
	}
	res := refResult{cost: map[abi.KeyID]abi.NanoUSD{}, weight: map[abi.KeyID]int64{}}
	if len(cands) == 0 {
		return res
	}
	low := cands[0].tier
	for _, c := range cands {
		low = min(low, c.tier)
	}
	cands = slices.DeleteFunc(cands, func(c cand) bool { return c.tier > low })
	res.eligible = len(cands)
	for _, c := range cands {
		res.cost[c.id] = c.cost
		res.weight[c.id] = c.cw - current[c.id]
	}
	// better reports whether a beats b; equal means a tie.
	metric := func(c cand) int64 {
		switch req.Objective.Primary {
		case abi.GoalCost:
			return -int64(c.cost)
		case abi.GoalReliability:
			return c.success
		case abi.GoalLatency:
			switch {
			case c.fresh:
				return 0
			case c.latency == 0:
				return -1 << 62
			}
			return -c.latency
		case abi.GoalQuota:
			return 1_000_000 // nothing declared or reported: all full
		}
		return c.cw
	}
	if req.Objective.Primary == abi.GoalFairness {
		// smooth weighted round-robin: the highest counter, the first key among equals
		best := cands[0]
		for _, c := range cands[1:] {
			if c.cw > best.cw {
				best = c
			}
		}
		res.best = []abi.KeyID{best.id}
		return res
	}
	key := func(c cand) [3]int64 { return [3]int64{metric(c), -c.inFlight, -int64(c.lastUsed)} }
	top := key(cands[0])
	for _, c := range cands[1:] {
		if k := key(c); slices.Compare(k[:], top[:]) > 0 {
			top = k
		}
	}
	for _, c := range cands {
		if key(c) == top {
			res.best = append(res.best, c.id)
		}
	}
	return res
}
