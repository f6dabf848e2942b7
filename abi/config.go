package abi

// Config tunes the core. Every zero field means its documented default, so
// the zero Config is a sensible one.
type Config struct {
	// Seed1 and Seed2 seed the core's PCG random source (used to break ties
	// between equally good keys). A config event with either set reseeds it.
	Seed1 uint64 `msgpack:"seed1,omitempty" json:"seed1,omitempty"`
	Seed2 uint64 `msgpack:"seed2,omitempty" json:"seed2,omitempty"`
	// Objective is used when a request names none; default fairness.
	Objective Objective `msgpack:"objective,omitempty" json:"objective,omitempty"`
	// CooldownLadder is the cooldown after the 1st, 2nd … consecutive rate
	// limit without Retry-After; past its end each step doubles up to
	// CooldownCap. Default 10s, 30s, 60s, 120s.
	CooldownLadder []Duration `msgpack:"cooldown_ladder,omitempty" json:"cooldown_ladder,omitempty"`
	// CooldownCap bounds a ladder step. Default 300s.
	CooldownCap Duration `msgpack:"cooldown_cap,omitempty" json:"cooldown_cap,omitempty"`
	// ResetHintCap bounds any provider hint (Retry-After, reset headers):
	// no key sleeps longer than this by mistake. Default 24h.
	ResetHintCap Duration `msgpack:"reset_hint_cap,omitempty" json:"reset_hint_cap,omitempty"`
	// RetrySameKeyBelow: a Retry-After shorter than this does not cool the
	// key down; the host may retry the same key after it. Default 1s.
	RetrySameKeyBelow Duration `msgpack:"retry_same_key_below,omitempty" json:"retry_same_key_below,omitempty"`
	// FailureThreshold is how many consecutive transient failures (5xx,
	// timeouts, connection errors) cool a key down. Default 3.
	FailureThreshold int64 `msgpack:"failure_threshold,omitempty" json:"failure_threshold,omitempty"`
	// AttemptTTL is how long an attempt without an outcome holds its
	// reservation and in-flight slot before the core releases them. Default 10m.
	AttemptTTL Duration `msgpack:"attempt_ttl,omitempty" json:"attempt_ttl,omitempty"`
	// MaxFallbacks is how many ranked fallbacks a decision lists unless the
	// request asks otherwise. Default 3, at most 16.
	MaxFallbacks int64 `msgpack:"max_fallbacks,omitempty" json:"max_fallbacks,omitempty"`
}
