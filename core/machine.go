package core

import (
	"math/rand/v2"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Machine is the routing core: providers, models, keys, budgets and clients,
// their state machines, and the decisions made over them.
//
// A Machine is not safe for concurrent use: the host serialises calls, as it
// does for raft's RawNode. It performs no I/O and reads no clock; every input
// carries its time, and randomness comes from a PCG seeded by [abi.Config]
// whose state is part of the snapshot. The same inputs therefore give the
// same outputs, byte for byte, natively and in WebAssembly.
type Machine struct {
	cfg         config
	rng         rand.PCG
	clock       abi.UnixNano
	nextAttempt uint64

	providers    []*provider // sorted by id
	providerByID map[abi.ProviderID]*provider
	keys         []*key // sorted by id
	keyByID      map[abi.KeyID]*key
	modelsByName map[string][]*model // sorted by provider id
	// lastModel caches the last lookup in modelsByName: most requests ask
	// for the model the one before did. Any change to the index clears it.
	lastModel struct {
		name string
		list []*model
	}
	poolIDs    map[string]int32
	budgets    []*budget // sorted by id
	budgetByID map[abi.BudgetID]*budget
	// budgetsByTarget indexes budgets by scope and target; globalBudgets
	// are those of the global scope.
	budgetsByTarget map[scopeTarget][]*budget
	globalBudgets   []*budget
	clients         []*client // sorted by id
	clientByID      map[abi.ClientID]*client

	attempts attempts

	// gen numbers route calls, to mark keys a request excludes.
	gen uint32
	// models counts the models ever registered: the last one's serial.
	models uint32
	// scratch is reused by every route call, wire by the *Msg calls.
	scratch routing
	wire    wireScratch
}

type scopeTarget struct {
	scope  abi.Scope
	target string
}

// New returns an empty Machine with the given configuration.
func New(cfg abi.Config) (*Machine, error) {
	c, err := newConfig(cfg)
	if err != nil {
		return nil, err
	}
	m := &Machine{
		cfg:             c,
		nextAttempt:     1,
		providerByID:    map[abi.ProviderID]*provider{},
		keyByID:         map[abi.KeyID]*key{},
		modelsByName:    map[string][]*model{},
		poolIDs:         map[string]int32{},
		budgetByID:      map[abi.BudgetID]*budget{},
		budgetsByTarget: map[scopeTarget][]*budget{},
		clientByID:      map[abi.ClientID]*client{},
	}
	m.rng.Seed(cfg.Seed1, cfg.Seed2)
	return m, nil
}

// advance returns the time of an input: its Now, or the core's clock if Now
// is earlier, so that a wall clock stepping back cannot undo a deadline.
// Unless dry, the clock moves forward and overdue attempts are released.
func (m *Machine) advance(now abi.UnixNano, dry bool) abi.UnixNano {
	if now < m.clock {
		return m.clock
	}
	if !dry {
		m.clock = now
		m.expireAttempts(now)
	}
	return now
}

// Release is the core's version.
const Release = "0.1.0"
