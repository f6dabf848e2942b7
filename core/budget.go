package core

import (
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// rollingBuckets is how many slots a rolling budget's window is cut into.
const rollingBuckets = 60

// budget is a registered budget and its spend in the current period.
type budget struct {
	// The fields routing reads come first; limit and hard copy cfg's.

	// start is when the current calendar period began; for a rolling budget,
	// when its newest bucket began. end is when that period or bucket ends
	// (zero if start is not aligned to one): until then the spend holds
	// as it is, which spares routing the calendar arithmetic.
	start, end abi.UnixNano
	spent      int64
	reserved   int64
	limit      int64
	hard       bool
	removed    bool
	// owner is the key a key-scope budget was last attached to: its
	// roomFloor must be forgotten when the budget's room shrinks.
	owner *key
	// buckets hold a rolling budget's spend, oldest first.
	buckets []int64
	cfg     abi.Budget
}

func newBudget(cfg abi.Budget) *budget {
	b := &budget{}
	b.configure(cfg)
	if cfg.Period == abi.Rolling {
		b.buckets = make([]int64, rollingBuckets)
	}
	return b
}

// configure sets the budget's configuration and the copies routing reads.
func (b *budget) configure(cfg abi.Budget) {
	b.cfg, b.limit, b.hard = cfg, int64(cfg.Limit), cfg.Enforcement == abi.Hard
}

func (b *budget) bucketLen() int64 { return int64(b.cfg.Window) / rollingBuckets }

// roll brings the budget to the period (or bucket) that contains now.
func (b *budget) roll(now abi.UnixNano) {
	if b.cfg.Period == abi.Rolling {
		bl := b.bucketLen()
		start := int64(now) - int64(now)%bl
		n := (start - int64(b.start)) / bl
		if n <= 0 {
			return
		}
		if n >= rollingBuckets {
			clear(b.buckets)
		} else {
			copy(b.buckets, b.buckets[n:])
			clear(b.buckets[rollingBuckets-n:])
		}
		b.setStart(abi.UnixNano(start))
		b.spent = 0
		for _, v := range b.buckets {
			b.spent += v
		}
		return
	}
	if start := periodStart(b.cfg.Period, now); start != b.start {
		b.setStart(start)
		b.spent = 0
	}
}

// setStart sets the start of the current period or newest bucket, and its
// end when start is aligned to one.
func (b *budget) setStart(start abi.UnixNano) {
	b.start, b.end = start, 0
	if b.cfg.Period == abi.Rolling {
		if bl := b.bucketLen(); int64(start)%bl == 0 {
			b.end = start + abi.UnixNano(bl)
		}
	} else if periodStart(b.cfg.Period, start) == start {
		b.end = periodEnd(b.cfg.Period, start)
	}
}

// spentAt returns the spend counted at now, without moving the budget: zero
// in a new calendar period, only the buckets still inside a rolling window.
// shift is how many rolling buckets have passed since the newest one.
func (b *budget) spentAt(now abi.UnixNano) (spent int64, shift int64) {
	if now >= b.start && now < b.end {
		return b.spent, 0
	}
	if b.cfg.Period != abi.Rolling {
		if periodStart(b.cfg.Period, now) != b.start {
			return 0, 0
		}
		return b.spent, 0
	}
	bl := b.bucketLen()
	shift = (int64(now) - int64(now)%bl - int64(b.start)) / bl
	if shift <= 0 {
		return b.spent, 0
	}
	for _, v := range b.buckets[min(shift, rollingBuckets):] {
		spent += v
	}
	return spent, shift
}

// room returns how much more may be reserved at now.
func (b *budget) room(now abi.UnixNano) int64 {
	if now >= b.start && now < b.end { // spentAt's fast path, inlined
		return b.limit - b.spent - b.reserved
	}
	spent, _ := b.spentAt(now)
	return b.limit - spent - b.reserved
}

// fitsAt returns the earliest time at which need could fit the budget:
// the end of its calendar period, or when enough of a rolling window's spend
// has aged out (counting open reservations as they are). When only open
// reservations stand in the way, it is when the last spend ages out, or
// the end of the current bucket if none is counted: a hint, as settling
// them is what frees room. Zero means never: need exceeds the whole limit.
func (b *budget) fitsAt(now abi.UnixNano, need int64) abi.UnixNano {
	if need > b.limit {
		return 0
	}
	if b.cfg.Period != abi.Rolling {
		return periodEnd(b.cfg.Period, periodStart(b.cfg.Period, now))
	}
	spent, shift := b.spentAt(now)
	bl := b.bucketLen()
	newest := int64(b.start) + shift*bl // start of the bucket holding now
	last := shift                       // the newest bucket holding spend, else now's
	for i := shift; i < rollingBuckets; i++ {
		if b.buckets[i] == 0 {
			continue
		}
		last = i
		spent -= b.buckets[i]
		if b.limit-spent-b.reserved >= need {
			break
		}
	}
	// bucket i leaves the window when the window's newest bucket is i+1
	// buckets past it
	return abi.UnixNano(newest + (last+1-shift)*bl)
}

// charge adds settled spend at now.
func (b *budget) charge(now abi.UnixNano, amount int64) {
	b.roll(now)
	b.spent = addSat(b.spent, amount)
	if b.buckets != nil {
		b.buckets[rollingBuckets-1] = addSat(b.buckets[rollingBuckets-1], amount)
	}
}

// release gives back a reservation.
func (b *budget) release(amount int64) {
	b.reserved = max(b.reserved-amount, 0)
}

// periodStart returns the start of the calendar period containing t (UTC).
func periodStart(p abi.Period, t abi.UnixNano) abi.UnixNano {
	const day = int64(24 * abi.Hour)
	n := int64(t)
	switch p {
	case abi.Hourly:
		return abi.UnixNano(n - n%int64(abi.Hour))
	case abi.Daily:
		return abi.UnixNano(n - n%day)
	case abi.Weekly:
		// 1970-01-01 was a Thursday; weeks start on Monday.
		days := n / day
		return abi.UnixNano((days - (days+3)%7) * day)
	default: // Monthly
		u := time.Unix(0, n).UTC()
		return abi.UnixNano(time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC).UnixNano())
	}
}

// periodEnd returns the end of the calendar period that starts at start.
func periodEnd(p abi.Period, start abi.UnixNano) abi.UnixNano {
	switch p {
	case abi.Hourly:
		return start + abi.UnixNano(abi.Hour)
	case abi.Daily:
		return start + abi.UnixNano(24*abi.Hour)
	case abi.Weekly:
		return start + abi.UnixNano(7*24*abi.Hour)
	default: // Monthly
		return abi.UnixNano(time.Unix(0, int64(start)).UTC().AddDate(0, 1, 0).UnixNano())
	}
}
