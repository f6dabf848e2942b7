package abi

// Decision answers a [RouteRequest]: a key to use, or a refusal.
type Decision struct {
	V uint8 `msgpack:"v" json:"v"`
	// Code is [OK] for a routed decision, else why the request is refused.
	Code    Code   `msgpack:"code,omitempty" json:"code,omitempty"`
	Message string `msgpack:"message,omitempty" json:"message,omitempty"`
	// RetryAt is, for a refusal, the earliest time a retry could succeed;
	// zero when no time is known (e.g. every key invalid).
	RetryAt UnixNano `msgpack:"retry_at,omitempty" json:"retry_at,omitempty"`
	// Attempt identifies this attempt in its [Outcome]; zero for dry runs
	// and refusals.
	Attempt  uint64     `msgpack:"attempt,omitempty" json:"attempt,omitempty"`
	Key      KeyID      `msgpack:"key,omitempty" json:"key,omitempty"`
	Provider ProviderID `msgpack:"provider,omitempty" json:"provider,omitempty"`
	// Model is the model name routed (the request's).
	Model string `msgpack:"model,omitempty" json:"model,omitempty"`
	// Goal is the primary goal that decided.
	Goal Goal `msgpack:"goal,omitempty" json:"goal,omitempty"`
	// Fallbacks are the next best keys, best first.
	Fallbacks []KeyID `msgpack:"fallbacks,omitempty" json:"fallbacks,omitempty"`
	// EstimatedCost is the expected cost of the attempt on Key.
	EstimatedCost NanoUSD `msgpack:"estimated_cost,omitempty" json:"estimated_cost,omitempty"`
	// Reserved is what was reserved on each applicable budget: the estimate,
	// or a worst case when a hard budget applies and the output is unbounded.
	Reserved NanoUSD `msgpack:"reserved,omitempty" json:"reserved,omitempty"`
	// Eligible counts the keys that could serve the request.
	Eligible int64 `msgpack:"eligible,omitempty" json:"eligible,omitempty"`
	// Candidates are every eligible key with its metrics, chosen first,
	// listed only when the request asked for Detail: the hot path acts on
	// Key and Fallbacks, and Explanation says why.
	Candidates []Candidate `msgpack:"candidates,omitempty" json:"candidates,omitempty"`
	// Excluded are keys that were not candidates, and why: the first few,
	// or all when the request asked for Detail.
	Excluded []Exclusion `msgpack:"excluded,omitempty" json:"excluded,omitempty"`
	// ExcludedTotal counts all excluded keys.
	ExcludedTotal int64 `msgpack:"excluded_total,omitempty" json:"excluded_total,omitempty"`
	// SoftBudgets lists soft budgets this attempt goes over.
	SoftBudgets []BudgetID `msgpack:"soft_budgets,omitempty" json:"soft_budgets,omitempty"`
	// Explanation is one human sentence saying why.
	Explanation Text `msgpack:"explanation,omitempty" json:"explanation,omitempty"`
}

// Candidate is one key's scores for a request. Scores are higher-is-better
// in [PPM] of the best possible; metrics are raw.
type Candidate struct {
	Key KeyID `msgpack:"key" json:"key"`
	// Score is the key's combined objective score.
	Score PPM `msgpack:"score" json:"score"`
	// Cost is the estimated cost on this key.
	Cost NanoUSD `msgpack:"cost,omitempty" json:"cost,omitempty"`
	// Success is the success-rate EWMA.
	Success PPM `msgpack:"success" json:"success"`
	// LatencyMicros is the latency EWMA; 0 when no sample yet.
	LatencyMicros int64 `msgpack:"latency_us,omitempty" json:"latency_us,omitempty"`
	// Headroom is the fraction of the tightest known quota left.
	Headroom PPM      `msgpack:"headroom" json:"headroom"`
	InFlight int64    `msgpack:"in_flight,omitempty" json:"in_flight,omitempty"`
	Capacity Capacity `msgpack:"capacity,omitempty" json:"capacity,omitempty"`
	Tier     int64    `msgpack:"tier,omitempty" json:"tier,omitempty"`
	// Probe is set when choosing this key makes it the half-open probe.
	Probe bool `msgpack:"probe,omitempty" json:"probe,omitempty"`
}

// Exclusion says why a key was not a candidate.
type Exclusion struct {
	Key    KeyID  `msgpack:"key" json:"key"`
	Reason Reason `msgpack:"reason" json:"reason"`
	// Until is when the reason ends, if known.
	Until UnixNano `msgpack:"until,omitempty" json:"until,omitempty"`
}
