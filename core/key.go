package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// key is a registered key and its key-wide state.
type key struct {
	cfg     abi.Key
	prov    *provider
	state   abi.State
	trigger abi.Trigger
	since   abi.UnixNano
	// inFlight counts open attempts.
	inFlight int64
	// current is the smooth weighted round-robin counter.
	current int64
	minute  window
	day     window
	// pools are the per-model (or quota group) states, sorted by id.
	pools []*pool
	// budgets are the key-scope budgets.
	budgets []*budget
	// mark is the route generation that excluded the key by request.
	mark    uint64
	removed bool
}

// weight returns the key's fairness weight (at least 1).
func (k *key) weight() int64 { return max(k.cfg.Weight, 1) }

// pool returns the key's pool id, or nil when it has none yet.
func (k *key) pool(id int32) *pool {
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
	p := &pool{id: id, name: name, success: ppmOne}
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
	id      int32
	name    string
	state   abi.State
	trigger abi.Trigger
	until   abi.UnixNano
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
	latency  int64
	minute   window
	day      window
	observed abi.Observed
}

// effective returns the pool's state at now: a cooldown or exhaustion whose
// deadline has passed reads as probing.
func (p *pool) effective(now abi.UnixNano) abi.State {
	if (p.state == abi.CoolingDown || p.state == abi.Exhausted) && now >= p.until {
		return abi.Probing
	}
	return p.state
}
