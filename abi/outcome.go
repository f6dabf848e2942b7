package abi

// Outcome reports how one attempt ended. The host sends exactly one per
// routed [Decision]; a second one for the same attempt is refused with
// [UnknownAttempt], so nothing is ever charged twice.
type Outcome struct {
	Attempt uint64 `msgpack:"attempt" json:"attempt"`
	Result  Result `msgpack:"result,omitempty" json:"result,omitempty"`
	// Status is the HTTP status the provider answered, for the record; 0 if
	// none.
	Status int64 `msgpack:"status,omitempty" json:"status,omitempty"`
	// Usage is what the provider reported (or the host counted).
	Usage Usage `msgpack:"usage,omitempty" json:"usage,omitempty"`
	// LatencyMicros is the time to the provider's response headers.
	LatencyMicros int64 `msgpack:"latency_us,omitempty" json:"latency_us,omitempty"`
	// RetryAfter is the provider's Retry-After (or retry-after-ms); 0 if
	// absent.
	RetryAfter Duration `msgpack:"retry_after,omitempty" json:"retry_after,omitempty"`
	// RateLimit is the provider's rate-limit state from the response headers
	// (on any answer, not only 429s); nil if none were sent.
	RateLimit *RateLimit `msgpack:"rate_limit,omitempty" json:"rate_limit,omitempty"`
}

// Usage counts an attempt's tokens.
type Usage struct {
	// InputTokens counts all prompt tokens, cached ones included.
	InputTokens Tokens `msgpack:"input,omitempty" json:"input,omitempty"`
	// CachedInputTokens is the part of InputTokens served from cache.
	CachedInputTokens Tokens `msgpack:"cached_input,omitempty" json:"cached_input,omitempty"`
	OutputTokens      Tokens `msgpack:"output,omitempty" json:"output,omitempty"`
}

// RateLimit is a provider's view of one key's limits, as its headers said
// (x-ratelimit-*, anthropic-ratelimit-*). Every field is present; -1 means
// the header was absent. Reset fields are durations from the outcome's time.
type RateLimit struct {
	LimitRequests     int64    `msgpack:"limit_requests" json:"limit_requests"`
	RemainingRequests int64    `msgpack:"remaining_requests" json:"remaining_requests"`
	ResetRequests     Duration `msgpack:"reset_requests" json:"reset_requests"`
	LimitTokens       int64    `msgpack:"limit_tokens" json:"limit_tokens"`
	RemainingTokens   int64    `msgpack:"remaining_tokens" json:"remaining_tokens"`
	ResetTokens       Duration `msgpack:"reset_tokens" json:"reset_tokens"`
}

// NoRateLimit is a [RateLimit] with every field absent; hosts start from it
// and fill in what the headers say.
var NoRateLimit = RateLimit{-1, -1, -1, -1, -1, -1}
