package core

import (
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// maxListedExclusions is how many exclusions a decision lists unless the
// request asks for detail.
const maxListedExclusions = 8

// candidate is one eligible key's metrics for a request.
type candidate struct {
	k   *key
	p   *pool // nil while the key has no state for the model's pool
	mdl *model
	// cost is the estimate; reserve is what budgets hold for it.
	cost, reserve int64
	success       int64 // PPM
	latency       int64 // µs, 0 = unknown
	// fresh is set while the key has had no outcome for the pool: an
	// unknown latency is then worth exploring, not a bad sign.
	fresh bool
	q     quotaView
	// cw is the round-robin counter after this step: current + weight.
	cw        int64
	minuteReq int64
	score     int64 // PPM
	probe     bool
}

// exclusion is a key that is not a candidate, and why; b is the budget
// that would be overspent, for ReasonBudget.
type exclusion struct {
	k      *key
	reason abi.Reason
	until  abi.UnixNano
	b      *budget
}

// routing is the scratch space of one route call, reused across calls.
type routing struct {
	req        *abi.RouteRequest
	now        abi.UnixNano
	obj        objective
	client     *client
	reqBudgets []*budget // global, model and client budgets
	models     []*model
	cands      []candidate
	excl       []exclusion
	top        []int // indices into cands, best first
	// bounds over candidates, for normalised scores
	minCost, minLatency, minCW, maxCW int64
}

func (r *routing) reset(req *abi.RouteRequest, now abi.UnixNano) {
	r.req, r.now, r.client = req, now, nil
	r.reqBudgets, r.models = r.reqBudgets[:0], r.models[:0]
	r.cands, r.excl, r.top = r.cands[:0], r.excl[:0], r.top[:0]
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
	case req.InputTokens < 0 || req.InputTokens > maxTokens || req.MaxOutputTokens < 0 || req.MaxOutputTokens > maxTokens:
		return abi.Errorf(abi.InvalidArgument, "token counts must be 0..%d", int64(maxTokens))
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
	return validateObjective(req.Objective)
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

	if !m.admit(r, d) {
		return
	}
	m.gen++
	for _, id := range req.Exclude {
		if k := m.keyByID[id]; k != nil {
			k.mark = m.gen
		}
	}
	for _, mo := range r.models {
		m.evaluate(r, mo)
	}
	m.preferTier(r)
	m.avoidForecast(r)
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
	for _, mo := range m.modelsByName[req.Model] {
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
			t := int64(r.now)
			if u := c.minute.requests(t, minuteSlot); u.count >= c.cfg.RPM {
				refuse(d, abi.ClientRateLimited, u.freeAt(t, minuteSlot, c.cfg.RPM, 1),
					"client "+string(c.cfg.ID)+" is over its limit of requests per minute")
				return false
			}
		}
		r.client = c
		r.reqBudgets = append(r.reqBudgets, c.budgets...)
	}
	r.reqBudgets = append(r.reqBudgets, m.budgetsByTarget[scopeTarget{abi.ScopeGlobal, ""}]...)
	r.reqBudgets = append(r.reqBudgets, m.budgetsByTarget[scopeTarget{abi.ScopeModel, req.Model}]...)
	return true
}

// quote returns s in double quotes; s is printable or cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < ' ' || r == '"' || r == '\\' || r == 0x7f {
			return '?'
		}
		return r
	}, s) + `"`
}

// evaluate sorts every key of model mo's provider into candidates and
// exclusions.
func (m *Machine) evaluate(r *routing, mo *model) {
	req, now := r.req, r.now
	out := req.MaxOutputTokens
	if out == 0 {
		out = mo.expectedOutput()
	}
	listCost := int64(cost(mo.cfg.Price, 0, req.InputTokens, 0, out))
	worst := listCost
	if req.MaxOutputTokens == 0 && mo.cfg.MaxOutputTokens > 0 {
		worst = int64(cost(mo.cfg.Price, 0, req.InputTokens, 0, mo.cfg.MaxOutputTokens))
	}
	reqHard := hasHard(r.reqBudgets)
	provHard := hasHard(mo.prov.budgets)
	for _, k := range mo.prov.keys {
		if reason, until := m.admissible(r, k, mo); reason != abi.ReasonNone {
			r.excl = append(r.excl, exclusion{k: k, reason: reason, until: until})
			continue
		}
		p := k.pool(mo.pool)
		c := candidate{k: k, p: p, mdl: mo, success: ppmOne, cost: listCost, reserve: listCost, fresh: p == nil || p.successSamples == 0}
		if p != nil {
			switch p.effective(now) {
			case abi.CoolingDown:
				r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonCoolingDown, until: p.until})
				continue
			case abi.Exhausted:
				r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonExhausted, until: p.until})
				continue
			case abi.Probing:
				if p.probe {
					r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonProbeInFlight})
					continue
				}
				c.probe = true
			}
			c.success, c.latency = p.success, p.latency
		}
		if c.q = m.quota(now, k, p, mo, req.InputTokens); c.q.blocked != abi.ReasonNone {
			r.excl = append(r.excl, exclusion{k: k, reason: c.q.blocked, until: c.q.until})
			continue
		}
		if reqHard || provHard || hasHard(k.budgets) {
			c.reserve = worst
		}
		if d := k.cfg.Discount; d > 0 {
			c.cost = mulDivUp(c.cost, 10000-d, 10000)
			c.reserve = mulDivUp(c.reserve, 10000-d, 10000)
		}
		if b, until := blocking(now, c.reserve, r.reqBudgets, k.budgets, mo.prov.budgets); b != nil {
			r.excl = append(r.excl, exclusion{k: k, reason: abi.ReasonBudget, until: until, b: b})
			continue
		}
		c.cw = k.current + k.weight()
		c.minuteReq = k.minute.requests(int64(now), minuteSlot).count
		r.cands = append(r.cands, c)
	}
}

// admissible checks what excludes a key whatever its pool's state.
func (m *Machine) admissible(r *routing, k *key, mo *model) (abi.Reason, abi.UnixNano) {
	switch {
	case k.mark == m.gen:
		return abi.ReasonExcluded, 0
	case k.state == abi.Disabled:
		return abi.ReasonDisabled, 0
	case k.state == abi.Revoked:
		return abi.ReasonRevoked, 0
	case k.state == abi.Invalid:
		return abi.ReasonInvalid, 0
	case !k.servesModel(mo.cfg.Name):
		return abi.ReasonModel, 0
	case len(r.req.Tags) > 0 && !k.hasTags(r.req.Tags):
		return abi.ReasonTags, 0
	}
	return abi.ReasonNone, 0
}

func hasHard(bs []*budget) bool {
	for _, b := range bs {
		if b.cfg.Enforcement == abi.Hard {
			return true
		}
	}
	return false
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
			if b.cfg.Enforcement != abi.Hard || b.room(now) >= need {
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

// preferTier keeps the candidates of the lowest tier; the others stand by.
func (m *Machine) preferTier(r *routing) {
	if len(r.cands) == 0 {
		return
	}
	low := r.cands[0].k.cfg.Tier
	for i := range r.cands {
		low = min(low, r.cands[i].k.cfg.Tier)
	}
	r.keep(func(c *candidate) (abi.Reason, abi.UnixNano) {
		if c.k.cfg.Tier > low {
			return abi.ReasonTier, 0
		}
		return abi.ReasonNone, 0
	})
}

// avoidForecast sets aside keys forecast to run out before their reset,
// as long as another candidate has headroom.
func (m *Machine) avoidForecast(r *routing) {
	healthy := false
	for i := range r.cands {
		if r.cands[i].q.capacity < abi.Critical {
			healthy = true
			break
		}
	}
	if !healthy {
		return
	}
	r.keep(func(c *candidate) (abi.Reason, abi.UnixNano) {
		if c.q.capacity >= abi.Critical {
			return abi.ReasonForecast, c.q.resetAt
		}
		return abi.ReasonNone, 0
	})
}

// keep removes the candidates a filter excludes, in place.
func (r *routing) keep(filter func(*candidate) (abi.Reason, abi.UnixNano)) {
	n := 0
	for i := range r.cands {
		c := &r.cands[i]
		if reason, until := filter(c); reason != abi.ReasonNone {
			r.excl = append(r.excl, exclusion{k: c.k, reason: reason, until: until})
			continue
		}
		r.cands[n] = *c
		n++
	}
	r.cands = r.cands[:n]
}

// refuseNoKey refuses a request no key can serve, with the earliest time
// one could.
func (m *Machine) refuseNoKey(r *routing, d *abi.Decision) {
	var retry abi.UnixNano
	budgetOnly := len(r.excl) > 0
	for _, e := range r.excl {
		if e.reason != abi.ReasonBudget {
			budgetOnly = false
		}
		if e.until > r.now && (retry == 0 || e.until < retry) {
			retry = e.until
		}
	}
	code := abi.NoEligibleKeys
	if budgetOnly {
		code = abi.BudgetExceeded
	}
	d.Code, d.RetryAt = code, retry
	m.listExclusions(r, d)
	d.Explanation = appendRefusal(d.Explanation, r, code, retry)
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
