package router

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Router pools API keys and routes requests to the best one: it drives a
// routing core (native or WebAssembly), keeps the keys' secrets and the
// providers' adapters, carries out calls with failover, and — given a data
// directory — persists everything so a restart loses nothing. It is safe
// for concurrent use; calls into the core are serialised.
type Router struct {
	mu sync.Mutex
	// cfg lets the request path read providers, secrets and
	// modelProviders without waiting on mu, which calls into the core
	// hold: writers of those hold mu and cfg both.
	cfg       sync.RWMutex
	engine    Engine
	now       func() time.Time
	log       *slog.Logger
	persist   *persistence // nil when in memory only
	secrets   map[abi.KeyID]*secret
	providers map[abi.ProviderID]*Provider
	// modelProviders lists the providers of each model name, sorted.
	modelProviders map[string][]abi.ProviderID
	// adapters resolve recovered providers' adapter names.
	adapters       map[string]sdk.Adapter
	records        map[string]map[string][]byte // host records, without a DataDir
	maxAttempts    int
	attemptTimeout time.Duration
	buf            []byte // reused encoding buffer, under mu
	// pending are outcomes journaled but not yet applied, oldest first
	// (see settlement).
	pending []*settlement
}

// Options configure a [Router]. The zero value is an in-memory router
// running the native core.
type Options struct {
	// Config tunes the core (cooldown ladder, default objective …); zero
	// fields take the core's defaults. On a fresh state with no seed set,
	// the tie-breaking random source is seeded from crypto/rand.
	Config abi.Config
	// Engine is the core build to run; nil means [NativeEngine].
	Engine Engine
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the router's logs (never a secret); nil discards them.
	Logger *slog.Logger
	// DataDir, when set, persists secrets (encrypted with MasterKey),
	// provider settings, core snapshots and a journal of every input since,
	// so that a restart or a kill -9 loses no key, spend or cooldown.
	DataDir string
	// MasterKey encrypts the secrets in DataDir (see LoadOrCreateMasterKey).
	MasterKey []byte
	// Sync is the journal's durability; the default survives process
	// crashes but not power loss.
	Sync SyncPolicy
	// SnapshotEvery is how many journal entries are written between
	// snapshots; zero means 20000.
	SnapshotEvery int
	// MaxAttempts bounds the keys tried for one call; zero means 3.
	MaxAttempts int
	// AttemptTimeout bounds one attempt, up to the provider's response
	// headers; zero means 120 s.
	AttemptTimeout time.Duration
	// Adapters, by name, give providers recovered from DataDir (and those
	// set with only an AdapterName) their adapter.
	Adapters map[string]sdk.Adapter
}

// New returns a Router. With a DataDir it recovers the state a previous
// run left there.
func New(opts Options) (*Router, error) {
	r := &Router{
		engine:         opts.Engine,
		now:            opts.Now,
		log:            opts.Logger,
		secrets:        map[abi.KeyID]*secret{},
		providers:      map[abi.ProviderID]*Provider{},
		modelProviders: map[string][]abi.ProviderID{},
		adapters:       opts.Adapters,
		maxAttempts:    opts.MaxAttempts,
		attemptTimeout: opts.AttemptTimeout,
	}
	if r.engine == nil {
		r.engine = NativeEngine()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = 3
	}
	if r.attemptTimeout <= 0 {
		r.attemptTimeout = 120 * time.Second
	}
	ctx := context.Background()
	fresh := true
	if opts.DataDir != "" {
		p, recovered, err := openPersistence(ctx, r, opts)
		if err != nil {
			return nil, err
		}
		r.persist, fresh = p, !recovered
		if err := r.cancelOrphans(ctx); err != nil {
			r.Close()
			return nil, err
		}
	}
	cfg := opts.Config
	if fresh && cfg.Seed1 == 0 && cfg.Seed2 == 0 {
		var b [16]byte
		if _, err := crand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("router: seed: %w", err)
		}
		cfg.Seed1, cfg.Seed2 = binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
	}
	if fresh || !sameConfig(cfg, r.Snapshot().Config) {
		if !fresh {
			cfg.Seed1, cfg.Seed2 = 0, 0 // keep the recovered random source
		}
		if _, err := r.apply(ctx, abi.Event{Config: &cfg}); err != nil {
			r.Close()
			return nil, fmt.Errorf("router: config: %w", err)
		}
	}
	return r, nil
}

// cancelOrphans settles, as cancelled, the attempts the recovered state
// holds open. The process that made them has ended (a data directory has
// one Router at a time), so no answer will ever report them; left open,
// they would hold their budget reservations and count as in flight until
// the core's attempt TTL. Cancelled says nothing about the keys. Each is
// charged the usage it was routed on (abi.AttemptState.Estimate): the
// provider bills a call the process died in, and a stream's client may
// have had part of it.
func (r *Router) cancelOrphans(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.snapshotLocked(ctx)
	if err != nil {
		return fmt.Errorf("router: recovered state: %w", err)
	}
	for _, a := range s.Attempts {
		o := abi.Outcome{Attempt: a.ID, Result: abi.Cancelled, Usage: a.Estimate}
		if _, err := r.applyLocked(ctx, abi.Event{Outcome: &o}); err != nil {
			return fmt.Errorf("router: cancel attempt %d of the previous run: %w", a.ID, err)
		}
	}
	if len(s.Attempts) > 0 {
		r.log.Info("cancelled the attempts of the previous run, each charged its estimate", "attempts", len(s.Attempts))
	}
	return nil
}

// sameConfig compares configurations, seeds aside.
func sameConfig(a, b abi.Config) bool {
	a.Seed1, a.Seed2, b.Seed1, b.Seed2 = 0, 0, 0, 0
	x, _ := abi.Encode(&a)
	y, _ := abi.Encode(&b)
	return string(x) == string(y)
}

// Close writes a last snapshot and releases the data directory.
func (r *Router) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.persist == nil {
		return nil
	}
	err := r.persist.close(context.Background())
	r.persist = nil
	return err
}

// ops of the journal: what a journaled input is.
const (
	opApply byte = 'a'
	opRoute byte = 'r'
)

// apply feeds one event to the core.
func (r *Router) apply(ctx context.Context, ev abi.Event) (abi.Effects, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applyLocked(ctx, ev)
}

// applyLocked encodes an event, applies it and journals it. An event the
// core refused returns its effects and an *abi.Error.
func (r *Router) applyLocked(ctx context.Context, ev abi.Event) (abi.Effects, error) {
	var fx abi.Effects
	ev.V, ev.Now = abi.Version, abi.UnixNano(r.now().UnixNano())
	out, err := r.mutate(ctx, opApply, &ev)
	if err != nil {
		return fx, err
	}
	if err := abi.Decode(out, &fx); err != nil {
		return fx, fmt.Errorf("router: effects: %w", err)
	}
	if fx.Code != abi.OK {
		return fx, &abi.Error{Code: fx.Code, Message: fx.Message}
	}
	return fx, nil
}

// mutate runs a state-changing call on the engine and journals its input,
// in the order the engine saw it (the caller holds mu).
func (r *Router) mutate(ctx context.Context, op byte, msg any) ([]byte, error) {
	in, err := abi.AppendEncode(r.buf[:0], msg)
	if err != nil {
		return nil, err
	}
	r.buf = in
	r.applyPendingLocked(ctx)
	out, err := r.call(ctx, op, in)
	if err != nil {
		return nil, err
	}
	if r.persist != nil {
		if err := r.persist.record(ctx, op, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// call runs an encoded input on the engine. A call the guest trapped on is
// retried once: the engine rebuilt its state without it.
func (r *Router) call(ctx context.Context, op byte, in []byte) ([]byte, error) {
	call := r.engine.Apply
	if op == opRoute {
		call = r.engine.Route
	}
	out, err := call(ctx, in)
	if err != nil && abi.CodeOf(err) == abi.Internal {
		r.log.Warn("core call failed, retrying once", "op", string(op), "err", err)
		out, err = call(ctx, in)
	}
	if err != nil {
		return nil, fmt.Errorf("router: core: %w", err)
	}
	return out, nil
}

// ErrUnavailable is returned when the router cannot record a change to its
// state (the data directory's disk is full or broken): the call is refused
// rather than carried out unrecorded.
var ErrUnavailable = errors.New("router: state cannot be recorded")

// RegisterProvider adds a provider to the core; registering it again
// changes nothing. To carry out calls it also needs [Router.SetProvider].
func (r *Router) RegisterProvider(id abi.ProviderID) error {
	_, err := r.apply(context.Background(), abi.Event{Provider: &abi.Provider{ID: id}})
	return err
}

// RegisterModel adds or replaces a model of a registered provider.
func (r *Router) RegisterModel(m abi.Model) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.applyLocked(context.Background(), abi.Event{Model: &m}); err != nil {
		return err
	}
	r.noteModel(m.Provider, m.Name)
	return nil
}

// SetBudget adds or replaces a budget.
func (r *Router) SetBudget(b abi.Budget) error {
	_, err := r.apply(context.Background(), abi.Event{Budget: &b})
	return err
}

// SetClient adds or replaces a virtual client key's scope.
func (r *Router) SetClient(c abi.Client) error {
	_, err := r.apply(context.Background(), abi.Event{Client: &c})
	return err
}

// Command runs an operator command: disable, enable, revoke, rotate or
// remove a key, or remove another object. Removing a key or a provider
// also forgets the secrets and settings the router kept for it.
func (r *Router) Command(c abi.Command) (abi.Effects, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background()
	var orphans []abi.KeyID
	if c.Op == abi.OpRemoveProvider {
		if s, err := r.snapshotLocked(ctx); err == nil {
			for _, k := range s.Keys {
				if string(k.Key.Provider) == c.ID {
					orphans = append(orphans, k.Key.ID)
				}
			}
		}
	}
	fx, err := r.applyLocked(ctx, abi.Event{Command: &c})
	if err != nil {
		return fx, err
	}
	switch c.Op {
	case abi.OpRemoveKey:
		r.forgetSecret(abi.KeyID(c.ID))
	case abi.OpRemoveModel:
		r.forgetModel(c.Provider, c.ID)
	case abi.OpRemoveProvider:
		for _, id := range orphans {
			r.forgetSecret(id)
		}
		for name := range r.modelProviders {
			r.forgetModel(abi.ProviderID(c.ID), name)
		}
		r.cfg.Lock()
		delete(r.providers, abi.ProviderID(c.ID))
		r.cfg.Unlock()
		if r.persist != nil {
			if err := r.persist.store.Delete(kindProvider, c.ID); err != nil {
				r.log.Error("delete provider settings", "provider", c.ID, "err", err)
			}
		}
	}
	return fx, nil
}

// Snapshot returns the core's whole state as of now (no secrets): the
// core's clock is moved to now first, so elapsed cooldowns and budget
// periods read as they are.
func (r *Router) Snapshot() *abi.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background()
	if _, err := r.applyLocked(ctx, abi.Event{}); err != nil {
		r.log.Error("clock tick", "err", err)
	}
	s, err := r.snapshotLocked(ctx)
	if err != nil {
		r.log.Error("snapshot", "err", err)
		return &abi.Snapshot{V: abi.Version}
	}
	return s
}

func (r *Router) snapshotLocked(ctx context.Context) (*abi.Snapshot, error) {
	r.applyPendingLocked(ctx)
	b, err := r.engine.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	var s abi.Snapshot
	if err := abi.Decode(b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
