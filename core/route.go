package core

import (
	"math"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// maxListedExclusions is how many exclusions a decision lists unless the
// request asks for detail.
const maxListedExclusions = 8

// candidate is one eligible key's metrics for a request. It is kept small:
// routing builds one per eligible key.
type candidate struct {
	k   *key
	p   *pool // nil while the key has no state for the model's pool
	mdl *model
	// cost is the estimate; reserve is what budgets hold for it.
	cost, reserve int64
	// cw is the round-robin counter after this step: current + weight.
	cw    int64
	score int64 // PPM
	// order is the candidate's rank key, lower is better: the primary
	// goal's raw metric, or the negated score of a mix.
	order int64
	// headroom, capacity and resetAt are the quota forecast (resetAt: when
	// the limit that makes the key critical resets).
	headroom int64
	resetAt  abi.UnixNano
	capacity abi.Capacity
	probe    bool
	// calm is set when the pool's remembered verdict stood in for the
	// quota check: headroom, capacity and resetAt are filled in only if
	// the decision lists the candidate (see [Machine.viewQuota]).
	calm bool
}

// success is the key's success-rate EWMA for the pool, 100% when unknown.
func (c *candidate) success() int64 {
	if c.p == nil {
		return ppmOne
	}
	return c.p.success
}

// latency is the key's latency EWMA for the pool in µs, 0 when unknown.
func (c *candidate) latency() int64 {
	if c.p == nil {
		return 0
	}
	return c.p.latency
}

// fresh reports whether the key has had no outcome for the pool yet: an
// unknown latency is then worth exploring, not a bad sign.
func (c *candidate) fresh() bool { return c.p == nil || c.p.successSamples == 0 }

// exclusion is a key that is not a candidate, and why; b is the budget
// that would be overspent, for ReasonBudget.
type exclusion struct {
	k      *key
	reason abi.Reason
	until  abi.UnixNano
	b      *budget
	// unpriced marks a ReasonBudget for a model with no known price, which
	// no hard budget can bound (abi.Model.Unpriced).
	unpriced bool
}

// routing is the scratch space of one route call, reused across calls.
type routing struct {
	req        *abi.RouteRequest
	now        abi.UnixNano
	minute     position // now in the windows' slots
	day        position
	obj        objective
	client     *client
	reqBudgets []*budget // global, model and client budgets
	models     []*model
	cands      []candidate
	excl       []exclusion
	top        []int // indices into cands, best first
	// tiersSeen ORs the candidates' tiers; critical is set when a
	// candidate is forecast to run out. Both zero (the common case) tell
	// filter that there is nothing to set aside.
	tiersSeen int32
	critical  bool
	// the model being evaluated: its costs, limits and budgets
	mo                 *model
	modelLimits        bool
	quota              quotaView // the key being qualified
	listCost, worst    int64     // worst: -1 until needed
	shared, sharedHard bool
	// sharedRoom is the least room left in a hard budget of the request
	// or the provider (MaxInt64 if none): the same for every key.
	sharedRoom int64
	// bounds over candidates, for normalised scores
	minCost, minLatency, minCW, maxCW int64
	// stepRR is set when the decision advances the round-robin counters
	// (a fairness weight, not a dry run): evaluate moves each candidate's
	// counter as it goes, so that commit need not visit every key again,
	// and filter moves back those it sets aside. stepTotal sums their
	// weights, which commit takes from the chosen key.
	stepRR    bool
	stepTotal int64
}

func (r *routing) reset(req *abi.RouteRequest, now abi.UnixNano) {
	r.req, r.now, r.client = req, now, nil
	r.minute, r.day = at(now, minuteSlot), at(now, daySlot)
	r.reqBudgets, r.models = r.reqBudgets[:0], r.models[:0]
	r.cands, r.excl, r.top = r.cands[:0], r.excl[:0], r.top[:0]
	r.tiersSeen, r.critical = 0, false
	r.minCost, r.minLatency, r.minCW, r.maxCW = -1, 0, 0, 0
	r.stepRR, r.stepTotal = false, 0
}

func resetDecision(d *abi.Decision) {
	*d = abi.Decision{
		V:           abi.Version,
		Fallbacks:   d.Fallbacks[:0],
		Candidates:  d.Candidates[:0],
		Excluded:    d.Excluded[:0],
		SoftBudgets: d.SoftBudgets[:0],
		Explanation: d.Explanation[:0],
	}
}

func refuse(d *abi.Decision, code abi.Code, retryAt abi.UnixNano, msg string) {
	d.Code, d.RetryAt, d.Message = code, retryAt, msg
	d.Explanation = append(d.Explanation[:0], msg...)
}

func validateRoute(req *abi.RouteRequest) error {
	switch {
	case req.Now <= 0:
		return abi.Errorf(abi.InvalidArgument, "now must be a positive Unix time in nanoseconds")
	case req.Model == "":
		return abi.Errorf(abi.InvalidArgument, "model is required")
	case len(req.Model) > maxModelName:
		return abi.Errorf(abi.InvalidArgument, "model name longer than %d bytes", maxModelName)
	case req.Provider != "" && !abi.ValidID(string(req.Provider)):
		return abi.Errorf(abi.InvalidArgument, "provider %q is not a valid id", req.Provider)
	case req.Client != "" && !abi.ValidID(string(req.Client)):
		return abi.Errorf(abi.InvalidArgument, "client %q is not a valid id", req.Client)
	case req.InputTokens < 0 || req.InputTokens > MaxTokens || req.InputTokensBound < 0 || req.InputTokensBound > MaxTokens ||
		req.MaxOutputTokens < 0 || req.MaxOutputTokens > MaxTokens:
		return abi.Errorf(abi.InvalidArgument, "token counts must be 0..%d", int64(MaxTokens))
	case req.Choices < 0 || req.Choices > MaxChoices:
		return abi.Errorf(abi.InvalidArgument, "choices must be 0..%d", MaxChoices)
	case len(req.Exclude) > maxExclude:
		return abi.Errorf(abi.TooLarge, "%d excluded keys, at most %d", len(req.Exclude), maxExclude)
	case len(req.Tags) > maxTags:
		return abi.Errorf(abi.TooLarge, "%d tags, at most %d", len(req.Tags), maxTags)
	case req.MaxFallbacks < 0 || req.MaxFallbacks > MaxFallbacks:
		return abi.Errorf(abi.InvalidArgument, "max_fallbacks must be 0..%d", MaxFallbacks)
	}
	for i := 1; i < len(req.Tags); i++ {
		if req.Tags[i-1] >= req.Tags[i] {
			return abi.Errorf(abi.InvalidArgument, "tags must be sorted and unique")
		}
	}
	return CheckObjective(req.Objective)
}

// Route decides which key serves one attempt of a request and writes the
// decision into d, reusing d's buffers: steady-state routing allocates
// nothing. Refusals are decisions with a [abi.Code]; Route never fails.
//
// Unless req.DryRun, the decision opens an attempt that must be settled
// by an [abi.Outcome] (or expires after the attempt TTL): it counts as in
// flight on the key and holds its reservation on every applicable budget.
func (m *Machine) Route(req *abi.RouteRequest, d *abi.Decision) {
	resetDecision(d)
	if err := validateRoute(req); err != nil {
		e := err.(*abi.Error)
		refuse(d, e.Code, 0, e.Message)
		return
	}
	now := m.advance(req.Now, req.DryRun)
	r := &m.scratch
	r.reset(req, now)
	d.Model = req.Model
	m.resolve(req.Objective, &r.obj)
	d.Goal = r.obj.primary()
	r.stepRR = r.obj.weight[abi.GoalFairness] > 0 && !req.DryRun

	if !m.admit(r, d) {
		return
	}
	if m.gen++; m.gen == 0 { // wrapped: forget old marks
		for _, k := range m.keys {
			k.mark = 0
		}
		m.gen = 1
	}
	for _, id := range req.Exclude {
		if k := m.keyByID[id]; k != nil {
			k.mark = m.gen
		}
	}
	for _, mo := range r.models {
		m.evaluate(r, mo)
	}
	r.filter()
	if len(r.cands) == 0 {
		m.refuseNoKey(r, d)
		return
	}
	m.rank(r)
	m.decide(r, d)
}

// admit resolves the model, the client's scope and the request-level
// budgets; it refuses the request when one of them says no.
func (m *Machine) admit(r *routing, d *abi.Decision) bool {
	req := r.req
	tooBig := false
	for _, mo := range m.servedBy(req.Model) {
		if req.Provider != "" && mo.prov.id != req.Provider {
			continue
		}
		if w := mo.cfg.ContextWindow; w > 0 && req.InputTokens+req.MaxOutputTokens > w {
			tooBig = true
			continue
		}
		r.models = append(r.models, mo)
	}
	if len(r.models) == 0 {
		if tooBig {
			refuse(d, abi.ContextExceeded, 0, "input plus max output tokens exceed the context window of "+quote(req.Model))
		} else {
			refuse(d, abi.UnknownModel, 0, "no provider serves model "+quote(req.Model))
		}
		return false
	}
	if req.Client != "" {
		c := m.clientByID[req.Client]
		if c == nil {
			refuse(d, abi.UnknownClient, 0, "unknown client "+quote(string(req.Client)))
			return false
		}
		if !c.allows(req.Model) {
			refuse(d, abi.ModelNotAllowed, 0, "client "+string(c.cfg.ID)+" may not use model "+quote(req.Model))
			return false
		}
		if c.cfg.RPM > 0 {
			if u := c.minute.requests(r.minute); u.count >= c.cfg.RPM {
				refuse(d, abi.ClientRateLimited, u.freeAt(r.minute, c.cfg.RPM, 1),
					"client "+string(c.cfg.ID)+" is over its limit of requests per minute")
				return false
			}
		}
		r.client = c
		r.reqBudgets = append(r.reqBudgets, c.budgets...)
	}
	if len(m.globalBudgets) > 0 {
		r.reqBudgets = append(r.reqBudgets, m.globalBudgets...)
	}
	if bs := r.models[0].budgets; len(bs) > 0 { // every model here has the name
		r.reqBudgets = append(r.reqBudgets, bs...)
	}
	return true
}

// servedBy returns the models of that name, one per provider.
func (m *Machine) servedBy(name string) []*model {
	if c := &m.lastModel; c.list != nil && c.name == name {
		return c.list
	}
	list := m.modelsByName[name]
	m.lastModel.name, m.lastModel.list = name, list
	return list
}

// quote returns s in double quotes; s is printable or cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' || r == 0x7f {
			return '?'
		}
		return r
	}, s) + `"`
}

// evaluate sorts every key of model mo's provider into candidates and
// exclusions. It is the hot loop of routing: the common case (an active key
// with no declared limits, provider report or budgets) costs a few
// comparisons.
func (m *Machine) evaluate(r *routing, mo *model) {
	req, now := r.req, r.now
	out := req.MaxOutputTokens
	if out == 0 {
		out = mo.expectedOutput()
	}
	r.mo, r.listCost, r.worst = mo, int64(cost(mo.cfg.Price, 0, req.InputTokens, 0, out*r.answers())), -1
	r.shared = len(r.reqBudgets) > 0 || len(mo.prov.budgets) > 0
	r.sharedHard = hasHard(r.reqBudgets) || hasHard(mo.prov.budgets)
	r.sharedRoom = leastRoom(now, mo.prov.budgets, leastRoom(now, r.reqBudgets, math.MaxInt64))
	// per key, checks adds to these the key's own reasons to qualify it
	r.modelLimits = mo.cfg.Limits != (abi.Limits{})
	checks := r.modelLimits || r.shared
	needTags, gen, pid := len(req.Tags) > 0, m.gen, mo.pool
	// The loop works on locals: stores into a candidate would make the
	// compiler load r's fields again for every key.
	listCost, shared, calmBelow := r.listCost, r.shared, r.calmBelow()
	cands, stepRR, stepTotal := r.cands, r.stepRR, r.stepTotal
	var (
		tiers    int32
		critical bool
	)
	for _, k := range mo.prov.keys {
		p := k.pool(pid)
		if k.mark == gen || k.state != abi.Active || k.filtered || needTags {
			if m.rejects(r, k, p, mo) {
				continue
			}
		}
		probe := false
		if p != nil && p.state != abi.Active {
			eligible := false
			if probe, eligible = r.rests(k, p); !eligible {
				continue
			}
		}
		// Build the candidate in place; qualify may take it back.
		if len(cands) == cap(cands) {
			cands = slices.Grow(cands, 1)
		}
		cands = cands[:len(cands)+1]
		c := &cands[len(cands)-1]
		c.k, c.p, c.mdl = k, p, mo
		c.cost, c.reserve, c.cw, c.score = listCost, listCost, k.current+k.weight, 0
		c.headroom, c.resetAt, c.capacity, c.probe, c.calm = ppmOne, 0, abi.Abundant, probe, false
		if checks || k.limited || k.discount > 0 || k.budgeted || p != nil && p.reported {
			// The common case, where the pool's remembered verdict answers
			// the quota check and nothing else needs checking, without
			// qualify: a decision at 100 to 1,000 keys takes 12-20 % less.
			if !shared && !k.budgeted && k.discount == 0 && p.remembersCalm(mo.serial, calmBelow) {
				c.calm = true
			} else if !m.qualify(r, c) {
				cands = cands[:len(cands)-1]
				continue
			}
			critical = critical || c.capacity >= abi.Critical
		}
		tiers |= k.tier
		if stepRR {
			k.current = c.cw
			stepTotal += k.weight
		}
	}
	r.cands, r.stepTotal = cands, stepTotal
	r.tiersSeen |= tiers
	r.critical = r.critical || critical
}

// rejects reports whether key k is excluded whatever its pool p's state,
// and records why.
func (m *Machine) rejects(r *routing, k *key, p *pool, mo *model) bool {
	reason := m.admissible(r, k, mo)
	if reason == abi.ReasonNone {
		return false
	}
	e := exclusion{k: k, reason: reason}
	if reason == abi.ReasonExcluded && p != nil {
		// a key tried and now resting says more than "tried"
		if st := p.effective(r.now); st == abi.CoolingDown || st == abi.Exhausted {
			e.reason, e.until = abi.ReasonCoolingDown, p.until
			if st == abi.Exhausted {
				e.reason = abi.ReasonExhausted
			}
		}
	}
	r.excl = append(r.excl, e)
	return true
}

// rests checks key k's pool p, which is not active: whether it may serve
// (eligible), and whether as the half-open probe; a resting pool's key is
// recorded as excluded.
func (r *routing) rests(k *key, p *pool) (probe, eligible bool) {
	switch p.effective(r.now) {
	case abi.CoolingDown:
		r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonCoolingDown, until: p.until})
		return false, false
	case abi.Exhausted:
		r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonExhausted, until: p.until})
		return false, false
	case abi.Probing:
		if p.probe {
			r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonProbeInFlight})
			return false, false
		}
		return true, true
	}
	return false, true
}

// bound widens the bounds the normalised scores are relative to.
func (r *routing) bound(c *candidate) {
	first := r.minCost < 0
	if first || c.cost < r.minCost {
		r.minCost = c.cost
	}
	if l := c.latency(); l > 0 && (r.minLatency == 0 || l < r.minLatency) {
		r.minLatency = l
	}
	if first || c.cw < r.minCW {
		r.minCW = c.cw
	}
	if first || c.cw > r.maxCW {
		r.maxCW = c.cw
	}
}

// qualify checks a key's quota and budgets for a request and fills in its
// cost; false means the key was excluded.
func (m *Machine) qualify(r *routing, c *candidate) bool {
	k, p, mo, now := c.k, c.p, c.mdl, r.now
	if r.modelLimits || k.limited || p != nil && p.reported {
		in := r.req.InputTokens
		if p.remembersCalm(mo.serial, r.calmBelow()) {
			c.calm = true // neither blocked nor critical: the view waits until listed
		} else {
			q := &r.quota
			m.quota(q, r, k, p, mo, in)
			if q.blocked != abi.ReasonNone {
				r.excl = append(r.excl, exclusion{k: k, reason: q.blocked, until: q.until})
				return false
			}
			c.headroom, c.capacity, c.resetAt = q.headroom, q.capacity, q.resetAt
			if p != nil && q.capacity < abi.Critical && !r.req.DryRun {
				// a dry run may look ahead of the clock: the verdict holds from now on only
				p.calm, p.calmFor = int32(min(q.room, math.MaxInt32-1)+1), mo.serial
			}
		}
	}
	if r.shared || k.budgeted {
		if r.sharedHard || k.hardBudgets {
			if r.mo.cfg.Unpriced {
				r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonBudget, b: firstHard(r.reqBudgets, k.budgets, mo.prov.budgets), unpriced: true})
				return false
			}
			c.reserve = r.worstCost()
		}
		if d := int64(k.discount); d > 0 {
			c.reserve = mulDivUp(c.reserve, 10000-d, 10000)
		}
		if c.reserve > min(k.roomFloor, r.sharedRoom) && c.reserve > m.keyRoom(r, k, r.sharedRoom) {
			b, until := blocking(now, c.reserve, r.reqBudgets, k.budgets, mo.prov.budgets)
			r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonBudget, until: until, b: b})
			return false
		}
	}
	if d := int64(k.discount); d > 0 {
		c.cost = mulDivUp(c.cost, 10000-d, 10000)
		if !r.shared && !k.budgeted {
			c.reserve = c.cost
		}
	}
	return true
}

// calmBelow is what a remembered verdict must exceed to stand in: the
// request's input tokens; nothing does under a headroom goal, which needs
// every candidate's figures.
func (r *routing) calmBelow() int64 {
	if r.obj.headroom {
		return math.MaxInt64
	}
	return int64(r.req.InputTokens)
}

// keyRoom returns the least room left in key k's hard budgets, or below,
// whichever is less, and remembers the former in k.roomFloor (not on a dry
// run: it may look ahead of the clock, and room grows as time passes).
func (m *Machine) keyRoom(r *routing, k *key, below int64) int64 {
	room := leastRoom(r.now, k.budgets, math.MaxInt64)
	if !r.req.DryRun {
		k.roomFloor = room
	}
	return min(room, below)
}

// worstCost is what a hard budget reserves for the request on the model
// being evaluated: the prompt's bound if it has one (InputTokensBound),
// and with no max_tokens the model's longest answer, for each answer
// asked for.
func (r *routing) worstCost() int64 {
	if r.worst < 0 {
		r.worst = r.listCost
		in, mo := max(r.req.InputTokens, r.req.InputTokensBound), r.mo
		if out := r.req.MaxOutputTokens; out == 0 && mo.cfg.MaxOutputTokens > 0 {
			r.worst = int64(cost(mo.cfg.Price, 0, in, 0, mo.cfg.MaxOutputTokens*r.answers()))
		} else if in > r.req.InputTokens {
			if out == 0 {
				out = mo.expectedOutput()
			}
			r.worst = int64(cost(mo.cfg.Price, 0, in, 0, out*r.answers()))
		}
	}
	return r.worst
}

// estimate is the usage the request is estimated at on model mo: its
// prompt, and its max_tokens (else the model's mean output) for each
// answer, within what the core counts.
func (r *routing) estimate(mo *model) abi.Usage {
	out := r.req.MaxOutputTokens
	if out == 0 {
		out = mo.expectedOutput()
	}
	return abi.Usage{InputTokens: r.req.InputTokens, OutputTokens: min(out*r.answers(), MaxTokens)}
}

// answers is how many answers the request asks for (RouteRequest.Choices).
func (r *routing) answers() abi.Tokens { return abi.Tokens(max(r.req.Choices, 1)) }

// admissible checks what excludes a key whatever its pool's state.
func (m *Machine) admissible(r *routing, k *key, mo *model) abi.Reason {
	switch {
	case k.mark == m.gen:
		return abi.ReasonExcluded
	case k.state != abi.Active:
		switch k.state {
		case abi.Disabled:
			return abi.ReasonDisabled
		case abi.Revoked:
			return abi.ReasonRevoked
		}
		return abi.ReasonInvalid
	case len(k.cfg.Models) > 0 && !k.servesModel(mo.cfg.Name):
		return abi.ReasonModel
	case len(r.req.Tags) > 0 && !k.hasTags(r.req.Tags):
		return abi.ReasonTags
	}
	return abi.ReasonNone
}

func hasHard(bs []*budget) bool {
	for _, b := range bs {
		if b.hard {
			return true
		}
	}
	return false
}

// firstHard returns the first hard budget in the lists.
func firstHard(lists ...[]*budget) *budget {
	for _, bs := range lists {
		for _, b := range bs {
			if b.hard {
				return b
			}
		}
	}
	return nil
}

// leastRoom returns the least room left in the hard budgets of bs, or
// below, whichever is less.
func leastRoom(now abi.UnixNano, bs []*budget, below int64) int64 {
	for _, b := range bs {
		if b.hard {
			below = min(below, b.room(now))
		}
	}
	return below
}

// blocking returns the hard budget in the lists that lacks room for need,
// if any, and the earliest time all of them could fit it (zero: never).
func blocking(now abi.UnixNano, need int64, lists ...[]*budget) (*budget, abi.UnixNano) {
	var (
		blocker *budget
		until   abi.UnixNano
	)
	for _, bs := range lists {
		for _, b := range bs {
			if !b.hard || b.room(now) >= need {
				continue
			}
			at := b.fitsAt(now, need)
			if blocker == nil || at == 0 || (until != 0 && at > until) {
				blocker, until = b, at
			}
			if at == 0 {
				return blocker, 0
			}
		}
	}
	return blocker, until
}

// filter keeps the candidates of the lowest tier (the others stand by)
// and, as long as one of them has headroom, sets aside those forecast to
// run out before their reset.
func (r *routing) filter() {
	if r.tiersSeen == 0 && !r.critical {
		return // all in tier 0, none forecast to run out
	}
	// the lowest and highest tiers, and whether a key of the lowest is not
	// forecast to run out
	lowest, highest, healthy := int32(maxTier+1), int32(-1), false
	for i := range r.cands {
		c := &r.cands[i]
		switch ok := c.capacity < abi.Critical; {
		case c.k.tier < lowest:
			lowest, healthy = c.k.tier, ok
		case c.k.tier == lowest:
			healthy = healthy || ok
		}
		highest = max(highest, c.k.tier)
	}
	if lowest == highest && !(healthy && r.critical) {
		return // nothing to set aside
	}
	n := 0
	for i := range r.cands {
		c := &r.cands[i]
		switch {
		case c.k.tier > lowest:
			r.excl = append(r.excl, exclusion{k: c.k, reason: abi.ReasonTier})
			r.unstep(c.k)
			continue
		case healthy && c.capacity >= abi.Critical:
			r.excl = append(r.excl, exclusion{k: c.k, reason: abi.ReasonForecast, until: c.resetAt})
			r.unstep(c.k)
			continue
		}
		if n != i {
			r.cands[n] = *c
		}
		n++
	}
	r.cands = r.cands[:n]
}

// unstep moves back the round-robin counter of a key set aside after
// evaluate advanced it.
func (r *routing) unstep(k *key) {
	if r.stepRR {
		k.current -= k.weight
		r.stepTotal -= k.weight
	}
}

// refuseNoKey refuses a request no key can serve, with the earliest time
// one could. When a key passed every check but a budget, money is what
// stands in the way: the code is budget_exceeded.
func (m *Machine) refuseNoKey(r *routing, d *abi.Decision) {
	var (
		retry    abi.UnixNano
		blocker  *budget
		unpriced bool
	)
	for _, e := range r.excl {
		if e.reason == abi.ReasonBudget && blocker == nil {
			blocker, unpriced = e.b, e.unpriced
		}
		if e.until > r.now && (retry == 0 || e.until < retry) {
			retry = e.until
		}
	}
	code := abi.NoEligibleKeys
	if blocker != nil {
		code = abi.BudgetExceeded
	}
	d.Code, d.RetryAt = code, retry
	m.listExclusions(r, d)
	d.Explanation = appendRefusal(d.Explanation, r, blocker, unpriced, retry)
	d.Message = string(d.Explanation)
}

// listExclusions copies the exclusions into the decision.
func (m *Machine) listExclusions(r *routing, d *abi.Decision) {
	d.ExcludedTotal = int64(len(r.excl))
	n := len(r.excl)
	if !r.req.Detail {
		n = min(n, maxListedExclusions)
	}
	for _, e := range r.excl[:n] {
		d.Excluded = append(d.Excluded, abi.Exclusion{Key: e.k.cfg.ID, Reason: e.reason, Until: e.until})
	}
}
