package core

import (
	"math/bits"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Slot lengths of the two sliding windows.
const (
	minuteSlot = int64(abi.Minute)
	daySlot    = int64(24 * abi.Hour)
)

// position is an instant placed in the slots of one length. A call
// computes it once (see [at]) and every key's windows read it: the 64-bit
// division it takes is the costliest instruction of a route.
type position struct {
	now, start, slot int64
}

// at places now in slots of the given length.
func at(now abi.UnixNano, slot int64) position {
	t := int64(now)
	return position{now: t, start: t - t%slot, slot: slot}
}

// left is how much of the current slot is still to come.
func (p position) left() int64 { return p.slot - (p.now - p.start) }

// window counts requests and tokens in a sliding window one slot long,
// approximated from the current and the previous fixed slot: the previous
// slot counts in proportion to how much of it is still inside the window.
// Reads are pure; only add moves the slots.
type window abi.Window

// slots returns the window's (current, previous) slot counts as they are at
// p, without moving it. (The reads below inline it: copying the counts
// costs more than the rest of a key's quota check.)
func (w *window) slots(p position) (cur, prev abi.Window) {
	switch int64(w.Start) {
	case p.start:
		return abi.Window{Requests: w.Requests, Input: w.Input, Output: w.Output},
			abi.Window{Requests: w.PrevReq, Input: w.PrevInput, Output: w.PrevOutput}
	case p.start - p.slot:
		return abi.Window{}, abi.Window{Requests: w.Requests, Input: w.Input, Output: w.Output}
	}
	return abi.Window{}, abi.Window{}
}

// add counts requests and tokens in the current slot at p.
func (w *window) add(p position, requests int64, in, out abi.Tokens) {
	if int64(w.Start) != p.start {
		cur, prev := w.slots(p)
		*w = window{Start: abi.UnixNano(p.start),
			Requests: cur.Requests, Input: cur.Input, Output: cur.Output,
			PrevReq: prev.Requests, PrevInput: prev.Input, PrevOutput: prev.Output}
	}
	w.Requests += requests
	w.Input += in
	w.Output += out
}

// usage is a sliding count and what is needed to tell when it frees up.
type usage struct {
	count, cur, prev int64
}

// requests returns the sliding request count at p.
func (w *window) requests(p position) usage {
	switch int64(w.Start) {
	case p.start:
		return slide(w.Requests, w.PrevReq, p)
	case p.start - p.slot:
		return slide(0, w.Requests, p)
	}
	return usage{}
}

// tokens returns the sliding count of input plus output tokens at p.
func (w *window) tokens(p position) usage {
	switch int64(w.Start) {
	case p.start:
		return slide(int64(w.Input+w.Output), int64(w.PrevInput+w.PrevOutput), p)
	case p.start - p.slot:
		return slide(0, int64(w.Input+w.Output), p)
	}
	return usage{}
}

// slide weighs the previous slot by the part of it still in the window,
// rounding up, so that a limit is never exceeded by rounding.
func slide(cur, prev int64, p position) usage {
	return usage{count: cur + p.share(prev), cur: cur, prev: prev}
}

// share is mulDivUp(prev, p.left(), p.slot): the part of the previous
// slot's count still inside the window. The slot is one of two constants,
// and a division by a constant compiles to a multiplication.
func (p position) share(prev int64) int64 {
	if prev <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(prev), uint64(p.left()))
	if hi == 0 && lo < 1<<63 {
		switch p.slot {
		case minuteSlot:
			return int64((lo + uint64(minuteSlot) - 1) / uint64(minuteSlot))
		case daySlot:
			return int64((lo + uint64(daySlot) - 1) / uint64(daySlot))
		}
	}
	return mulDivUp(prev, p.left(), p.slot)
}

// freeAt returns when a sliding count falls to at most limit-need, so that
// need more fits: as the previous slot drains, or once the current slot has
// become the previous one and drained enough.
func (u usage) freeAt(p position, limit, need int64) abi.UnixNano {
	allowed := limit - need // the count must fall to this
	if allowed < 0 {
		return 0
	}
	now, start, slot := p.now, p.start, p.slot
	if u.cur <= allowed && u.prev > 0 {
		// cur + ceil(prev*(slot-e)/slot) <= allowed  <=>  e >= slot - floor((allowed-cur)*slot/prev)
		e := slot - mulDiv(allowed-u.cur, slot, u.prev)
		return abi.UnixNano(start + max(e, now-start))
	}
	if u.cur <= allowed {
		return abi.UnixNano(now)
	}
	e := slot - mulDiv(allowed, slot, u.cur)
	return abi.UnixNano(start + slot + min(e, slot))
}
