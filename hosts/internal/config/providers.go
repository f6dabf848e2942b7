package config

import "github.com/apikeyrouter/apikeyrouter/hosts/router"

// knownProvider is a provider the router knows how to reach without
// configuration: its adapter and API root.
type knownProvider struct {
	adapter string
	baseURL string
	// keyless providers (local servers) need no API key to be used.
	keyless bool
}

// knownProviders are reached by their name alone, e.g. GROQ_API_KEY_1.
// Any other name works with <NAME>_API_BASE set, through the
// OpenAI-compatible adapter, and is refused without (see checkBases), as
// vllm is: its keys would go to api.openai.com. A known provider's base
// URL is filled in (see mergeProvider): openai, anthropic and gemini get
// their own API's, the root their adapter would call (router.VendorAPI).
// Azure has no default base: AZURE_API_BASE names the resource's endpoint.
var knownProviders = map[string]knownProvider{
	"openai":     {adapter: "openai", baseURL: router.VendorAPI("openai")},
	"groq":       {adapter: "openai", baseURL: "https://api.groq.com/openai/v1"},
	"together":   {adapter: "openai", baseURL: "https://api.together.xyz/v1"},
	"openrouter": {adapter: "openai", baseURL: "https://openrouter.ai/api/v1"},
	"mistral":    {adapter: "openai", baseURL: "https://api.mistral.ai/v1"},
	"deepseek":   {adapter: "openai", baseURL: "https://api.deepseek.com/v1"},
	"fireworks":  {adapter: "openai", baseURL: "https://api.fireworks.ai/inference/v1"},
	"xai":        {adapter: "openai", baseURL: "https://api.x.ai/v1"},
	"cerebras":   {adapter: "openai", baseURL: "https://api.cerebras.ai/v1"},
	"perplexity": {adapter: "openai", baseURL: "https://api.perplexity.ai"},
	"gemini":     {adapter: "gemini", baseURL: router.VendorAPI("gemini")},
	"azure":      {adapter: "azure"},
	"anthropic":  {adapter: "anthropic", baseURL: router.VendorAPI("anthropic")},
	"ollama":     {adapter: "openai", baseURL: "http://localhost:11434/v1", keyless: true},
	"vllm":       {adapter: "openai", keyless: true},
}

// usableWithoutKey reports whether a provider that no key names is used
// without one: a local server the router knows (ollama, vllm), or a
// provider of the operator's own that has a base URL. A known cloud
// provider needs a key; without one it is not used.
func usableWithoutKey(id string, p *Provider) bool {
	if p.BaseURL == "" {
		return false
	}
	k, known := knownProviders[id]
	return !known || k.keyless
}
