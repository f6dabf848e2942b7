package abi

// Key is one provider API key, by id only: the secret never reaches the core.
type Key struct {
	ID       KeyID      `msgpack:"id" json:"id"`
	Provider ProviderID `msgpack:"provider" json:"provider"`
	// Weight is the key's share under the fairness objective; 0 means 1.
	Weight int64 `msgpack:"weight,omitempty" json:"weight,omitempty"`
	// Tier orders keys by preference: keys of the lowest tier that has an
	// eligible key are used first; higher tiers are standby. Default 0.
	Tier int64 `msgpack:"tier,omitempty" json:"tier,omitempty"`
	// Limits are declared key-wide limits, across all models.
	Limits Limits `msgpack:"limits,omitempty" json:"limits,omitempty"`
	// Tags label the key (team, region …); requests may require tags.
	// Sorted, unique.
	Tags []string `msgpack:"tags,omitempty" json:"tags,omitempty"`
	// Models restricts the key to these model names; empty means every model
	// of its provider. Sorted, unique.
	Models []string `msgpack:"models,omitempty" json:"models,omitempty"`
	// Discount lowers this key's price, in basis points: 0 is list price,
	// 10000 is free (a free-tier or prepaid key).
	Discount int64 `msgpack:"discount,omitempty" json:"discount,omitempty"`
}
