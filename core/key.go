package core

import (
	"math"
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// key is a registered key and its key-wide state. The fields routing reads
// for every key come first and take 56 bytes: an object of this size (with
// pointers) follows an 8-byte allocation header at the start of a cache
// line, so they share one, and keys scanned in turn lie an odd number of
// lines apart, which spreads them over the cache's sets (TestKeyLayout
// checks both).
type key struct {
	// mark is the route generation that excluded the key by request.
	mark  uint32
	tier  int32 // cfg.Tier
	state abi.State
	// filtered is set when the key serves only some models or carries
	// tags, limited when it declares limits, budgeted when budgets is not
	// empty, hardBudgets when one of them is hard: each calls for a check
	// the other keys are spared.
	filtered, limited, budgeted, hardBudgets bool
	// discount is cfg.Discount, in basis points.
	discount uint16
	// current is the smooth weighted round-robin counter; weight is the
	// key's share (at least 1).
	current, weight int64
	// roomFloor is at most the least room left in the key's hard budgets
	// (MaxInt64 with none), or noFloor when unknown. Room only grows as
	// time passes, so it holds until a reservation, a charge or a limit
	// changes, which forget it.
	roomFloor int64
	// home holds the key's first pool, so that most keys' only pool lies
	// beside the fields above instead of elsewhere in memory (the pool's
	// fields routing reads end the 56 bytes); its id is -1 while it is
	// unused.
	home pool

	prov *provider
	// budgets are the key-scope budgets.
	budgets []*budget
	// pools are the per-model (or quota group) states, sorted by id.
	pools []*pool

	inFlight int64
	// lastUsed is when a decision last chose the key.
	lastUsed abi.UnixNano

	cfg     abi.Key
	trigger abi.Trigger
	since   abi.UnixNano
	minute  window
	day     window
	removed bool
}

// newKey returns a key of provider prov, with no pool yet.
func newKey(cfg abi.Key, prov *provider) *key {
	k := &key{prov: prov, home: pool{id: -1}, roomFloor: noFloor}
	k.configure(cfg)
	return k
}

// configure sets the key's configuration and what is derived from it.
func (k *key) configure(cfg abi.Key) {
	k.cfg = cfg
	k.weight, k.tier = max(cfg.Weight, 1), int32(cfg.Tier) // validated: 0..maxTier
	k.filtered = len(cfg.Models) > 0 || len(cfg.Tags) > 0
	k.limited = cfg.Limits != (abi.Limits{})
	k.discount = uint16(cfg.Discount) // validated: 0..10000
	k.forgetCalm()
}

// noFloor marks a key's roomFloor as unknown.
const noFloor = math.MinInt64

// setBudgets sets the key-scope budgets, or refreshes what is derived from
// them after one changed.
func (k *key) setBudgets(bs []*budget) {
	k.budgets, k.budgeted, k.hardBudgets = bs, len(bs) > 0, hasHard(bs)
	k.roomFloor = noFloor
	for _, b := range bs {
		b.owner = k
	}
}

// forgetCalm forgets the quota verdicts of the key's pools: its usage or
// limits changed.
func (k *key) forgetCalm() {
	for _, p := range k.pools {
		p.calmFor = 0
	}
}

// pool returns the key's pool id, or nil when it has none yet.
func (k *key) pool(id int32) *pool {
	if k.home.id == id {
		return &k.home
	}
	if len(k.pools) > 1 { // else the only pool is home
		for _, p := range k.pools {
			if p.id == id {
				return p
			}
		}
	}
	return nil
}

// ensurePool returns the key's pool id, creating it: the first in home.
func (k *key) ensurePool(id int32, name string) *pool {
	if p := k.pool(id); p != nil {
		return p
	}
	p := &k.home
	if p.id >= 0 {
		p = &pool{}
	}
	*p = pool{id: id, name: name, success: ppmOne}
	i, _ := slices.BinarySearchFunc(k.pools, id, func(p *pool, id int32) int { return int(p.id - id) })
	k.pools = slices.Insert(k.pools, i, p)
	return p
}

// servesModel reports whether the key may serve a model name.
func (k *key) servesModel(name string) bool {
	if len(k.cfg.Models) == 0 {
		return true
	}
	_, ok := slices.BinarySearch(k.cfg.Models, name)
	return ok
}

// hasTags reports whether the key carries every tag (both lists sorted).
func (k *key) hasTags(tags []string) bool {
	i := 0
	for _, t := range tags {
		for i < len(k.cfg.Tags) && k.cfg.Tags[i] < t {
			i++
		}
		if i == len(k.cfg.Tags) || k.cfg.Tags[i] != t {
			return false
		}
	}
	return true
}

// pool is a key's state for one model or quota group.
type pool struct {
	// The fields routing reads for every candidate come first.
	id      int32
	state   abi.State
	trigger abi.Trigger
	// reported is set once the provider has sent a rate-limit report.
	reported bool
	// calm remembers a quota check that found the pool neither blocked nor
	// critical for the model of serial calmFor (0: none): a request of
	// fewer than calm input tokens gets the same verdict. Usage only
	// drains as time passes, so the verdict holds until usage or limits
	// change, which forget it (see [key.forgetCalm]).
	calm    int32
	calmFor uint32
	// observed is the provider's last rate-limit report.
	observed abi.Observed
	name     string
	until    abi.UnixNano
	// ladder counts consecutive cooldowns: the next ladder step.
	ladder     int64
	failStreak int64
	// probe is set while the half-open probe is in flight.
	probe    bool
	inFlight int64
	// success is the success-rate EWMA in PPM; samples counts outcomes.
	success        int64
	successSamples int64
	// latency is the latency EWMA in microseconds; 0 means no sample.
	latency int64
	minute  window
	day     window
}

// remembersCalm reports whether the pool (nil: none yet) remembers a calm
// verdict for the model of that serial that covers a request of in input
// tokens: it then stands in for the quota check.
func (p *pool) remembersCalm(serial uint32, in int64) bool {
	return p != nil && p.calmFor == serial && int64(p.calm) > in
}

// effective returns the pool's state at now: a cooldown or exhaustion whose
// deadline has passed reads as probing.
func (p *pool) effective(now abi.UnixNano) abi.State {
	if (p.state == abi.CoolingDown || p.state == abi.Exhausted) && now >= p.until {
		return abi.Probing
	}
	return p.state
}
