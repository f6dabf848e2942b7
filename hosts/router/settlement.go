package router

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// An answer's outcome is journaled the moment its body ends and applied
// to the core afterwards: the journal entry (one write) is what makes the
// charge survive a kill -9, so the client may have its last bytes right
// after it, while applying the outcome (a call into the core, tens of
// microseconds under WebAssembly) waits until the client has been
// answered. The core still consumes every input in the journal's order:
// each call into it first applies the settlements queued before it.
//
// Whoever wants what the core made of an outcome may wait for it
// (Answer.Settled) or leave a callback (Answer.OnSettled): when the core
// is busy, the outcome is then applied by the next call into it, or by
// the flush that follows a moment later when no call comes, and the
// callback runs on that goroutine once the router's lock is released.
// Under load this spares a handler a wait for the lock, and the core
// takes the outcomes in a batch, warm, before a route.

// settlement is an attempt's outcome, journaled and queued for the core.
type settlement struct {
	in   []byte // the encoded event
	key  abi.KeyID
	done bool // applied: fx is set (under the router's lock)
	fx   abi.Effects
	// handoff passes fx to a callback left by OnSettled: the applier
	// swaps in handedOver, the callback's owner callbackLeft; whoever
	// comes second calls it.
	handoff  atomic.Int32
	callback func(abi.Effects)
}

// handoff states of a settlement.
const (
	handedOver   = 1 // applied, fx set
	callbackLeft = 2 // callback set, waiting for fx
)

// flushDelay is how long a settlement left with a callback may wait for
// the next call into the core before the router applies it on its own.
const flushDelay = 5 * time.Millisecond

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
		r.finish(s) // nobody has its answer yet: no callback
		r.unlock()
		r.log.Error("report outcome", "key", s.key, "err", err)
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
	r.unlock()
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
	r.finish(s)
}

// finish marks s applied and, when a callback was left for it, lines the
// callback up to run once the lock is released (unlock).
func (r *Router) finish(s *settlement) {
	s.done = true
	if !s.handoff.CompareAndSwap(0, handedOver) {
		r.callbacks = append(r.callbacks, s)
	}
}

// unlock releases the router's lock, then runs the callbacks of the
// settlements applied under it: a callback may log or take locks of its
// own, and the core waits for none of that.
func (r *Router) unlock() {
	callbacks := r.callbacks
	r.callbacks = nil
	r.mu.Unlock()
	for _, s := range callbacks {
		s.callback(s.fx)
	}
}

// onSettled calls f with what the core made of s: at once when the core
// is free (or has applied s already), else from whoever applies s.
func (r *Router) onSettled(s *settlement, f func(abi.Effects)) {
	if r.mu.TryLock() {
		if !s.done {
			r.applyPendingLocked(context.Background())
		}
		fx := s.fx
		r.unlock()
		f(fx)
		return
	}
	s.callback = f
	if s.handoff.CompareAndSwap(0, callbackLeft) {
		r.flushSoon()
		return
	}
	f(s.fx) // applied meanwhile
}

// flushSoon makes sure that the queued settlements are applied within
// flushDelay, whether or not a call into the core comes.
func (r *Router) flushSoon() {
	if r.flushArmed.CompareAndSwap(false, true) {
		r.flushTimer.Reset(flushDelay)
	}
}

// flush applies the queued settlements (flushSoon's timer).
func (r *Router) flush() {
	r.flushArmed.Store(false)
	r.mu.Lock()
	r.applyPendingLocked(context.Background())
	r.unlock()
}

// settled applies s, and whatever was queued before it, unless done, and
// returns what the core made of it.
func (r *Router) settled(ctx context.Context, s *settlement) abi.Effects {
	r.mu.Lock()
	defer r.unlock()
	if !s.done {
		r.applyPendingLocked(ctx)
	}
	return s.fx
}
