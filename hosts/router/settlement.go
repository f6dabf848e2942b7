package router

import (
	"context"
	"strconv"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// An answer's outcome is journaled the moment its body ends and applied
// to the core afterwards: the journal entry (one write) is what makes the
// charge survive a kill -9, so the client may have its last bytes right
// after it, while applying the outcome (a call into the core, tens of
// microseconds under WebAssembly) waits until the client has been
// answered. The core still consumes every input in the journal's order:
// each call into it first applies the settlements queued before it.

// settlement is an attempt's outcome, journaled and queued for the core.
type settlement struct {
	in      []byte // the encoded event
	key     abi.KeyID
	attempt uint64
	done    bool // applied: fx is set (under the router's lock)
	fx      abi.Effects
}

// settleLater journals an attempt's outcome and queues it for the core.
// The entry takes its place in the journal under the router's lock and is
// written after it (persistence.accept). When the journal cannot take
// it, the outcome is applied at once and a snapshot covers it, as for any
// other input.
func (r *Router) settleLater(ctx context.Context, d *abi.Decision, o abi.Outcome) *settlement {
	o.Attempt = d.Attempt
	s := &settlement{key: d.Key, attempt: d.Attempt}
	r.mu.Lock()
	ev := abi.Event{V: abi.Version, Now: abi.UnixNano(r.now().UnixNano()), Outcome: &o}
	var err error
	// Room for the usual entry (~220 bytes): one allocation, not a growth
	// by doubling from nothing.
	if s.in, err = abi.AppendEncode(make([]byte, 0, 256), &ev); err != nil {
		r.mu.Unlock()
		r.log.Error("report outcome", "key", s.key, "err", err)
		s.done = true
		return s
	}
	// Queued before it is journaled: a snapshot the entry triggers covers
	// it, so it must apply it first.
	r.pending = append(r.pending, s)
	var seq uint64
	p := r.persist
	if p != nil {
		if seq, err = p.accept(ctx, opApply, s.in); err != nil {
			r.applyPendingLocked(ctx)
			_ = p.coverBySnapshot(ctx, err) // logs what failed
		}
	}
	r.mu.Unlock()
	if seq != 0 {
		p.written(ctx, seq)
	}
	return s
}

// applyPendingLocked applies the queued settlements, oldest first, then
// closes the attempts of those the core refused (see closeRefusedLocked),
// once the queue is empty: closing one journals an input, which may apply
// the queue.
func (r *Router) applyPendingLocked(ctx context.Context) {
	var refused []*settlement
	for i, s := range r.pending {
		if r.applySettlement(ctx, s) {
			refused = append(refused, s)
		}
		r.pending[i] = nil
	}
	r.pending = r.pending[:0]
	for _, s := range refused {
		r.closeRefusedLocked(ctx, s)
	}
}

// applySettlement applies s and reports whether the core refused its
// outcome as invalid.
func (r *Router) applySettlement(ctx context.Context, s *settlement) (refused bool) {
	out, err := r.call(ctx, opApply, s.in)
	if err == nil {
		err = abi.Decode(out, &s.fx)
	}
	if err == nil && s.fx.Code != abi.OK {
		err = &abi.Error{Code: s.fx.Code, Message: s.fx.Message}
	}
	s.done = true
	if abi.CodeOf(err) == abi.InvalidArgument {
		r.log.Error("the core refused an outcome; settling the attempt as a connection error with no usage",
			"attempt", s.attempt, "key", s.key, "err", err)
		return true
	}
	if err != nil {
		// Logged here, whoever applies it: the call's result does not
		// depend on it, and nobody may ask.
		r.log.Error("report outcome", "key", s.key, "err", err)
	}
	return false
}

// refusedOutcome is the outcome an attempt is settled with when the core
// refused the one reported: a failure with no usage, which it always
// takes. Left open, the attempt would hold its budget reservation and its
// key's in-flight slot until the core's attempt TTL, and be charged
// nothing.
var refusedOutcome = abi.Outcome{Result: abi.ConnectionError}

// closeRefusedLocked settles the attempt of s, whose outcome the core
// refused, with [refusedOutcome], applied and journaled as any input; s's
// effects become its.
func (r *Router) closeRefusedLocked(ctx context.Context, s *settlement) {
	o := refusedOutcome
	o.Attempt = s.attempt
	// A fresh buffer, not r.buf: a mutate applying the queue before its own
	// input holds that one.
	in, err := abi.Encode(&abi.Event{V: abi.Version, Now: abi.UnixNano(r.now().UnixNano()), Outcome: &o})
	var out []byte
	if err == nil {
		out, err = r.call(ctx, opApply, in)
	}
	if err == nil {
		s.fx = abi.Effects{}
		err = abi.Decode(out, &s.fx)
	}
	if err == nil && s.fx.Code != abi.OK {
		err = &abi.Error{Code: s.fx.Code, Message: s.fx.Message}
	}
	if err == nil && r.persist != nil {
		err = r.persist.record(ctx, opApply, in)
	}
	if err != nil {
		r.log.Error("report outcome", "attempt", s.attempt, "key", s.key, "err", err)
	}
}

// sanitize corrects, in place, what in an adapter's outcome for d's
// attempt the core would refuse, so that the attempt closes and is
// charged: token counts are clamped into 0..maxTokens (the clamped usage
// is what is charged) with the cached ones at most the input, an unknown
// result becomes a connection error, a status outside 100..599 becomes 0
// (none), a negative latency or retry-after 0, and rate-limit fields below
// -1 become -1 (absent). It logs a warning naming the key and what it
// corrected. An adapter is third-party code: what it reports is not
// trusted.
func (r *Router) sanitize(d *abi.Decision, o *abi.Outcome) {
	var wrong []string
	note := func(what string, v int64) { wrong = append(wrong, what+" "+strconv.FormatInt(v, 10)) }
	tokens := func(what string, n *abi.Tokens) {
		if *n < 0 || *n > maxTokens {
			note(what, int64(*n))
			*n = min(max(*n, 0), maxTokens)
		}
	}
	u := &o.Usage
	tokens("input_tokens", &u.InputTokens)
	tokens("output_tokens", &u.OutputTokens)
	tokens("cached_input_tokens", &u.CachedInputTokens)
	if u.CachedInputTokens > u.InputTokens {
		note("cached_input_tokens above input", int64(u.CachedInputTokens))
		u.CachedInputTokens = u.InputTokens
	}
	if o.Result > abi.Cancelled {
		note("result", int64(o.Result))
		o.Result = abi.ConnectionError
	}
	if o.Status != 0 && (o.Status < 100 || o.Status > 599) {
		note("status", o.Status)
		o.Status = 0
	}
	if o.LatencyMicros < 0 {
		note("latency_us", o.LatencyMicros)
		o.LatencyMicros = 0
	}
	if o.RetryAfter < 0 {
		note("retry_after", int64(o.RetryAfter))
		o.RetryAfter = 0
	}
	if rl := o.RateLimit; rl != nil && min(rl.LimitRequests, rl.RemainingRequests, int64(rl.ResetRequests),
		rl.LimitTokens, rl.RemainingTokens, int64(rl.ResetTokens)) < -1 {
		fixed := *rl // the adapter's own, not to be written
		for _, f := range [...]struct {
			what string
			v    *int64
		}{{"limit_requests", &fixed.LimitRequests}, {"remaining_requests", &fixed.RemainingRequests},
			{"reset_requests", (*int64)(&fixed.ResetRequests)}, {"limit_tokens", &fixed.LimitTokens},
			{"remaining_tokens", &fixed.RemainingTokens}, {"reset_tokens", (*int64)(&fixed.ResetTokens)}} {
			if *f.v < -1 {
				note(f.what, *f.v)
				*f.v = -1
			}
		}
		o.RateLimit = &fixed
	}
	if wrong != nil {
		r.log.Warn("adapter reported an outcome the core would refuse; corrected",
			"key", d.Key, "provider", d.Provider, "attempt", d.Attempt, "wrong", strings.Join(wrong, ", "))
	}
}

// settled applies s, and whatever was queued before it, unless done, and
// returns what the core made of it.
func (r *Router) settled(ctx context.Context, s *settlement) abi.Effects {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !s.done {
		r.applyPendingLocked(ctx)
	}
	return s.fx
}
