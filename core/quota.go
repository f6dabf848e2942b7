package core

import (
	"math"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

const ppmOne = 1_000_000

// quotaView is a key's quota for one request: the tightest headroom, a
// capacity forecast, and the limit that blocks the request, if any.
type quotaView struct {
	headroom int64 // PPM of the tightest known limit
	capacity abi.Capacity
	// blocked is ReasonConcurrency, ReasonRateLimit or ReasonExhausted when
	// a limit is reached, with the time it frees (zero if unknown).
	blocked abi.Reason
	until   abi.UnixNano
	// resetAt is when the limit that makes the key critical resets.
	resetAt abi.UnixNano
	// room is the most input tokens a request may need before a token
	// limit blocks it.
	room int64
}

// note folds one limit's fraction left into the view.
func (q *quotaView) note(left, limit int64) {
	frac := int64(ppmOne)
	if limit > 0 {
		frac = mulDiv(max(left, 0), ppmOne, limit)
	}
	q.headroom = min(q.headroom, frac)
	switch {
	case frac < ppmOne/10:
		q.worsen(abi.Critical)
	case frac < ppmOne*3/10:
		q.worsen(abi.Constrained)
	}
}

func (q *quotaView) worsen(c abi.Capacity) { q.capacity = max(q.capacity, c) }

func (q *quotaView) block(r abi.Reason, until abi.UnixNano) {
	q.capacity = abi.Depleted
	if q.blocked == abi.ReasonNone {
		q.blocked, q.until = r, until
	}
}

// quota evaluates key k's quota for a request of in input tokens to model mo
// at the route's instant; p is k's pool for mo, nil when it has none yet.
// It writes the view into q.
func (m *Machine) quota(q *quotaView, r *routing, k *key, p *pool, mo *model, in abi.Tokens) {
	*q = quotaView{headroom: ppmOne, room: math.MaxInt64}
	if k.limited {
		declared(q, r, k.cfg.Limits, k.inFlight, &k.minute, &k.day, in)
	}
	if p == nil {
		if mo.cfg.Limits != (abi.Limits{}) {
			declared(q, r, mo.cfg.Limits, 0, &window{}, &window{}, in)
		}
		return
	}
	if mo.cfg.Limits != (abi.Limits{}) {
		declared(q, r, mo.cfg.Limits, p.inFlight, &p.minute, &p.day, in)
	}
	if p.reported {
		m.observed(q, r, p, in)
	}
}

// viewQuota fills in the quota view of candidate c, which its pool's
// remembered verdict let through.
func (m *Machine) viewQuota(r *routing, c *candidate) {
	q := &r.quota
	m.quota(q, r, c.k, c.p, c.mdl, r.req.InputTokens)
	c.headroom, c.capacity, c.resetAt = q.headroom, q.capacity, q.resetAt
}

// declared checks declared limits against our own usage windows.
func declared(q *quotaView, r *routing, l abi.Limits, inFlight int64, minute, day *window, in abi.Tokens) {
	if l.Concurrency > 0 {
		if inFlight >= l.Concurrency {
			q.block(abi.ReasonConcurrency, 0)
		}
		q.note(l.Concurrency-inFlight, l.Concurrency)
	}
	if l.RPM > 0 {
		q.window(minute.requests(r.minute), l.RPM, 1, r.minute)
	}
	if l.TPM > 0 {
		u := minute.tokens(r.minute)
		q.window(u, l.TPM, int64(in), r.minute)
		q.room = min(q.room, l.TPM-u.count)
	}
	if l.RPD > 0 {
		q.window(day.requests(r.day), l.RPD, 1, r.day)
	}
}

// window checks one declared limit against a sliding count u at p, for a
// request that needs need more.
func (q *quotaView) window(u usage, limit, need int64, p position) {
	if u.count+need > limit {
		q.block(abi.ReasonRateLimit, u.freeAt(p, limit, need))
	}
	q.note(limit-u.count, limit)
}

// observed checks the provider's last rate-limit report, less what was
// sent since, and forecasts from the burn rate whether the pool runs out
// before the report's reset time.
func (m *Machine) observed(q *quotaView, r *routing, p *pool, in abi.Tokens) {
	o, now := &p.observed, r.now
	hintCap := now + abi.UnixNano(m.cfg.resetHintCap)
	if o.RemainingRequests >= 0 {
		rate := max(o.RequestRate, p.minute.requests(r.minute).count)
		q.dimension(now, hintCap, o.LimitRequests, o.RemainingRequests-o.SentRequests, rate, 1, o.ResetRequestsAt)
	}
	if o.RemainingTokens >= 0 {
		rate := max(o.TokenRate, p.minute.tokens(r.minute).count)
		q.dimension(now, hintCap, o.LimitTokens, o.RemainingTokens, rate, int64(in), o.ResetTokensAt)
		if o.ResetTokensAt > now {
			q.room = min(q.room, o.RemainingTokens)
		}
	}
}

// dimension checks one dimension of a provider's report at now: left of
// limit until resetAt (capped at hintCap), burning at rate per minute, for
// a request that needs need.
func (q *quotaView) dimension(now, hintCap abi.UnixNano, limit, left, rate, need int64, resetAt abi.UnixNano) {
	if resetAt <= now {
		return // the provider's window has reset since
	}
	if left < need {
		q.block(abi.ReasonExhausted, min(resetAt, hintCap))
		return
	}
	if limit > 0 {
		q.note(left, limit)
	}
	expected := mulDiv(rate, int64(resetAt-now), int64(abi.Minute))
	switch {
	case expected >= left:
		q.worsen(abi.Critical)
	case 2*expected >= left:
		q.worsen(abi.Constrained)
	}
	if q.capacity >= abi.Critical {
		q.resetAt = max(q.resetAt, min(resetAt, hintCap))
	}
}

// observe records a provider's rate-limit report on pool p at now and
// updates the burn rates from the reference report, at least a second old.
func (m *Machine) observe(now abi.UnixNano, p *pool, rl *abi.RateLimit) {
	o := &p.observed
	at := func(d abi.Duration) abi.UnixNano {
		if d < 0 {
			return 0
		}
		return now + abi.UnixNano(min(d, m.cfg.resetHintCap))
	}
	prev := *o
	o.At, p.reported = now, true
	o.LimitRequests, o.RemainingRequests, o.ResetRequestsAt = rl.LimitRequests, rl.RemainingRequests, at(rl.ResetRequests)
	o.LimitTokens, o.RemainingTokens, o.ResetTokensAt = rl.LimitTokens, rl.RemainingTokens, at(rl.ResetTokens)
	o.SentRequests = max(p.inFlight, 0) // requests still in flight were not counted yet
	if prev.At == 0 || prev.RefAt == 0 {
		o.RefAt, o.RefRequests, o.RefTokens = now, rl.RemainingRequests, rl.RemainingTokens
		return
	}
	elapsed := int64(now - prev.RefAt)
	if elapsed < int64(abi.Second) {
		return
	}
	o.RequestRate = burn(prev.RequestRate, prev.RefRequests, rl.RemainingRequests, elapsed)
	o.TokenRate = burn(prev.TokenRate, prev.RefTokens, rl.RemainingTokens, elapsed)
	o.RefAt, o.RefRequests, o.RefTokens = now, rl.RemainingRequests, rl.RemainingTokens
}

// burn blends the per-minute rate at which a remaining count fell from
// before to after over elapsed nanoseconds into an EWMA (alpha 1/2). A count
// that rose (the window reset) or is unknown keeps the old rate.
func burn(old, before, after, elapsed int64) int64 {
	if before < 0 || after < 0 || after > before {
		return old
	}
	rate := mulDiv(before-after, int64(abi.Minute), elapsed)
	if old == 0 {
		return rate
	}
	return (old + rate) / 2
}
