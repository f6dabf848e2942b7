package core

import (
	"math"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// rank scores the candidates and puts the best few (all, with Detail) in
// r.top, best first.
func (m *Machine) rank(r *routing) {
	want := 1 + m.cfg.maxFallbacks
	if r.req.MaxFallbacks > 0 {
		want = 1 + int(r.req.MaxFallbacks)
	}
	// Round-robin ranks on the counters alone, a single goal on its raw
	// metric; only a mix needs every score, relative to the bounds over all
	// candidates.
	switch {
	case r.obj.rr:
	case r.obj.single:
		if r.req.Detail { // else topBySingle sets the orders as it goes
			for i := range r.cands {
				r.cands[i].order = r.rawOrder(r.obj.order[0], &r.cands[i])
			}
		}
	default:
		for i := range r.cands {
			r.bound(&r.cands[i])
		}
		for i := range r.cands {
			c := &r.cands[i]
			c.score = r.score(c)
			c.order = -c.score
		}
	}
	if r.req.Detail {
		slices.SortStableFunc(r.cands, func(a, b candidate) int { return r.compare(&a, &b) })
		for i := range r.cands {
			r.top = append(r.top, i)
		}
	} else if r.obj.rr {
		r.topByCounter(want)
	} else if r.obj.single {
		r.topBySingle(want)
	} else {
		for i := range r.cands {
			r.insert(i, want)
		}
	}
	if r.obj.single {
		if r.req.Detail {
			for i := range r.cands { // every candidate is listed: exact bounds
				r.bound(&r.cands[i])
			}
		} else {
			r.topBounds()
		}
		for _, i := range r.top { // for the listing
			r.cands[i].score = r.score(&r.cands[i])
		}
	}
	if !r.obj.rr && len(r.top) > 1 && r.compare(&r.cands[r.top[0]], &r.cands[r.top[1]]) == 0 {
		m.breakTie(r)
	}
}

// insert places candidate i among the best want candidates.
func (r *routing) insert(i, want int) {
	c := &r.cands[i]
	n := len(r.top)
	if n == want && r.compare(c, &r.cands[r.top[n-1]]) >= 0 {
		return
	}
	pos := n
	for pos > 0 && r.compare(c, &r.cands[r.top[pos-1]]) < 0 {
		pos--
	}
	if n < want {
		r.top = append(r.top, 0)
	}
	copy(r.top[pos+1:], r.top[pos:])
	r.top[pos] = i
}

// topBySingle is insert for a single goal, which also sets each
// candidate's order: cmpSingle's keys are kept in
// local arrays, as in topByCounter, so that each candidate is compared in
// registers.
func (r *routing) topBySingle(want int) {
	var (
		idx               [1 + MaxFallbacks]int
		order, busy, used [1 + MaxFallbacks]int64
	)
	want = min(want, len(idx))
	n, goal := 0, r.obj.order[0]
	for i := range r.cands {
		c := &r.cands[i]
		o := r.rawOrder(goal, c)
		c.order = o
		if n == want && o > order[n-1] {
			continue
		}
		b, u := c.k.inFlight, int64(c.k.lastUsed)
		if n == want && !before(o, b, u, order[n-1], busy[n-1], used[n-1]) {
			continue
		}
		if n < want {
			n++
		}
		pos := n - 1
		for pos > 0 && before(o, b, u, order[pos-1], busy[pos-1], used[pos-1]) {
			idx[pos], order[pos], busy[pos], used[pos] = idx[pos-1], order[pos-1], busy[pos-1], used[pos-1]
			pos--
		}
		idx[pos], order[pos], busy[pos], used[pos] = i, o, b, u
	}
	r.top = append(r.top, idx[:n]...)
}

// before orders (order, in flight, last used) triples as cmpSingle does:
// it reports whether the first ranks strictly ahead.
func before(o1, b1, u1, o2, b2, u2 int64) bool {
	if o1 != o2 {
		return o1 < o2
	}
	if b1 != b2 {
		return b1 < b2
	}
	return u1 < u2
}

// topBounds finds the bounds a single goal's listed scores are relative
// to. The best candidate holds the best cost and counter; the lowest
// latency is the first measured one in rank order; the lowest counter was
// found while ranking (topByCounter).
func (r *routing) topBounds() {
	best := &r.cands[r.top[0]]
	r.minCost, r.maxCW = best.cost, best.cw
	r.minLatency = 0
	for _, i := range r.top {
		if l := r.cands[i].latency(); l > 0 {
			r.minLatency = l
			break
		}
	}
}

// topByCounter is insert for plain round-robin: the highest counters, the
// earliest first among equals. It also finds the lowest counter. The list
// is built in local arrays (want is at most 1+MaxFallbacks), which keeps
// the loop out of memory the compiler cannot prove unaliased.
func (r *routing) topByCounter(want int) {
	var (
		idx [1 + MaxFallbacks]int
		cws [1 + MaxFallbacks]int64
	)
	want = min(want, len(idx))
	n := 0
	minCW := r.cands[0].cw
	for i := range r.cands {
		cw := r.cands[i].cw
		minCW = min(minCW, cw)
		if n == want && cw <= cws[n-1] {
			continue
		}
		if n < want {
			n++
		}
		pos := n - 1
		for pos > 0 && cw > cws[pos-1] {
			idx[pos], cws[pos] = idx[pos-1], cws[pos-1]
			pos--
		}
		idx[pos], cws[pos] = i, cw
	}
	r.top = append(r.top, idx[:n]...)
	r.minCW = minCW
}

// breakTie picks the best key uniformly among the candidates that tie with
// it, with the core's seeded random source, so that equal keys share the
// load instead of the first one taking it all. A dry run does not advance
// the source.
func (m *Machine) breakTie(r *routing) {
	rng := &m.rng
	if r.req.DryRun {
		copied := m.rng
		rng = &copied
	}
	best := r.top[0]
	pick, n := best, uint64(0)
	for i := range r.cands {
		if r.compare(&r.cands[i], &r.cands[best]) != 0 {
			continue
		}
		n++
		if rng.Uint64()%n == 0 {
			pick = i
		}
	}
	if pick == best {
		return
	}
	if at := slices.Index(r.top, pick); at >= 0 {
		r.top[0], r.top[at] = pick, best
	} else {
		copy(r.top[1:], r.top[:len(r.top)-1])
		r.top[0] = pick
	}
}

// goalScore is a candidate's score for one goal, in PPM of the best.
func (r *routing) goalScore(g abi.Goal, c *candidate) int64 {
	switch g {
	case abi.GoalCost:
		if c.cost == 0 {
			return ppmOne
		}
		return mulDiv(r.minCost, ppmOne, c.cost)
	case abi.GoalReliability:
		return c.success()
	case abi.GoalLatency:
		switch l := c.latency(); {
		case c.fresh():
			return ppmOne // never tried: explore it
		case l == 0:
			return 0 // tried, never answered
		default:
			return mulDiv(r.minLatency, ppmOne, l)
		}
	case abi.GoalQuota:
		return c.headroom
	default: // fairness
		if r.maxCW == r.minCW {
			return ppmOne
		}
		return mulDiv(c.cw-r.minCW, ppmOne, r.maxCW-r.minCW)
	}
}

// score combines the goal scores by weight.
func (r *routing) score(c *candidate) int64 {
	if r.obj.single {
		return r.goalScore(r.obj.order[0], c)
	}
	var sum int64
	for g := abi.GoalFairness; int(g) < numGoals; g++ {
		if w := r.obj.weight[g]; w > 0 {
			sum += w * r.goalScore(g, c)
		}
	}
	return sum / r.obj.total
}

// compare orders candidates best first. Plain fairness is smooth weighted
// round-robin: the highest counter wins and equal counters keep key order.
// Otherwise the combined score of a mix decides, then each goal's raw
// metric in the objective's order (a single goal's raw metric orders as its
// score does), then the fewest requests in flight, then the key
// chosen longest ago. Zero means a tie.
func (r *routing) compare(a, b *candidate) int {
	if r.obj.rr {
		return cmpDesc(a.cw, b.cw)
	}
	if a.order == b.order && !r.obj.single {
		for _, g := range r.obj.order[:r.obj.n] {
			if c := cmpAsc(r.rawOrder(g, a), r.rawOrder(g, b)); c != 0 {
				return c
			}
		}
	}
	return cmpSingle(a, b)
}

// cmpSingle is compare without a mix's per-goal tie-breaks: the rank key,
// then the fewest requests in flight, then the key chosen longest ago.
func cmpSingle(a, b *candidate) int {
	switch {
	case a.order != b.order:
		return cmpAsc(a.order, b.order)
	case a.k.inFlight != b.k.inFlight:
		return cmpAsc(a.k.inFlight, b.k.inFlight)
	}
	return cmpAsc(int64(a.k.lastUsed), int64(b.k.lastUsed))
}

// rawOrder is a candidate's metric for one goal as a rank key, lower
// better.
func (r *routing) rawOrder(g abi.Goal, c *candidate) int64 {
	switch g {
	case abi.GoalCost:
		return c.cost
	case abi.GoalReliability:
		return -c.success()
	case abi.GoalLatency:
		return latencyRank(c)
	case abi.GoalQuota:
		return -c.headroom
	default: // fairness
		return -c.cw
	}
}

// latencyRank orders latencies: unexplored keys first, then measured ones,
// then keys that were tried but never answered.
func latencyRank(c *candidate) int64 {
	switch l := c.latency(); {
	case c.fresh():
		return 0
	case l == 0:
		return math.MaxInt64
	default:
		return l
	}
}

func cmpAsc(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpDesc(a, b int64) int { return cmpAsc(b, a) }

// decide fills a routed decision and, unless a dry run, commits it.
func (m *Machine) decide(r *routing, d *abi.Decision) {
	best := &r.cands[r.top[0]]
	k := best.k
	d.Key, d.Provider = k.cfg.ID, k.prov.id
	d.EstimatedCost, d.Reserved = abi.NanoUSD(best.cost), abi.NanoUSD(best.reserve)
	d.Eligible = int64(len(r.cands))
	for _, i := range r.top[1:] {
		d.Fallbacks = append(d.Fallbacks, r.cands[i].k.cfg.ID)
	}
	if r.req.Detail {
		m.listCandidates(r, d)
	}
	m.listExclusions(r, d)
	for _, bs := range [...][]*budget{r.reqBudgets, k.budgets, best.mdl.prov.budgets} {
		for _, b := range bs {
			if !b.hard && b.room(r.now) < best.reserve {
				d.SoftBudgets = append(d.SoftBudgets, b.cfg.ID)
			}
		}
	}
	d.Explanation = appendExplanation(d.Explanation, r, best, d)
	if !r.req.DryRun {
		d.Attempt = m.commit(r, best)
	}
}

// listCandidates lists every candidate with its metrics, best first.
func (m *Machine) listCandidates(r *routing, d *abi.Decision) {
	d.Candidates = slices.Grow(d.Candidates, len(r.top))[:len(r.top)]
	for j, i := range r.top { // in place: no copy of a temporary
		c, dc := &r.cands[i], &d.Candidates[j]
		if c.calm {
			m.viewQuota(r, c)
		}
		dc.Key, dc.Score, dc.Cost = c.k.cfg.ID, abi.PPM(c.score), abi.NanoUSD(c.cost)
		dc.Success, dc.LatencyMicros, dc.Headroom = abi.PPM(c.success()), c.latency(), abi.PPM(c.headroom)
		dc.InFlight, dc.Capacity, dc.Tier, dc.Probe = c.k.inFlight, c.capacity, int64(c.k.tier), c.probe
	}
}

// commit opens the attempt for the chosen candidate: in-flight counts,
// usage, reservations, the half-open probe and the round-robin step.
func (m *Machine) commit(r *routing, best *candidate) uint64 {
	now := r.now
	k, mo := best.k, best.mdl
	if best.p == nil {
		best.p = k.ensurePool(mo.pool, mo.poolName)
	}
	p := best.p
	if eff := p.effective(now); eff != p.state {
		p.state, p.trigger, p.until = eff, abi.TriggerElapsed, 0
	}
	if best.probe {
		p.probe = true
	}
	a := m.openAttempt(now, best, r.client)
	a.estimate = r.estimate(mo)
	k.lastUsed = now
	k.forgetCalm()
	k.minute.add(r.minute, 1, 0, 0)
	k.day.add(r.day, 1, 0, 0)
	p.minute.add(r.minute, 1, 0, 0)
	p.day.add(r.day, 1, 0, 0)
	if p.reported {
		p.observed.SentRequests++
	}
	if r.client != nil {
		r.client.minute.add(r.minute, 1, 0, 0)
	}
	k.roomFloor = noFloor // reserved below
	for _, bs := range [...][]*budget{r.reqBudgets, k.budgets, mo.prov.budgets} {
		for _, b := range bs {
			b.roll(now)
			b.reserved = addSat(b.reserved, best.reserve)
			a.res = append(a.res, reservation{b, best.reserve})
		}
	}
	if r.stepRR { // every candidate's counter has moved (evaluate)
		k.current -= r.stepTotal
	}
	return a.id
}

// keyOrder orders keys by id, for stable listings.
func keyOrder(a, b *key) int { return strings.Compare(string(a.cfg.ID), string(b.cfg.ID)) }
