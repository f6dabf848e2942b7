package router

import (
	"context"

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
	in   []byte // the encoded event
	key  abi.KeyID
	done bool // applied: fx is set (under the router's lock)
	fx   abi.Effects
}

// settleLater journals an attempt's outcome and queues it for the core.
// The entry takes its place in the journal under the router's lock and is
// written after it (persistence.accept). When the journal cannot take
// it, the outcome is applied at once and a snapshot covers it, as for any
// other input.
func (r *Router) settleLater(ctx context.Context, d *abi.Decision, o abi.Outcome) *settlement {
	o.Attempt = d.Attempt
	s := &settlement{key: d.Key}
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

// applyPendingLocked applies the queued settlements, oldest first.
func (r *Router) applyPendingLocked(ctx context.Context) {
	for i, s := range r.pending {
		r.applySettlement(ctx, s)
		r.pending[i] = nil
	}
	r.pending = r.pending[:0]
}

func (r *Router) applySettlement(ctx context.Context, s *settlement) {
	out, err := r.call(ctx, opApply, s.in)
	if err == nil {
		err = abi.Decode(out, &s.fx)
	}
	if err == nil && s.fx.Code != abi.OK {
		err = &abi.Error{Code: s.fx.Code, Message: s.fx.Message}
	}
	if err != nil {
		// Logged here, whoever applies it: the call's result does not
		// depend on it, and nobody may ask.
		r.log.Error("report outcome", "key", s.key, "err", err)
	}
	s.done = true
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
