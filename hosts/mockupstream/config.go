package mockupstream

import "time"

// Config configures a [Server]. The zero value is ready to use.
type Config struct {
	// RequestsPerMinute is each key's request limit per one-minute window,
	// reported in x-ratelimit-*-requests and enforced with 429
	// rate_limit_exceeded. Zero means 1,000,000.
	RequestsPerMinute int64
	// TokensPerMinute is each key's token limit (prompt plus completion) per
	// window, reported in x-ratelimit-*-tokens and enforced likewise. Zero
	// means 1,000,000,000.
	TokensPerMinute int64
	// Models are the model ids GET /v1/models lists. Nil means
	// [DefaultModels].
	Models []string
	// EmbeddingDims is the length of each embedding vector. Zero means 8.
	EmbeddingDims int
	// Faults are the faults to inject from the start, by bearer secret (see
	// [Server.SetFault]).
	Faults map[string]Fault
	// Now is the clock for rate-limit windows and "created" fields. Nil
	// means time.Now.
	Now func() time.Time
}

// DefaultModels are the models a [Server] lists when [Config.Models] is nil.
var DefaultModels = []string{"mock-gpt", "mock-embed"}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.RequestsPerMinute == 0 {
		c.RequestsPerMinute = 1_000_000
	}
	if c.TokensPerMinute == 0 {
		c.TokensPerMinute = 1_000_000_000
	}
	if c.Models == nil {
		c.Models = DefaultModels
	}
	if c.EmbeddingDims == 0 {
		c.EmbeddingDims = 8
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
