package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// Slot lengths of the two sliding windows.
const (
	minuteSlot = int64(abi.Minute)
	daySlot    = int64(24 * abi.Hour)
)

// window counts requests and tokens in a sliding window one slot long,
// approximated from the current and the previous fixed slot: the previous
// slot counts in proportion to how much of it is still inside the window.
// Reads are pure; only add moves the slots.
type window abi.Window

// slots returns the window's (current, previous) slot counts as they are at
// now, without moving it.
func (w *window) slots(now, slot int64) (cur, prev abi.Window) {
	start := now - now%slot
	switch int64(w.Start) {
	case start:
		return abi.Window{Requests: w.Requests, Input: w.Input, Output: w.Output},
			abi.Window{Requests: w.PrevReq, Input: w.PrevInput, Output: w.PrevOutput}
	case start - slot:
		return abi.Window{}, abi.Window{Requests: w.Requests, Input: w.Input, Output: w.Output}
	}
	return abi.Window{}, abi.Window{}
}

// slotStart returns the start of the slot that contains now.
func slotStart(now, slot int64) int64 { return now - now%slot }

// add counts requests and tokens in the slot that starts at start, which
// is the current one (callers compute it once with slotStart).
func (w *window) add(start, slot, requests int64, in, out abi.Tokens) {
	if int64(w.Start) != start {
		cur, prev := w.slots(start, slot)
		*w = window{Start: abi.UnixNano(start),
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

// requests returns the sliding request count at now.
func (w *window) requests(now, slot int64) usage {
	cur, prev := w.slots(now, slot)
	return slide(cur.Requests, prev.Requests, now, slot)
}

// tokens returns the sliding count of input plus output tokens at now.
func (w *window) tokens(now, slot int64) usage {
	cur, prev := w.slots(now, slot)
	return slide(int64(cur.Input+cur.Output), int64(prev.Input+prev.Output), now, slot)
}

// slide weighs the previous slot by the part of it still in the window,
// rounding up, so that a limit is never exceeded by rounding.
func slide(cur, prev, now, slot int64) usage {
	left := slot - now%slot
	return usage{count: cur + mulDivUp(prev, left, slot), cur: cur, prev: prev}
}

// freeAt returns when a sliding count falls to at most limit-need, so that
// need more fits: as the previous slot drains, or once the current slot has
// become the previous one and drained enough.
func (u usage) freeAt(now, slot, limit, need int64) abi.UnixNano {
	allowed := limit - need // the count must fall to this
	if allowed < 0 {
		return 0
	}
	start := now - now%slot
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
