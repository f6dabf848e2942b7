package abi

// Provider is an upstream LLM API (OpenAI, Anthropic, a vLLM server …). The
// core only needs its identity: base URLs, adapters and secrets are the
// host's business.
type Provider struct {
	ID ProviderID `msgpack:"id" json:"id"`
}
