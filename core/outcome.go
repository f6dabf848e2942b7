package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// EWMA weights, as 1/n.
const (
	successAlpha = 10
	latencyAlpha = 8
	outputAlpha  = 8
)

func validateOutcome(o *abi.Outcome) error {
	u := o.Usage
	switch {
	case o.Result > abi.Cancelled:
		return abi.Errorf(abi.InvalidArgument, "unknown result %d", o.Result)
	case u.InputTokens < 0 || u.OutputTokens < 0 || u.CachedInputTokens < 0 ||
		u.InputTokens > MaxTokens || u.OutputTokens > MaxTokens || u.CachedInputTokens > u.InputTokens:
		return abi.Errorf(abi.InvalidArgument, "usage tokens must be 0..%d, cached at most input", int64(MaxTokens))
	case o.LatencyMicros < 0 || o.RetryAfter < 0 || o.Status < 0 || o.Status > 999:
		return abi.Errorf(abi.InvalidArgument, "latency, retry_after and status must not be negative (status at most 999)")
	}
	if rl := o.RateLimit; rl != nil {
		for _, v := range [...]int64{rl.LimitRequests, rl.RemainingRequests, int64(rl.ResetRequests),
			rl.LimitTokens, rl.RemainingTokens, int64(rl.ResetTokens)} {
			if v < -1 {
				return abi.Errorf(abi.InvalidArgument, "rate limit fields are -1 (absent) or more")
			}
		}
	}
	return nil
}

// outcome settles an attempt: it charges the actual cost and releases the
// reservations, then updates the key's health, usage, rate-limit view and
// state.
func (m *Machine) outcome(now abi.UnixNano, o *abi.Outcome, fx *abi.Effects) error {
	if err := validateOutcome(o); err != nil {
		return err
	}
	a := m.attempts.find(o.Attempt)
	if a == nil {
		return abi.Errorf(abi.UnknownAttempt, "attempt %d is not open", o.Attempt)
	}
	k, p, mo := a.key, a.pool, a.model
	u := o.Usage
	spent := cost(a.price, a.discount, u.InputTokens, u.CachedInputTokens, u.OutputTokens)
	probe := a.probe
	m.closeAttempt(now, a, spent)
	fx.Cost = spent
	if k.removed {
		return nil
	}
	if u.InputTokens+u.OutputTokens > 0 {
		minute, day := at(now, minuteSlot), at(now, daySlot)
		k.minute.add(minute, 0, u.InputTokens, u.OutputTokens)
		k.day.add(day, 0, u.InputTokens, u.OutputTokens)
		p.minute.add(minute, 0, u.InputTokens, u.OutputTokens)
		p.day.add(day, 0, u.InputTokens, u.OutputTokens)
	}
	if o.RateLimit != nil {
		m.observe(now, p, o.RateLimit)
	}
	switch o.Result {
	case abi.Success:
		p.failStreak = 0
		p.success = ewma(p.success, ppmOne, successAlpha, 1)
		p.successSamples++
		if o.LatencyMicros > 0 {
			p.latency = ewma(p.latency, o.LatencyMicros, latencyAlpha, boolInt(p.latency > 0))
		}
		if u.OutputTokens > 0 {
			mo.meanOutput = abi.Tokens(ewma(int64(mo.meanOutput), int64(u.OutputTokens), outputAlpha, boolInt(mo.meanOutput > 0)))
		}
		m.movePool(now, k, p, abi.TriggerSuccess, 0, fx)
		if p.state == abi.Active {
			p.ladder = 0 // a late success during a cooldown does not reset it
		}
	case abi.RateLimited:
		m.failed(p)
		until := m.hint(now, o)
		if ra := o.RetryAfter; ra > 0 && ra < m.cfg.retrySameKeyBelow {
			// A short Retry-After allows the same key again — unless it
			// keeps answering so: then the streak cools it down like any
			// other 429, on the ladder.
			if p.failStreak++; p.failStreak < m.cfg.failureThreshold {
				fx.RetrySameKeyAt = now + abi.UnixNano(ra)
				return nil
			}
			p.failStreak, until = 0, 0
		}
		m.cooldown(now, k, p, abi.TriggerRateLimited, until, fx)
	case abi.QuotaExhausted:
		m.failed(p)
		until := m.hint(now, o)
		if until == 0 {
			until = now + abi.UnixNano(m.cfg.resetHintCap)
		}
		m.movePool(now, k, p, abi.TriggerQuotaExhausted, until, fx)
	case abi.ServerError, abi.Timeout, abi.ConnectionError:
		m.failed(p)
		p.failStreak++
		switch {
		case probe || p.effective(now) == abi.Probing:
			m.cooldown(now, k, p, abi.TriggerTransient, 0, fx)
		case p.failStreak >= m.cfg.failureThreshold:
			p.failStreak = 0
			m.cooldown(now, k, p, abi.TriggerFailureStreak, 0, fx)
		}
	case abi.AuthError:
		m.failed(p)
		m.moveKey(now, k, abi.TriggerAuthFailed, fx)
	}
	// BadRequest and Cancelled say nothing about the key.
	return nil
}

// failed records a failure in the success-rate EWMA.
func (m *Machine) failed(p *pool) {
	p.success = ewma(p.success, 0, successAlpha, 1)
	p.successSamples++
}

// cooldown cools a pool down until the provider's hint, else for the next
// step of the ladder, and climbs the ladder. Failures of requests that were
// in flight when the cooldown began belong to the same burst: they do not
// climb the ladder again.
func (m *Machine) cooldown(now abi.UnixNano, k *key, p *pool, t abi.Trigger, until abi.UnixNano, fx *abi.Effects) {
	burst := p.effective(now) == abi.CoolingDown
	if until == 0 {
		step := p.ladder
		if burst && step > 0 {
			step--
		}
		until = now + abi.UnixNano(m.ladderStep(step))
	}
	if !burst {
		p.ladder++
	}
	m.movePool(now, k, p, t, until, fx)
}

// ladderStep returns the cooldown for the n-th consecutive cooldown
// (from 0): the ladder's steps, then doubling, never above the cap.
func (m *Machine) ladderStep(n int64) abi.Duration {
	l := m.cfg.ladder
	if n < int64(len(l)) {
		return min(l[n], m.cfg.cooldownCap)
	}
	d := l[len(l)-1]
	for i := int64(len(l)) - 1; i < n && d < m.cfg.cooldownCap; i++ {
		d *= 2
	}
	return min(d, m.cfg.cooldownCap)
}

// hint returns the deadline an outcome's provider hints at: Retry-After,
// else the reset of an exhausted rate limit; capped so that no key sleeps
// for days by mistake. Zero means no hint.
func (m *Machine) hint(now abi.UnixNano, o *abi.Outcome) abi.UnixNano {
	var d abi.Duration
	switch rl := o.RateLimit; {
	case o.RetryAfter > 0:
		d = o.RetryAfter
	case rl != nil && rl.RemainingRequests == 0 && rl.ResetRequests > 0:
		d = rl.ResetRequests
	case rl != nil && rl.RemainingTokens == 0 && rl.ResetTokens > 0:
		d = rl.ResetTokens
	default:
		return 0
	}
	return now + abi.UnixNano(min(d, m.cfg.resetHintCap))
}

// ewma blends a sample into an average with weight 1/alpha; with no
// earlier samples (samples == 0) the sample replaces it. The success rate
// always blends, from an optimistic prior of 100%.
func ewma(avg, sample, alpha, samples int64) int64 {
	if samples == 0 {
		return sample
	}
	return avg + (sample-avg)/alpha
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
