// The enums of the ABI, one block each. Their lists are append-only.

package abi

import "github.com/vmihailenco/msgpack/v5"

// Code is the outcome of an ABI call or a routing refusal. [OK] is zero.
type Code uint8

// Code values. Append only.
const (
	// OK: the call succeeded.
	OK Code = iota
	// Internal: a bug in the core; details are in the message.
	Internal
	// Malformed: the input is not a valid message of the expected type.
	Malformed
	// VersionMismatch: the message's version is not [Version].
	VersionMismatch
	// TooLarge: the input exceeds [MaxMessageSize] or a count limit.
	TooLarge
	// InvalidArgument: a field has an invalid value (bad identifier, negative limit …).
	InvalidArgument
	// UnknownModel: no registered provider serves the requested model.
	UnknownModel
	// NoEligibleKeys: every key that serves the model is excluded; RetryAt says when one may return.
	NoEligibleKeys
	// BudgetExceeded: a hard budget would be overspent; RetryAt is when its period resets.
	BudgetExceeded
	// ModelNotAllowed: the client's scope does not include the model.
	ModelNotAllowed
	// ClientRateLimited: the client is over its requests-per-minute limit; RetryAt says when to retry.
	ClientRateLimited
	// UnknownKey: no key has that id.
	UnknownKey
	// UnknownProvider: no provider has that id.
	UnknownProvider
	// UnknownAttempt: the outcome names an attempt that is not open (never made, or already settled).
	UnknownAttempt
	// UnknownClient: no client has that id.
	UnknownClient
	// UnknownBudget: no budget has that id.
	UnknownBudget
	// InvalidTransition: the command is not allowed in the key's state (e.g. enabling a revoked key).
	InvalidTransition
	// ContextExceeded: input plus requested output tokens exceed the model's context window.
	ContextExceeded
)

var codeNames = [...]string{"ok", "internal", "malformed", "version_mismatch", "too_large", "invalid_argument", "unknown_model", "no_eligible_keys", "budget_exceeded", "model_not_allowed", "client_rate_limited", "unknown_key", "unknown_provider", "unknown_attempt", "unknown_client", "unknown_budget", "invalid_transition", "context_exceeded"}

// String returns the snake_case name of c.
func (c Code) String() string { return enumName(codeNames[:], c) }

// MarshalText implements encoding.TextMarshaler.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Code) UnmarshalText(b []byte) (err error) {
	*c, err = ParseCode(string(b))
	return err
}

// ParseCode returns the Code named s.
func ParseCode(s string) (Code, error) { return parseEnum[Code](codeNames[:], "code", s) }

// EncodeMsgpack writes c as an unsigned integer (not its name).
func (c Code) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(c)) }

// DecodeMsgpack reads an unsigned integer into c.
func (c *Code) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Code")
	*c = Code(v)
	return err
}

// Goal is one routing objective. [GoalDefault] means the configured default.
type Goal uint8

// Goal values. Append only.
const (
	// GoalDefault: use the configured default objective.
	GoalDefault Goal = iota
	// GoalFairness: smooth weighted round-robin over eligible keys.
	GoalFairness
	// GoalReliability: highest success-rate EWMA, then fewest requests in flight.
	GoalReliability
	// GoalCost: lowest estimated cost.
	GoalCost
	// GoalLatency: lowest latency EWMA.
	GoalLatency
	// GoalQuota: most quota headroom.
	GoalQuota
)

var goalNames = [...]string{"default", "fairness", "reliability", "cost", "latency", "quota"}

// String returns the snake_case name of g.
func (g Goal) String() string { return enumName(goalNames[:], g) }

// MarshalText implements encoding.TextMarshaler.
func (g Goal) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *Goal) UnmarshalText(b []byte) (err error) {
	*g, err = ParseGoal(string(b))
	return err
}

// ParseGoal returns the Goal named s.
func ParseGoal(s string) (Goal, error) { return parseEnum[Goal](goalNames[:], "goal", s) }

// EncodeMsgpack writes g as an unsigned integer (not its name).
func (g Goal) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(g)) }

// DecodeMsgpack reads an unsigned integer into g.
func (g *Goal) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Goal")
	*g = Goal(v)
	return err
}

// State is a key's place in the key state machine (see core's transition table).
type State uint8

// State values. Append only.
const (
	// Active: routable.
	Active State = iota
	// Probing: a cooldown ended: one probe request may go; its outcome decides.
	Probing
	// CoolingDown: rate limited or failing until a deadline.
	CoolingDown
	// Exhausted: quota used up (or forecast to be) until its reset.
	Exhausted
	// Invalid: the provider rejected the secret (401/403); needs an operator or a rotation.
	Invalid
	// Disabled: switched off by an operator.
	Disabled
	// Revoked: permanently retired; terminal.
	Revoked
)

var stateNames = [...]string{"active", "probing", "cooling_down", "exhausted", "invalid", "disabled", "revoked"}

// String returns the snake_case name of s.
func (s State) String() string { return enumName(stateNames[:], s) }

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) (err error) {
	*s, err = ParseState(string(b))
	return err
}

// ParseState returns the State named s.
func ParseState(s string) (State, error) { return parseEnum[State](stateNames[:], "state", s) }

// EncodeMsgpack writes s as an unsigned integer (not its name).
func (s State) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(s)) }

// DecodeMsgpack reads an unsigned integer into s.
func (s *State) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "State")
	*s = State(v)
	return err
}

// Reason says why a key was not a candidate for a request.
type Reason uint8

// Reason values. Append only.
const (
	// ReasonNone: not excluded.
	ReasonNone Reason = iota
	// ReasonExcluded: the request excluded it (already tried).
	ReasonExcluded
	// ReasonDisabled: disabled by an operator.
	ReasonDisabled
	// ReasonRevoked: revoked.
	ReasonRevoked
	// ReasonInvalid: its secret was rejected.
	ReasonInvalid
	// ReasonCoolingDown: cooling down until Until.
	ReasonCoolingDown
	// ReasonExhausted: quota exhausted until Until.
	ReasonExhausted
	// ReasonProbeInFlight: half-open: its single probe is still in flight.
	ReasonProbeInFlight
	// ReasonConcurrency: at its declared concurrency limit.
	ReasonConcurrency
	// ReasonRateLimit: its declared per-minute or per-day limit is reached until Until.
	ReasonRateLimit
	// ReasonForecast: forecast to run out before its reset while peers have headroom.
	ReasonForecast
	// ReasonBudget: a key or provider hard budget would be overspent.
	ReasonBudget
	// ReasonModel: the key is not allowed to serve this model.
	ReasonModel
	// ReasonTags: the key lacks a required tag.
	ReasonTags
	// ReasonTier: a key of a preferred tier is available.
	ReasonTier
)

var reasonNames = [...]string{"none", "excluded", "disabled", "revoked", "invalid", "cooling_down", "exhausted", "probe_in_flight", "concurrency", "rate_limit", "forecast", "budget", "model", "tags", "tier"}

// String returns the snake_case name of r.
func (r Reason) String() string { return enumName(reasonNames[:], r) }

// MarshalText implements encoding.TextMarshaler.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Reason) UnmarshalText(b []byte) (err error) {
	*r, err = ParseReason(string(b))
	return err
}

// ParseReason returns the Reason named s.
func ParseReason(s string) (Reason, error) { return parseEnum[Reason](reasonNames[:], "reason", s) }

// EncodeMsgpack writes r as an unsigned integer (not its name).
func (r Reason) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(r)) }

// DecodeMsgpack reads an unsigned integer into r.
func (r *Reason) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Reason")
	*r = Reason(v)
	return err
}

// Capacity is a forecast of a key's quota for a model.
type Capacity uint8

// Capacity values. Append only.
const (
	// Abundant: plenty of headroom, or nothing known.
	Abundant Capacity = iota
	// Constrained: under 30% left, or on course to use most of it before reset.
	Constrained
	// Critical: forecast to run out before its reset, or under 10% left.
	Critical
	// Depleted: nothing left until reset.
	Depleted
)

var capacityNames = [...]string{"abundant", "constrained", "critical", "exhausted"}

// String returns the snake_case name of c.
func (c Capacity) String() string { return enumName(capacityNames[:], c) }

// MarshalText implements encoding.TextMarshaler.
func (c Capacity) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Capacity) UnmarshalText(b []byte) (err error) {
	*c, err = ParseCapacity(string(b))
	return err
}

// ParseCapacity returns the Capacity named s.
func ParseCapacity(s string) (Capacity, error) {
	return parseEnum[Capacity](capacityNames[:], "capacity", s)
}

// EncodeMsgpack writes c as an unsigned integer (not its name).
func (c Capacity) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(c)) }

// DecodeMsgpack reads an unsigned integer into c.
func (c *Capacity) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Capacity")
	*c = Capacity(v)
	return err
}

// Result classifies the outcome of one attempt, as the host observed it.
type Result uint8

// Result values. Append only.
const (
	// Success: the provider answered 2xx.
	Success Result = iota
	// RateLimited: 429 or an equivalent rate-limit answer.
	RateLimited
	// QuotaExhausted: the key's quota or credit is used up (e.g. insufficient_quota).
	QuotaExhausted
	// ServerError: 5xx from the provider.
	ServerError
	// Timeout: no answer within the deadline.
	Timeout
	// ConnectionError: connect, TLS or reset error; or the adapter process died.
	ConnectionError
	// AuthError: 401/403: the secret is wrong or revoked.
	AuthError
	// BadRequest: 4xx caused by the request itself; says nothing about the key.
	BadRequest
	// Cancelled: the client went away or the host abandoned the attempt.
	Cancelled
)

var resultNames = [...]string{"success", "rate_limited", "quota_exhausted", "server_error", "timeout", "connection_error", "auth_error", "bad_request", "cancelled"}

// String returns the snake_case name of r.
func (r Result) String() string { return enumName(resultNames[:], r) }

// MarshalText implements encoding.TextMarshaler.
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Result) UnmarshalText(b []byte) (err error) {
	*r, err = ParseResult(string(b))
	return err
}

// ParseResult returns the Result named s.
func ParseResult(s string) (Result, error) { return parseEnum[Result](resultNames[:], "result", s) }

// EncodeMsgpack writes r as an unsigned integer (not its name).
func (r Result) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(r)) }

// DecodeMsgpack reads an unsigned integer into r.
func (r *Result) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Result")
	*r = Result(v)
	return err
}

// Scope is what a budget applies to.
type Scope uint8

// Scope values. Append only.
const (
	// ScopeGlobal: every request.
	ScopeGlobal Scope = iota
	// ScopeProvider: requests served by one provider (Target is its id).
	ScopeProvider
	// ScopeKey: requests served by one key (Target is its id).
	ScopeKey
	// ScopeModel: requests for one model name (Target is the name).
	ScopeModel
	// ScopeClient: requests of one virtual client key (Target is its id).
	ScopeClient
)

var scopeNames = [...]string{"global", "provider", "key", "model", "client"}

// String returns the snake_case name of s.
func (s Scope) String() string { return enumName(scopeNames[:], s) }

// MarshalText implements encoding.TextMarshaler.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Scope) UnmarshalText(b []byte) (err error) {
	*s, err = ParseScope(string(b))
	return err
}

// ParseScope returns the Scope named s.
func ParseScope(s string) (Scope, error) { return parseEnum[Scope](scopeNames[:], "scope", s) }

// EncodeMsgpack writes s as an unsigned integer (not its name).
func (s Scope) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(s)) }

// DecodeMsgpack reads an unsigned integer into s.
func (s *Scope) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Scope")
	*s = Scope(v)
	return err
}

// Period is how a budget's spend resets. Calendar periods are aligned to UTC.
type Period uint8

// Period values. Append only.
const (
	// Hourly: resets at the top of every UTC hour.
	Hourly Period = iota
	// Daily: resets at 00:00 UTC.
	Daily
	// Weekly: resets on Monday 00:00 UTC.
	Weekly
	// Monthly: resets on the 1st at 00:00 UTC.
	Monthly
	// Rolling: spend of the last Window nanoseconds.
	Rolling
)

var periodNames = [...]string{"hourly", "daily", "weekly", "monthly", "rolling"}

// String returns the snake_case name of p.
func (p Period) String() string { return enumName(periodNames[:], p) }

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) (err error) {
	*p, err = ParsePeriod(string(b))
	return err
}

// ParsePeriod returns the Period named s.
func ParsePeriod(s string) (Period, error) { return parseEnum[Period](periodNames[:], "period", s) }

// EncodeMsgpack writes p as an unsigned integer (not its name).
func (p Period) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(p)) }

// DecodeMsgpack reads an unsigned integer into p.
func (p *Period) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Period")
	*p = Period(v)
	return err
}

// Enforcement is what happens when a budget would be exceeded.
type Enforcement uint8

// Enforcement values. Append only.
const (
	// Hard: refuse before the call (or avoid the key).
	Hard Enforcement = iota
	// Soft: allow and flag it in the decision.
	Soft
)

var enforcementNames = [...]string{"hard", "soft"}

// String returns the snake_case name of e.
func (e Enforcement) String() string { return enumName(enforcementNames[:], e) }

// MarshalText implements encoding.TextMarshaler.
func (e Enforcement) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Enforcement) UnmarshalText(b []byte) (err error) {
	*e, err = ParseEnforcement(string(b))
	return err
}

// ParseEnforcement returns the Enforcement named s.
func ParseEnforcement(s string) (Enforcement, error) {
	return parseEnum[Enforcement](enforcementNames[:], "enforcement", s)
}

// EncodeMsgpack writes e as an unsigned integer (not its name).
func (e Enforcement) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(e)) }

// DecodeMsgpack reads an unsigned integer into e.
func (e *Enforcement) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Enforcement")
	*e = Enforcement(v)
	return err
}

// Op is an operator command on a key or the removal of a registered object.
type Op uint8

// Op values. Append only.
const (
	// OpNone: no operation (invalid in a command).
	OpNone Op = iota
	// OpDisableKey: stop routing to a key.
	OpDisableKey
	// OpEnableKey: route to a disabled or invalid key again.
	OpEnableKey
	// OpRevokeKey: retire a key for good.
	OpRevokeKey
	// OpRotateKey: the key's secret was replaced: an invalid key becomes active.
	OpRotateKey
	// OpRemoveKey: forget a key.
	OpRemoveKey
	// OpRemoveProvider: forget a provider, its models and keys.
	OpRemoveProvider
	// OpRemoveModel: forget one model of a provider.
	OpRemoveModel
	// OpRemoveBudget: forget a budget (open reservations are dropped).
	OpRemoveBudget
	// OpRemoveClient: forget a virtual client key.
	OpRemoveClient
)

var opNames = [...]string{"none", "disable_key", "enable_key", "revoke_key", "rotate_key", "remove_key", "remove_provider", "remove_model", "remove_budget", "remove_client"}

// String returns the snake_case name of o.
func (o Op) String() string { return enumName(opNames[:], o) }

// MarshalText implements encoding.TextMarshaler.
func (o Op) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Op) UnmarshalText(b []byte) (err error) {
	*o, err = ParseOp(string(b))
	return err
}

// ParseOp returns the Op named s.
func ParseOp(s string) (Op, error) { return parseEnum[Op](opNames[:], "op", s) }

// EncodeMsgpack writes o as an unsigned integer (not its name).
func (o Op) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(o)) }

// DecodeMsgpack reads an unsigned integer into o.
func (o *Op) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Op")
	*o = Op(v)
	return err
}

// Trigger is what moved a key along the state machine.
type Trigger uint8

// Trigger values. Append only.
const (
	// TriggerSuccess: a successful outcome.
	TriggerSuccess Trigger = iota
	// TriggerRateLimited: a 429.
	TriggerRateLimited
	// TriggerQuotaExhausted: quota reported used up.
	TriggerQuotaExhausted
	// TriggerTransient: a transient failure below the failure threshold.
	TriggerTransient
	// TriggerFailureStreak: consecutive transient failures reached the threshold.
	TriggerFailureStreak
	// TriggerAuthFailed: 401/403.
	TriggerAuthFailed
	// TriggerElapsed: a cooldown or exhaustion deadline passed.
	TriggerElapsed
	// TriggerDisable: operator disable.
	TriggerDisable
	// TriggerEnable: operator enable.
	TriggerEnable
	// TriggerRevoke: operator revoke.
	TriggerRevoke
	// TriggerRotate: operator rotated the secret.
	TriggerRotate
)

var triggerNames = [...]string{"success", "rate_limited", "quota_exhausted", "transient", "failure_streak", "auth_failed", "elapsed", "disable", "enable", "revoke", "rotate"}

// String returns the snake_case name of t.
func (t Trigger) String() string { return enumName(triggerNames[:], t) }

// MarshalText implements encoding.TextMarshaler.
func (t Trigger) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Trigger) UnmarshalText(b []byte) (err error) {
	*t, err = ParseTrigger(string(b))
	return err
}

// ParseTrigger returns the Trigger named s.
func ParseTrigger(s string) (Trigger, error) {
	return parseEnum[Trigger](triggerNames[:], "trigger", s)
}

// EncodeMsgpack writes t as an unsigned integer (not its name).
func (t Trigger) EncodeMsgpack(enc *msgpack.Encoder) error { return enc.EncodeUint(uint64(t)) }

// DecodeMsgpack reads an unsigned integer into t.
func (t *Trigger) DecodeMsgpack(dec *msgpack.Decoder) error {
	v, err := decodeEnum(dec, "Trigger")
	*t = Trigger(v)
	return err
}
