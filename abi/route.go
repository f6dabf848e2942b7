package abi

// RouteRequest asks the core for a key for one attempt of a request.
type RouteRequest struct {
	V   uint8    `msgpack:"v" json:"v"`
	Now UnixNano `msgpack:"now" json:"now"`
	// Model is the model name the client asked for.
	Model string `msgpack:"model" json:"model"`
	// Provider pins the request to one provider; empty means any provider
	// that serves Model.
	Provider ProviderID `msgpack:"provider,omitempty" json:"provider,omitempty"`
	// Client is the virtual client key making the request; empty for the
	// proxy's own key.
	Client    ClientID  `msgpack:"client,omitempty" json:"client,omitempty"`
	Objective Objective `msgpack:"objective,omitempty" json:"objective,omitempty"`
	// InputTokens is the host's estimate of the prompt's tokens.
	InputTokens Tokens `msgpack:"input_tokens,omitempty" json:"input_tokens,omitempty"`
	// InputTokensBound is the most tokens the prompt can have, when
	// InputTokens only approximates it: a hard budget reserves the bound,
	// so that a short estimate cannot overspend it. 0 means InputTokens is
	// a count.
	InputTokensBound Tokens `msgpack:"input_tokens_bound,omitempty" json:"input_tokens_bound,omitempty"`
	// MaxOutputTokens is the request's max_tokens; 0 means absent (the core
	// then uses the model's learned mean output for the estimate).
	MaxOutputTokens Tokens `msgpack:"max_output_tokens,omitempty" json:"max_output_tokens,omitempty"`
	// Choices is how many answers the request asks for (OpenAI's n, a
	// completion's best_of), each with its own output: the estimate and a
	// hard budget's reservation count output that many times. 0 means 1.
	Choices int64 `msgpack:"choices,omitempty" json:"choices,omitempty"`
	// Exclude lists keys not to use (already tried for this request).
	Exclude []KeyID `msgpack:"exclude,omitempty" json:"exclude,omitempty"`
	// Tags a key must all carry.
	Tags []string `msgpack:"tags,omitempty" json:"tags,omitempty"`
	// DryRun decides and explains without changing any state: no attempt,
	// no reservation, no round-robin step.
	DryRun bool `msgpack:"dry_run,omitempty" json:"dry_run,omitempty"`
	// Detail lists every candidate and every exclusion in the decision,
	// instead of the chosen key, its fallbacks and the first exclusions.
	Detail bool `msgpack:"detail,omitempty" json:"detail,omitempty"`
	// MaxFallbacks overrides the configured number of fallbacks (0: config).
	MaxFallbacks int64 `msgpack:"max_fallbacks,omitempty" json:"max_fallbacks,omitempty"`
}

// Objective says what "best key" means: one goal, or a weighted mix.
//
// With no Weights, the primary goal weighs 70% and the secondary goals
// share 30%. With Weights, each goal listed there (primary, secondary or
// not) contributes its weight. Ties are broken by the primary goal, then the
// secondary goals in order, then by the least-used key.
type Objective struct {
	Primary   Goal     `msgpack:"primary,omitempty" json:"primary,omitempty"`
	Secondary []Goal   `msgpack:"secondary,omitempty" json:"secondary,omitempty"`
	Weights   []Weight `msgpack:"weights,omitempty" json:"weights,omitempty"`
}

// Weight is one goal's share of a multi-objective score, in thousandths.
type Weight struct {
	Goal  Goal  `msgpack:"goal" json:"goal"`
	Milli int64 `msgpack:"milli" json:"milli"`
}
