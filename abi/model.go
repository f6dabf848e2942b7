package abi

// Model is one model a provider serves, with its prices and limits. Models
// are identified by (Provider, Name); the same Name on several providers
// lets the core route one model across providers.
type Model struct {
	Provider ProviderID `msgpack:"provider" json:"provider"`
	// Name is what clients ask for, e.g. "gpt-4o-mini".
	Name  string `msgpack:"name" json:"name"`
	Price Price  `msgpack:"price" json:"price"`
	// Unpriced says the price is not known (a model a provider listed that
	// no price table has): Price is zero and means nothing. A hard budget
	// cannot bound what such a model costs, so the core refuses it under
	// one; a zero Price without Unpriced is a free model.
	Unpriced bool `msgpack:"unpriced,omitempty" json:"unpriced,omitempty"`
	// ContextWindow is the most input plus output tokens; 0 means unknown
	// (not checked).
	ContextWindow Tokens `msgpack:"context_window,omitempty" json:"context_window,omitempty"`
	// MaxOutputTokens bounds one answer; hard budgets reserve it when a
	// request gives no max_tokens. 0 means unknown.
	MaxOutputTokens Tokens `msgpack:"max_output_tokens,omitempty" json:"max_output_tokens,omitempty"`
	// QuotaGroup names a limit several models of the provider share (e.g.
	// Gemini's "pro" family); usage, cooldowns and forecasts are kept per
	// (key, group). Empty means the model has its own.
	QuotaGroup string `msgpack:"quota_group,omitempty" json:"quota_group,omitempty"`
	// Limits are each key's declared limits for this model (or its group).
	Limits Limits `msgpack:"limits,omitempty" json:"limits,omitempty"`
}

// Price is a model's list price. All fields are [MicroUSDPerMTok].
type Price struct {
	Input  MicroUSDPerMTok `msgpack:"input,omitempty" json:"input,omitempty"`
	Output MicroUSDPerMTok `msgpack:"output,omitempty" json:"output,omitempty"`
	// CachedInput is the price of prompt tokens served from the provider's
	// cache; 0 means the same as Input.
	CachedInput MicroUSDPerMTok `msgpack:"cached_input,omitempty" json:"cached_input,omitempty"`
}

// Limits are declared rate limits. Zero means "not declared" (unlimited as
// far as the core knows; the provider's own headers still apply).
type Limits struct {
	// RPM is requests per minute.
	RPM int64 `msgpack:"rpm,omitempty" json:"rpm,omitempty"`
	// TPM is input plus output tokens per minute.
	TPM int64 `msgpack:"tpm,omitempty" json:"tpm,omitempty"`
	// RPD is requests per day (a sliding 24 hours).
	RPD int64 `msgpack:"rpd,omitempty" json:"rpd,omitempty"`
	// Concurrency is the most requests in flight at once.
	Concurrency int64 `msgpack:"concurrency,omitempty" json:"concurrency,omitempty"`
}
