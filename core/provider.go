package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// provider is a registered provider with its keys and models.
type provider struct {
	id abi.ProviderID
	// keys are the provider's keys, sorted by id.
	keys []*key
	// models are the provider's models by name.
	models map[string]*model
	// budgets are the provider-scope budgets.
	budgets []*budget
}

// model is a registered model and what the core learned about it.
type model struct {
	cfg  abi.Model
	prov *provider
	// serial tells the model from any other registered in the machine's
	// life, for verdicts remembered about it.
	serial uint32
	// pool identifies the model's quota pool: its quota group, else itself.
	pool     int32
	poolName string
	// meanOutput is the EWMA of output tokens per successful answer.
	meanOutput abi.Tokens
	// budgets are the model-scope budgets of its name.
	budgets []*budget
}

// expectedOutput is the output tokens to estimate when a request gives no
// max_tokens.
func (m *model) expectedOutput() abi.Tokens {
	if m.meanOutput > 0 {
		return m.meanOutput
	}
	if m.cfg.MaxOutputTokens > 0 {
		return min(m.cfg.MaxOutputTokens, defaultMeanOutput)
	}
	return defaultMeanOutput
}

// forgetCalm forgets the quota verdicts of the provider's keys: a model's
// limits or quota pool changed.
func (pr *provider) forgetCalm() {
	for _, k := range pr.keys {
		k.forgetCalm()
	}
}
