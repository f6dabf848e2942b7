package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Defaults for the zero fields of [abi.Config].
var (
	// DefaultCooldownLadder follows LLM-API-Key-Proxy's escalation.
	DefaultCooldownLadder = []abi.Duration{10 * abi.Second, 30 * abi.Second, 60 * abi.Second, 120 * abi.Second}
)

const (
	DefaultCooldownCap       = 300 * abi.Second
	DefaultResetHintCap      = 24 * abi.Hour
	DefaultRetrySameKeyBelow = 1 * abi.Second
	DefaultFailureThreshold  = 3
	DefaultAttemptTTL        = 10 * abi.Minute
	DefaultMaxFallbacks      = 3
	// MaxFallbacks bounds the fallbacks of one decision.
	MaxFallbacks = 16
	// defaultMeanOutput is the output estimate of a model with no samples
	// yet and a request without max_tokens.
	defaultMeanOutput abi.Tokens = 256
)

// config is an [abi.Config] with its defaults filled in. The original is
// kept as given, so a snapshot round-trips the user's settings exactly.
type config struct {
	given             abi.Config
	objective         abi.Objective
	resolved          objective
	ladder            []abi.Duration
	cooldownCap       abi.Duration
	resetHintCap      abi.Duration
	retrySameKeyBelow abi.Duration
	failureThreshold  int64
	attemptTTL        abi.Duration
	maxFallbacks      int
}

func newConfig(c abi.Config) (config, error) {
	if err := CheckObjective(c.Objective); err != nil {
		return config{}, err
	}
	if len(c.CooldownLadder) > 32 {
		return config{}, abi.Errorf(abi.InvalidArgument, "cooldown ladder has %d steps, at most 32", len(c.CooldownLadder))
	}
	for _, d := range c.CooldownLadder {
		if d <= 0 || d > 366*24*abi.Hour {
			return config{}, abi.Errorf(abi.InvalidArgument, "cooldown ladder step %d out of range 1ns..366 days", d)
		}
	}
	for _, f := range [...]struct {
		name string
		d    abi.Duration
	}{
		{"cooldown_cap", c.CooldownCap}, {"reset_hint_cap", c.ResetHintCap},
		{"retry_same_key_below", c.RetrySameKeyBelow}, {"attempt_ttl", c.AttemptTTL},
	} {
		if f.d < 0 || f.d > 366*24*abi.Hour {
			return config{}, abi.Errorf(abi.InvalidArgument, "%s %d out of range 0..366 days", f.name, f.d)
		}
	}
	if c.FailureThreshold < 0 || c.FailureThreshold > 1000 {
		return config{}, abi.Errorf(abi.InvalidArgument, "failure_threshold %d out of range 0..1000", c.FailureThreshold)
	}
	if c.MaxFallbacks < 0 || c.MaxFallbacks > MaxFallbacks {
		return config{}, abi.Errorf(abi.InvalidArgument, "max_fallbacks %d out of range 0..%d", c.MaxFallbacks, MaxFallbacks)
	}
	r := config{
		given:             c,
		objective:         c.Objective,
		ladder:            slices.Clone(c.CooldownLadder),
		cooldownCap:       or(c.CooldownCap, DefaultCooldownCap),
		resetHintCap:      or(c.ResetHintCap, DefaultResetHintCap),
		retrySameKeyBelow: or(c.RetrySameKeyBelow, DefaultRetrySameKeyBelow),
		failureThreshold:  or(c.FailureThreshold, DefaultFailureThreshold),
		attemptTTL:        or(c.AttemptTTL, DefaultAttemptTTL),
		maxFallbacks:      int(or(c.MaxFallbacks, DefaultMaxFallbacks)),
	}
	if r.objective.Primary == abi.GoalDefault {
		r.objective.Primary = abi.GoalFairness
	}
	if len(r.ladder) == 0 {
		r.ladder = DefaultCooldownLadder
	}
	resolveObjective(r.objective, &r.resolved)
	return r, nil
}

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
