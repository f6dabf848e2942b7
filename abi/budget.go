package abi

// Budget limits spend in one scope over one period.
type Budget struct {
	ID    BudgetID `msgpack:"id" json:"id"`
	Scope Scope    `msgpack:"scope,omitempty" json:"scope,omitempty"`
	// Target is the provider id, key id, model name or client id the budget
	// applies to; empty for [ScopeGlobal].
	Target string `msgpack:"target,omitempty" json:"target,omitempty"`
	Period Period `msgpack:"period,omitempty" json:"period,omitempty"`
	// Window is the length of a [Rolling] period; ignored otherwise.
	Window Duration `msgpack:"window,omitempty" json:"window,omitempty"`
	// Limit is the most spend per period.
	Limit       NanoUSD     `msgpack:"limit" json:"limit"`
	Enforcement Enforcement `msgpack:"enforcement,omitempty" json:"enforcement,omitempty"`
}
