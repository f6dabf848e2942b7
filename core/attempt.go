package core

import "github.com/apikeyrouter/apikeyrouter/abi"

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
}

type reservation struct {
	b      *budget
	amount int64
}

// attempts holds the open attempts by id, and their ids in the order they
// were opened (so also by start time) for expiry. Closed attempts are
// recycled, so steady-state routing does not allocate.
type attempts struct {
	byID  map[uint64]*attempt
	queue []uint64
	head  int
	free  []*attempt
}

func newAttempts() attempts { return attempts{byID: map[uint64]*attempt{}} }

func (as *attempts) open(id uint64) *attempt {
	var a *attempt
	if n := len(as.free); n > 0 {
		a, as.free = as.free[n-1], as.free[:n-1]
	} else {
		a = &attempt{}
	}
	*a = attempt{id: id, res: a.res[:0]}
	as.byID[id] = a
	if as.head > 0 && as.head >= len(as.queue)/2 {
		n := copy(as.queue, as.queue[as.head:])
		as.queue, as.head = as.queue[:n], 0
	}
	as.queue = append(as.queue, id)
	return a
}

// close forgets an attempt; the queue entry is skipped when reached.
func (as *attempts) close(a *attempt) {
	delete(as.byID, a.id)
	res := a.res[:0]
	clear(a.res[:cap(a.res)])
	*a = attempt{res: res}
	as.free = append(as.free, a)
}

// oldest returns the oldest open attempt, or nil.
func (as *attempts) oldest() *attempt {
	for as.head < len(as.queue) {
		if a, ok := as.byID[as.queue[as.head]]; ok {
			return a
		}
		as.head++
	}
	return nil
}

// openAttempt records a new attempt on key k's pool p.
func (m *Machine) openAttempt(now abi.UnixNano, c *candidate, cl *client) *attempt {
	a := m.attempts.open(m.nextAttempt)
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
