package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// key is a registered key and its key-wide state. The fields routing reads
// for every key come first and fill 64 bytes, one cache line when the
// allocation is aligned to one.
type key struct {
	// mark is the route generation that excluded the key by request.
	mark uint32
	// first is pools[0] and firstID its id, kept here because most keys
	// serve one pool.
	firstID int32
	state   abi.State
	// restricted is set when the key serves only some models, or carries
	// tags, or declares limits: the slower checks are needed. budgeted is
	// set when budgets is not empty.
	restricted, budgeted bool
	tier                 int32 // cfg.Tier
	first                *pool
	// current is the smooth weighted round-robin counter; weight is the
	// key's share (at least 1).
	current, weight int64
	// home holds the key's first pool, so that most keys' only pool lies
	// beside the fields above instead of elsewhere in memory (its state
	// and observed.At, which routing reads, end the first 64 bytes); its
	// id is -1 while it is unused.
	home pool

	inFlight int64
	// lastUsed is when a decision last chose the key.
	lastUsed abi.UnixNano

	// budgets are the key-scope budgets.
	budgets []*budget
	// pools are the per-model (or quota group) states, sorted by id.
	pools []*pool

	cfg     abi.Key
	prov    *provider
	trigger abi.Trigger
	since   abi.UnixNano
	minute  window
	day     window
	removed bool
}

// newKey returns a key of provider prov, with no pool yet.
func newKey(cfg abi.Key, prov *provider) *key {
	k := &key{prov: prov, home: pool{id: -1}}
	k.configure(cfg)
	return k
}

// configure sets the key's configuration and what is derived from it.
func (k *key) configure(cfg abi.Key) {
	k.cfg = cfg
	k.weight, k.tier = max(cfg.Weight, 1), int32(cfg.Tier) // validated: 0..maxTier
	k.restricted = len(cfg.Models) > 0 || len(cfg.Tags) > 0 || cfg.Limits != (abi.Limits{}) || cfg.Discount > 0
}

// setBudgets sets the key-scope budgets.
func (k *key) setBudgets(bs []*budget) { k.budgets, k.budgeted = bs, len(bs) > 0 }

// discount is the key's discount in basis points; only a restricted key
// has one, which spares the others a read of their configuration.
func (k *key) discount() int64 {
	if !k.restricted {
		return 0
	}
	return k.cfg.Discount
}

// pool returns the key's pool id, or nil when it has none yet.
func (k *key) pool(id int32) *pool {
	if k.first != nil && k.firstID == id {
		return k.first
	}
	for _, p := range k.pools {
		if p.id == id {
			return p
		}
	}
	return nil
}

// ensurePool returns the key's pool id, creating it.
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
	k.first, k.firstID = k.pools[0], k.pools[0].id
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
	// state and observed.At are read for every candidate: they come first.
	id      int32
	state   abi.State
	trigger abi.Trigger
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

// effective returns the pool's state at now: a cooldown or exhaustion whose
// deadline has passed reads as probing.
func (p *pool) effective(now abi.UnixNano) abi.State {
	if (p.state == abi.CoolingDown || p.state == abi.Exhausted) && now >= p.until {
		return abi.Probing
	}
	return p.state
}
