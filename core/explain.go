package core

import (
	"strconv"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// exclusionsNamed is how many exclusions the sentence names.
const exclusionsNamed = 2

// appendExplanation appends the one-sentence reason for a routed decision,
// e.g. "openai/key-2: lowest estimated cost $0.0012 of 3 eligible keys;
// key-1 cooling down until 12:00:05Z".
func appendExplanation(b []byte, r *routing, best *candidate, d *abi.Decision) []byte {
	b = append(b, best.k.prov.id...)
	b = append(b, '/')
	b = append(b, best.k.cfg.ID...)
	b = append(b, ": "...)
	if len(r.cands) == 1 {
		b = append(b, "the only eligible key"...)
	} else {
		b = appendWhy(b, r, best)
		if r.obj.primary() == abi.GoalLatency && best.fresh() && r.obj.weight[abi.GoalLatency] == r.obj.total {
			b = append(b, " among "...)
		} else {
			b = append(b, " of "...)
		}
		b = strconv.AppendInt(b, int64(len(r.cands)), 10)
		b = append(b, " eligible keys"...)
	}
	if best.probe {
		b = append(b, " (half-open probe after its cooldown)"...)
	}
	if best.capacity >= abi.Critical {
		b = append(b, " (itself forecast to run out before its reset"...)
		if best.resetAt != 0 {
			b = append(b, " at "...)
			b = appendTime(b, r.now, best.resetAt)
		}
		b = append(b, ')')
	}
	b = appendExclusions(b, r, nil)
	for i, id := range d.SoftBudgets {
		if i == 0 {
			b = append(b, "; over soft budget "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, id...)
	}
	return b
}

// appendWhy says what made the best candidate best.
func appendWhy(b []byte, r *routing, c *candidate) []byte {
	if r.obj.roundRobin() {
		b = append(b, "next in weighted round-robin (weight "...)
		b = strconv.AppendInt(b, c.k.weight, 10)
		return append(b, ')')
	}
	if r.obj.weight[r.obj.primary()] != r.obj.total {
		b = append(b, "best weighted score "...)
		b = appendPercent(b, c.score)
		b = append(b, " ("...)
		first := true
		for g := abi.GoalFairness; int(g) < numGoals; g++ {
			if w := r.obj.weight[g]; w > 0 {
				if !first {
					b = append(b, ", "...)
				}
				first = false
				b = append(b, g.String()...)
				b = append(b, ' ')
				b = appendPercent(b, mulDiv(w, ppmOne, r.obj.total))
			}
		}
		return append(b, ')')
	}
	switch r.obj.primary() {
	case abi.GoalCost:
		b = append(b, "lowest estimated cost "...)
		return appendUSD(b, c.cost)
	case abi.GoalReliability:
		b = append(b, "highest success rate "...)
		return appendPercent(b, c.success())
	case abi.GoalLatency:
		if c.fresh() {
			return append(b, "latency not measured yet, so tried first"...)
		}
		b = append(b, "lowest latency "...)
		return appendMicros(b, c.latency())
	default: // quota
		b = append(b, "most quota headroom "...)
		return appendPercent(b, c.headroom)
	}
}

// appendExclusions names the most telling exclusions — those that end at
// a known time first, then busy keys, then broken ones, then the rest — and
// counts the others.
// Keys held back by the budget skip (already told of) are not named.
func appendExclusions(b []byte, r *routing, skip *budget) []byte {
	named, skipped := 0, 0
	for _, e := range r.excl {
		if skip != nil && e.b == skip {
			skipped++
		}
	}
	for rank := 0; rank < 4 && named < exclusionsNamed; rank++ {
		for _, e := range r.excl {
			if mentionRank(e.reason) != rank || skip != nil && e.b == skip {
				continue
			}
			b = append(b, "; "...)
			b = append(b, e.k.cfg.ID...)
			b = append(b, ' ')
			b = appendReason(b, r.now, e)
			if named++; named == exclusionsNamed {
				break
			}
		}
	}
	if rest := len(r.excl) - named - skipped; rest > 0 {
		b = append(b, "; "...)
		b = strconv.AppendInt(b, int64(rest), 10)
		b = append(b, " more excluded"...)
	}
	return b
}

// mentionRank orders exclusion reasons by how much they tell a reader.
func mentionRank(r abi.Reason) int {
	switch r {
	case abi.ReasonCoolingDown, abi.ReasonExhausted, abi.ReasonRateLimit, abi.ReasonForecast, abi.ReasonBudget:
		return 0
	case abi.ReasonProbeInFlight, abi.ReasonConcurrency:
		return 1
	case abi.ReasonInvalid, abi.ReasonDisabled, abi.ReasonRevoked:
		return 2
	}
	return 3
}

func appendReason(b []byte, now abi.UnixNano, e exclusion) []byte {
	switch e.reason {
	case abi.ReasonExcluded:
		return append(b, "already tried"...)
	case abi.ReasonDisabled:
		return append(b, "disabled"...)
	case abi.ReasonRevoked:
		return append(b, "revoked"...)
	case abi.ReasonInvalid:
		return append(b, "invalid (secret rejected)"...)
	case abi.ReasonCoolingDown:
		b = append(b, "cooling down"...)
	case abi.ReasonExhausted:
		b = append(b, "out of quota"...)
	case abi.ReasonProbeInFlight:
		return append(b, "probe in flight"...)
	case abi.ReasonConcurrency:
		return append(b, "at its concurrency limit"...)
	case abi.ReasonRateLimit:
		b = append(b, "at its declared rate limit"...)
	case abi.ReasonForecast:
		b = append(b, "forecast to run out before its reset"...)
		if e.until != 0 {
			b = append(b, " at "...)
			return appendTime(b, now, e.until)
		}
		return b
	case abi.ReasonBudget:
		if e.unpriced {
			b = append(b, "serves a model with no price under hard budget "...)
			return append(b, e.b.cfg.ID...)
		}
		b = append(b, "would overspend budget "...)
		b = append(b, e.b.cfg.ID...)
	case abi.ReasonModel:
		return append(b, "not allowed this model"...)
	case abi.ReasonTags:
		return append(b, "lacks a required tag"...)
	case abi.ReasonTier:
		b = append(b, "on standby (tier "...)
		b = strconv.AppendInt(b, int64(e.k.tier), 10)
		return append(b, ')')
	}
	if e.until != 0 {
		b = append(b, " until "...)
		b = appendTime(b, now, e.until)
	}
	return b
}

// appendRefusal explains why no key can serve a request; unpriced says
// bu stands in the way of a model with no price.
func appendRefusal(b []byte, r *routing, bu *budget, unpriced bool, retry abi.UnixNano) []byte {
	if unpriced {
		b = append(b, "hard budget "...)
		b = append(b, bu.cfg.ID...)
		b = append(b, " cannot bound the cost of model "...)
		b = append(b, quote(r.req.Model)...)
		b = append(b, ": it has no price (configure one; 0 for a free model)"...)
	} else if bu != nil {
		b = append(b, "hard budget "...)
		b = append(b, bu.cfg.ID...)
		b = append(b, " would be overspent: "...)
		spent, _ := bu.spentAt(r.now)
		b = appendUSD(b, spent)
		b = append(b, " spent and "...)
		b = appendUSD(b, bu.reserved)
		b = append(b, " reserved of "...)
		b = appendUSD(b, int64(bu.cfg.Limit))
		b = append(b, ' ')
		b = append(b, bu.cfg.Period.String()...)
		if retry == 0 {
			b = append(b, "; the request alone needs more than the limit (a lower max_tokens reserves less)"...)
		}
	} else {
		b = append(b, "no eligible key for model "...)
		b = append(b, quote(r.req.Model)...)
	}
	b = appendExclusions(b, r, bu)
	if retry != 0 {
		b = append(b, "; retry at "...)
		b = appendTime(b, r.now, retry)
	}
	return b
}

// appendTime writes t in UTC: the time of day when t is on now's day, else
// the full date and time.
func appendTime(b []byte, now, t abi.UnixNano) []byte {
	const day = int64(24 * abi.Hour)
	if t >= 0 && int64(now)/day == int64(t)/day {
		s := int64(t) % day / int64(abi.Second) // 15:04:05Z, written out: the common case
		b = appendTwoDigits(b, s/3600)
		b = appendTwoDigits(append(b, ':'), s/60%60)
		b = appendTwoDigits(append(b, ':'), s%60)
		return append(b, 'Z')
	}
	return time.Unix(0, int64(t)).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
}

// appendTwoDigits writes v, 0..99, in two digits.
func appendTwoDigits(b []byte, v int64) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

// appendPercent writes a PPM as a percentage with one decimal.
func appendPercent(b []byte, ppm int64) []byte {
	tenths := ppm / 1000
	b = strconv.AppendInt(b, tenths/10, 10)
	if r := tenths % 10; r != 0 {
		b = append(b, '.', byte('0'+r))
	}
	return append(b, '%')
}

// appendUSD writes nano-USD as dollars: cents from a dollar up, else two
// significant digits ($0.0012).
func appendUSD(b []byte, nano int64) []byte {
	if nano == 0 {
		return append(b, "$0"...)
	}
	b = append(b, '$')
	b = strconv.AppendInt(b, nano/int64(abi.Dollars), 10)
	var frac [9]byte // zero-padded; unsigned 32-bit division is cheap
	for i, f := 8, uint32(nano%int64(abi.Dollars)); i >= 0; i, f = i-1, f/10 {
		frac[i] = byte('0' + f%10)
	}
	digits := 2
	if nano < int64(abi.Dollars) {
		zeros := 0
		for zeros < len(frac) && frac[zeros] == '0' {
			zeros++
		}
		digits = min(max(digits, zeros+2), len(frac))
	}
	b = append(b, '.')
	return append(b, frac[:digits]...)
}

// appendMicros writes a duration in µs as ms or us (ASCII: explanations
// travel in HTTP headers).
func appendMicros(b []byte, us int64) []byte {
	if us < 1000 {
		b = strconv.AppendInt(b, us, 10)
		return append(b, "us"...)
	}
	b = strconv.AppendInt(b, (us+500)/1000, 10)
	return append(b, "ms"...)
}
