package abi

// Snapshot is the core's whole state: a snapshot the host persists and can
// restore. Every list is sorted by id, so equal states encode to equal bytes.
type Snapshot struct {
	V      uint8  `msgpack:"v" json:"v"`
	Config Config `msgpack:"config" json:"config"`
	// Rand is the PCG random source's state (its MarshalBinary form).
	Rand []byte `msgpack:"rand" json:"rand"`
	// Clock is the latest Now the core has seen; earlier times are clamped
	// to it, so a wall clock stepping back cannot undo a cooldown.
	Clock UnixNano `msgpack:"clock,omitempty" json:"clock,omitempty"`
	// NextAttempt is the id the next attempt gets.
	NextAttempt uint64         `msgpack:"next_attempt" json:"next_attempt"`
	Providers   []Provider     `msgpack:"providers,omitempty" json:"providers,omitempty"`
	Models      []ModelState   `msgpack:"models,omitempty" json:"models,omitempty"`
	Keys        []KeyState     `msgpack:"keys,omitempty" json:"keys,omitempty"`
	Budgets     []BudgetState  `msgpack:"budgets,omitempty" json:"budgets,omitempty"`
	Clients     []ClientState  `msgpack:"clients,omitempty" json:"clients,omitempty"`
	Attempts    []AttemptState `msgpack:"attempts,omitempty" json:"attempts,omitempty"`
}

// ModelState is a model and what the core learned about it.
type ModelState struct {
	Model Model `msgpack:"model" json:"model"`
	// MeanOutput is the EWMA of output tokens per successful answer.
	MeanOutput Tokens `msgpack:"mean_output,omitempty" json:"mean_output,omitempty"`
}

// KeyState is a key and its key-wide state.
type KeyState struct {
	Key     Key      `msgpack:"key" json:"key"`
	State   State    `msgpack:"state,omitempty" json:"state,omitempty"`
	Trigger Trigger  `msgpack:"trigger,omitempty" json:"trigger,omitempty"`
	Since   UnixNano `msgpack:"since,omitempty" json:"since,omitempty"`
	// InFlight counts open attempts on the key.
	InFlight int64 `msgpack:"in_flight,omitempty" json:"in_flight,omitempty"`
	// Current is the smooth weighted round-robin counter.
	Current int64 `msgpack:"current,omitempty" json:"current,omitempty"`
	// LastUsed is when a decision last chose the key.
	LastUsed UnixNano `msgpack:"last_used,omitempty" json:"last_used,omitempty"`
	// Usage is the key-wide usage.
	Usage Windows `msgpack:"usage,omitempty" json:"usage,omitempty"`
	// Pools are the key's per-model (or per quota group) states, by name.
	Pools []PoolState `msgpack:"pools,omitempty" json:"pools,omitempty"`
}

// PoolState is a key's state for one model or quota group: its own cooldown
// ladder, health, usage and the provider's rate-limit view.
type PoolState struct {
	Name    string   `msgpack:"name" json:"name"`
	State   State    `msgpack:"state,omitempty" json:"state,omitempty"`
	Trigger Trigger  `msgpack:"trigger,omitempty" json:"trigger,omitempty"`
	Until   UnixNano `msgpack:"until,omitempty" json:"until,omitempty"`
	// Ladder is the number of consecutive cooldowns (the next ladder step).
	Ladder int64 `msgpack:"ladder,omitempty" json:"ladder,omitempty"`
	// FailStreak counts consecutive transient failures.
	FailStreak int64 `msgpack:"fail_streak,omitempty" json:"fail_streak,omitempty"`
	// Probe is set while the half-open probe is in flight.
	Probe    bool  `msgpack:"probe,omitempty" json:"probe,omitempty"`
	InFlight int64 `msgpack:"in_flight,omitempty" json:"in_flight,omitempty"`
	// Success is the success-rate EWMA; SuccessSamples counts outcomes.
	Success        PPM   `msgpack:"success" json:"success"`
	SuccessSamples int64 `msgpack:"success_samples,omitempty" json:"success_samples,omitempty"`
	// LatencyMicros is the latency EWMA of successful answers.
	LatencyMicros int64    `msgpack:"latency_us,omitempty" json:"latency_us,omitempty"`
	Usage         Windows  `msgpack:"usage,omitempty" json:"usage,omitempty"`
	Observed      Observed `msgpack:"observed,omitempty" json:"observed,omitempty"`
}

// Windows is usage over two sliding windows, a minute and a day. Each window
// keeps its current and previous slot; the sliding count weighs the previous
// slot by the part of it still inside the window.
type Windows struct {
	Minute Window `msgpack:"minute,omitempty" json:"minute,omitempty"`
	Day    Window `msgpack:"day,omitempty" json:"day,omitempty"`
}

// Window is one sliding window's two slots.
type Window struct {
	// Start is when the current slot began (a multiple of the slot length).
	Start      UnixNano `msgpack:"start,omitempty" json:"start,omitempty"`
	Requests   int64    `msgpack:"requests,omitempty" json:"requests,omitempty"`
	Input      Tokens   `msgpack:"input,omitempty" json:"input,omitempty"`
	Output     Tokens   `msgpack:"output,omitempty" json:"output,omitempty"`
	PrevReq    int64    `msgpack:"prev_requests,omitempty" json:"prev_requests,omitempty"`
	PrevInput  Tokens   `msgpack:"prev_input,omitempty" json:"prev_input,omitempty"`
	PrevOutput Tokens   `msgpack:"prev_output,omitempty" json:"prev_output,omitempty"`
}

// Observed is the provider's latest rate-limit report for a pool, what the
// core routed there since, and the burn rate measured between reports.
type Observed struct {
	// At is when the latest report arrived; zero means never.
	At                UnixNano `msgpack:"at,omitempty" json:"at,omitempty"`
	LimitRequests     int64    `msgpack:"limit_requests,omitempty" json:"limit_requests,omitempty"`
	RemainingRequests int64    `msgpack:"remaining_requests,omitempty" json:"remaining_requests,omitempty"`
	ResetRequestsAt   UnixNano `msgpack:"reset_requests_at,omitempty" json:"reset_requests_at,omitempty"`
	LimitTokens       int64    `msgpack:"limit_tokens,omitempty" json:"limit_tokens,omitempty"`
	RemainingTokens   int64    `msgpack:"remaining_tokens,omitempty" json:"remaining_tokens,omitempty"`
	ResetTokensAt     UnixNano `msgpack:"reset_tokens_at,omitempty" json:"reset_tokens_at,omitempty"`
	// SentRequests counts attempts routed to the pool since the report (the
	// provider had not counted them yet).
	SentRequests int64 `msgpack:"sent_requests,omitempty" json:"sent_requests,omitempty"`
	// RefAt, RefRequests and RefTokens are the reference report the burn
	// rate is measured from (at least a second older than the latest).
	RefAt       UnixNano `msgpack:"ref_at,omitempty" json:"ref_at,omitempty"`
	RefRequests int64    `msgpack:"ref_requests,omitempty" json:"ref_requests,omitempty"`
	RefTokens   int64    `msgpack:"ref_tokens,omitempty" json:"ref_tokens,omitempty"`
	// RequestRate and TokenRate are the burn rates per minute between
	// reports (an EWMA); they include other users of the same key.
	RequestRate int64 `msgpack:"request_rate,omitempty" json:"request_rate,omitempty"`
	TokenRate   int64 `msgpack:"token_rate,omitempty" json:"token_rate,omitempty"`
}

// BudgetState is a budget and its spend.
type BudgetState struct {
	Budget Budget `msgpack:"budget" json:"budget"`
	// Start is when the current period began.
	Start    UnixNano `msgpack:"start,omitempty" json:"start,omitempty"`
	Spent    NanoUSD  `msgpack:"spent,omitempty" json:"spent,omitempty"`
	Reserved NanoUSD  `msgpack:"reserved,omitempty" json:"reserved,omitempty"`
	// Buckets hold a rolling budget's spend in 60 slots of Window/60, the
	// oldest first; empty for calendar periods.
	Buckets []NanoUSD `msgpack:"buckets,omitempty" json:"buckets,omitempty"`
}

// ClientState is a virtual client and its request rate.
type ClientState struct {
	Client Client `msgpack:"client" json:"client"`
	Minute Window `msgpack:"minute,omitempty" json:"minute,omitempty"`
}

// AttemptState is an attempt awaiting its outcome.
type AttemptState struct {
	ID       uint64     `msgpack:"id" json:"id"`
	Key      KeyID      `msgpack:"key" json:"key"`
	Provider ProviderID `msgpack:"provider" json:"provider"`
	Model    string     `msgpack:"model" json:"model"`
	Client   ClientID   `msgpack:"client,omitempty" json:"client,omitempty"`
	Start    UnixNano   `msgpack:"start" json:"start"`
	Probe    bool       `msgpack:"probe,omitempty" json:"probe,omitempty"`
	// Pool is the key's pool the attempt counts in.
	Pool string `msgpack:"pool" json:"pool"`
	// Price and Discount are the model's price and the key's discount when
	// the attempt was routed: its outcome is charged at them.
	Price        Price         `msgpack:"price,omitempty" json:"price,omitempty"`
	Discount     int64         `msgpack:"discount,omitempty" json:"discount,omitempty"`
	Reservations []Reservation `msgpack:"reservations,omitempty" json:"reservations,omitempty"`
	// Estimate is the usage the attempt was routed on: its prompt's tokens
	// and the output expected, for every answer asked for. A host charges
	// an attempt a crash left open with it: the provider bills a call the
	// process died in, streams its client had partly received included.
	Estimate Usage `msgpack:"estimate,omitempty" json:"estimate,omitempty"`
}

// Reservation is an amount held on one budget for an open attempt.
type Reservation struct {
	Budget BudgetID `msgpack:"budget" json:"budget"`
	Amount NanoUSD  `msgpack:"amount" json:"amount"`
}
