package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// attempt is a routed request awaiting its outcome. It holds a slot in its
// key's and pool's in-flight counts and a reservation on every budget that
// applied.
type attempt struct {
	id     uint64
	key    *key
	pool   *pool
	model  *model
	client *client
	start  abi.UnixNano
	probe  bool
	// price and discount are fixed when the attempt is routed.
	price    abi.Price
	discount int64
	res      []reservation
	// estimate is the usage it was routed on (abi.AttemptState.Estimate).
	estimate abi.Usage
}

type reservation struct {
	b      *budget
	amount int64
}

// attempts holds the open attempts in the order they were opened, which is
// by id and by start time (for expiry). A closed attempt leaves a hole that
// is dropped once it reaches the head. Ids are handed out in sequence, so
// an id is found by its distance from the head, without a map; only after a
// restore, whose ids may have gaps, does a lookup fall back to a binary
// search. Closed attempts are recycled: steady-state routing does not
// allocate.
type attempts struct {
	queue []slot
	head  int
	free  []*attempt
}

// slot is an attempt's place in the queue; a is nil once it is closed.
type slot struct {
	id uint64
	a  *attempt
}

func slotOrder(s slot, id uint64) int {
	switch {
	case s.id < id:
		return -1
	case s.id > id:
		return 1
	}
	return 0
}

// add opens attempt id, which is above every id opened before.
func (as *attempts) add(id uint64) *attempt {
	var a *attempt
	if n := len(as.free); n > 0 {
		a, as.free = as.free[n-1], as.free[:n-1]
	} else {
		a = &attempt{}
	}
	*a = attempt{id: id, res: a.res[:0]}
	if as.head > 0 && as.head >= len(as.queue)/2 {
		n := copy(as.queue, as.queue[as.head:])
		as.queue, as.head = as.queue[:n], 0
	}
	as.queue = append(as.queue, slot{id, a})
	return a
}

// find returns the open attempt id, or nil.
func (as *attempts) find(id uint64) *attempt {
	if i, ok := as.locate(id); ok {
		return as.queue[i].a
	}
	return nil
}

// locate returns the index of attempt id's slot in the queue.
func (as *attempts) locate(id uint64) (int, bool) {
	live := as.queue[as.head:]
	if len(live) == 0 || id < live[0].id {
		return 0, false
	}
	if i := id - live[0].id; i < uint64(len(live)) && live[i].id == id {
		return as.head + int(i), true
	}
	i, ok := slices.BinarySearchFunc(live, id, slotOrder)
	return as.head + i, ok
}

// close forgets open attempt a and recycles it.
func (as *attempts) close(a *attempt) {
	i, _ := as.locate(a.id)
	as.queue[i].a = nil
	for as.head < len(as.queue) && as.queue[as.head].a == nil {
		as.head++
	}
	if as.head == len(as.queue) { // none open: start over
		as.queue, as.head = as.queue[:0], 0
	}
	res := a.res[:0]
	clear(a.res[:cap(a.res)])
	*a = attempt{res: res}
	as.free = append(as.free, a)
}

// oldest returns the oldest open attempt, or nil.
func (as *attempts) oldest() *attempt {
	if as.head < len(as.queue) {
		return as.queue[as.head].a
	}
	return nil
}

// each calls f for every open attempt, oldest first.
func (as *attempts) each(f func(*attempt)) {
	for _, s := range as.queue[as.head:] {
		if s.a != nil {
			f(s.a)
		}
	}
}

// openAttempt records a new attempt on key k's pool p.
func (m *Machine) openAttempt(now abi.UnixNano, c *candidate, cl *client) *attempt {
	a := m.attempts.add(m.nextAttempt)
	m.nextAttempt++
	a.key, a.pool, a.model, a.client = c.k, c.p, c.mdl, cl
	a.start, a.probe = now, c.probe
	a.price, a.discount = c.mdl.cfg.Price, c.k.cfg.Discount
	c.k.inFlight++
	c.p.inFlight++
	return a
}

// closeAttempt releases an attempt's in-flight slots and reservations,
// charging spend to the budgets that are still registered.
func (m *Machine) closeAttempt(now abi.UnixNano, a *attempt, spend abi.NanoUSD) {
	a.key.forgetCalm() // and the outcome's usage, which follows
	a.key.inFlight = max(a.key.inFlight-1, 0)
	a.pool.inFlight = max(a.pool.inFlight-1, 0)
	if a.probe {
		a.pool.probe = false
	}
	for _, r := range a.res {
		if r.b.removed {
			continue
		}
		r.b.release(r.amount)
		if spend > 0 {
			r.b.charge(now, int64(spend))
			if r.b.owner != nil {
				r.b.owner.roomFloor = noFloor
			}
		}
	}
	m.attempts.close(a)
}

// expireAttempts releases attempts older than the attempt TTL whose outcome
// never came (the host lost them), charging nothing.
func (m *Machine) expireAttempts(now abi.UnixNano) {
	for {
		a := m.attempts.oldest()
		if a == nil || now-a.start < abi.UnixNano(m.cfg.attemptTTL) {
			return
		}
		m.closeAttempt(now, a, 0)
	}
}
