package abi

// Event is one input to the core's state machine. At most one of its
// payload fields is set: Config, Provider, Model, Key, Budget and Client
// register or replace the object with that id; Command acts on one; Outcome
// reports an attempt. An event with no payload is a clock tick: the core's
// clock moves to Now and attempts past their TTL are released.
type Event struct {
	V        uint8     `msgpack:"v" json:"v"`
	Now      UnixNano  `msgpack:"now" json:"now"`
	Config   *Config   `msgpack:"config,omitempty" json:"config,omitempty"`
	Provider *Provider `msgpack:"provider,omitempty" json:"provider,omitempty"`
	Model    *Model    `msgpack:"model,omitempty" json:"model,omitempty"`
	Key      *Key      `msgpack:"key,omitempty" json:"key,omitempty"`
	Budget   *Budget   `msgpack:"budget,omitempty" json:"budget,omitempty"`
	Client   *Client   `msgpack:"client,omitempty" json:"client,omitempty"`
	Command  *Command  `msgpack:"command,omitempty" json:"command,omitempty"`
	Outcome  *Outcome  `msgpack:"outcome,omitempty" json:"outcome,omitempty"`
}

// Command is an operator action or a removal.
type Command struct {
	Op Op `msgpack:"op" json:"op"`
	// ID is the key, provider, budget or client id, or the model name.
	ID string `msgpack:"id" json:"id"`
	// Provider names the model's provider for [OpRemoveModel].
	Provider ProviderID `msgpack:"provider,omitempty" json:"provider,omitempty"`
}

// Effects answers an [Event].
type Effects struct {
	V       uint8  `msgpack:"v" json:"v"`
	Code    Code   `msgpack:"code,omitempty" json:"code,omitempty"`
	Message string `msgpack:"message,omitempty" json:"message,omitempty"`
	// Transitions are the state changes the event caused, in order.
	Transitions []Transition `msgpack:"transitions,omitempty" json:"transitions,omitempty"`
	// Cost is the settled cost of an outcome.
	Cost NanoUSD `msgpack:"cost,omitempty" json:"cost,omitempty"`
	// RetrySameKeyAt is set when a rate-limited outcome's Retry-After was
	// short: the host may retry the same key at that time.
	RetrySameKeyAt UnixNano `msgpack:"retry_same_key_at,omitempty" json:"retry_same_key_at,omitempty"`
}

// Transition records one move of a key (Pool empty) or of a key's quota pool
// (a model name or quota group) along the state machine.
type Transition struct {
	Key     KeyID    `msgpack:"key" json:"key"`
	Pool    string   `msgpack:"pool,omitempty" json:"pool,omitempty"`
	From    State    `msgpack:"from" json:"from"`
	To      State    `msgpack:"to" json:"to"`
	Trigger Trigger  `msgpack:"trigger" json:"trigger"`
	Until   UnixNano `msgpack:"until,omitempty" json:"until,omitempty"`
}
