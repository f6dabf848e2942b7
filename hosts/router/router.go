package router

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// Router pools API keys and routes requests to the best one, in process:
// the routing core runs natively behind a mutex, with the host's clock.
// It is safe for concurrent use.
type Router struct {
	mu      sync.Mutex
	core    *core.Machine
	now     func() time.Time
	secrets map[abi.KeyID]string
	fx      abi.Effects
}

// Options configure a [Router].
type Options struct {
	// Config tunes the core (cooldown ladder, default objective …); zero
	// fields take the core's defaults. With no seed set, the tie-breaking
	// random source is seeded from crypto/rand.
	Config abi.Config
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New returns a Router with no providers, models or keys.
func New(opts Options) (*Router, error) {
	cfg := opts.Config
	if cfg.Seed1 == 0 && cfg.Seed2 == 0 {
		var b [16]byte
		if _, err := crand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("router: seed: %w", err)
		}
		cfg.Seed1, cfg.Seed2 = binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
	}
	m, err := core.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Router{core: m, now: now, secrets: map[abi.KeyID]string{}}, nil
}

// apply feeds one event to the core under the lock.
func (r *Router) apply(ev abi.Event) (abi.Effects, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applyLocked(ev)
}

func (r *Router) applyLocked(ev abi.Event) (abi.Effects, error) {
	ev.V, ev.Now = abi.Version, abi.UnixNano(r.now().UnixNano())
	r.core.Apply(&ev, &r.fx)
	fx := r.fx
	fx.Transitions = append([]abi.Transition(nil), r.fx.Transitions...)
	if fx.Code != abi.OK {
		return fx, &abi.Error{Code: fx.Code, Message: fx.Message}
	}
	return fx, nil
}

// RegisterProvider adds a provider; registering it again changes nothing.
func (r *Router) RegisterProvider(id abi.ProviderID) error {
	_, err := r.apply(abi.Event{Provider: &abi.Provider{ID: id}})
	return err
}

// RegisterModel adds or replaces a model of a registered provider.
func (r *Router) RegisterModel(m abi.Model) error {
	_, err := r.apply(abi.Event{Model: &m})
	return err
}

// RegisterKey adds or replaces a key and its secret. The secret stays in
// the Router: the core only ever sees the key's id.
func (r *Router) RegisterKey(k abi.Key, secret string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.applyLocked(abi.Event{Key: &k}); err != nil {
		return err
	}
	r.secrets[k.ID] = secret
	return nil
}

// SetBudget adds or replaces a budget.
func (r *Router) SetBudget(b abi.Budget) error {
	_, err := r.apply(abi.Event{Budget: &b})
	return err
}

// SetClient adds or replaces a virtual client key's scope.
func (r *Router) SetClient(c abi.Client) error {
	_, err := r.apply(abi.Event{Client: &c})
	return err
}

// Command runs an operator command: disable, enable, revoke, rotate or
// remove a key, or remove another object.
func (r *Router) Command(c abi.Command) (abi.Effects, error) {
	return r.apply(abi.Event{Command: &c})
}

// Secret returns the secret of a registered key.
func (r *Router) Secret(id abi.KeyID) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.secrets[id]
	return s, ok
}

// Snapshot returns the core's whole state (no secrets).
func (r *Router) Snapshot() *abi.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.core.Apply(&abi.Event{V: abi.Version, Now: abi.UnixNano(r.now().UnixNano())}, &r.fx) // bring the clock forward
	return r.core.Snapshot()
}
