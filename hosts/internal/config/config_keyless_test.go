package config

import (
	"strings"
	"testing"
)

// TestConfigKeylessProviders: README's example provider (a base URL, no
// key) had no key, so its models answered 503 no_eligible_keys; only
// ollama and vllm were used without one. A provider the router does not
// know that has a base URL and no key is now used without one too; ollama
// is only when something names it, with its default base unless given.
func TestConfigKeylessProviders(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		env        []string
		want       string // keyless providers: id=base_url source, sorted
		keys       string // every key: id@provider
	}{
		{"README's local server", readmeConfig, []string{"TEAM_A_KEY=sk-a", "FREE_KEY=sk-f"},
			"local=http://127.0.0.1:8080/v1 config file", "openai-team-a@openai openai-free@openai local-0@local"},
		{"ollama by its base alone", "", []string{"OLLAMA_API_BASE=http://10.0.0.9:11434/v1"},
			"ollama=http://10.0.0.9:11434/v1 environment variable OLLAMA_API_BASE", "ollama-0@ollama"},
		{"ollama named in the file", "providers: {ollama: {}}\n", nil,
			"ollama=http://localhost:11434/v1 config file", "ollama-0@ollama"},
		{"ollama with a dummy key", "", []string{"OLLAMA_API_KEY=x"}, "", "ollama-0@ollama"},
		{"nothing names ollama", "", nil, "", ""},
		{"a base of one's own from the environment", "", []string{"MYLLM_API_BASE=http://127.0.0.1:9/v1"},
			"myllm=http://127.0.0.1:9/v1 environment variable MYLLM_API_BASE", "myllm-0@myllm"},
		{"a provider with keys", "providers: {local: {base_url: \"http://127.0.0.1:1/v1\"}}\nkeys: [{id: l, provider: local, secret: s}]\n", nil,
			"", "l@local"},
		{"a known cloud provider needs a key", "providers: {openai: {}, groq: {base_url: \"https://gw.example/groq\"}}\n", nil, "", ""},
		{"a third-party adapter without a base", "providers: {echo: {adapter: echo}}\n", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := loadWith(t, tc.yaml, tc.env...)
			if err != nil {
				t.Fatal(err)
			}
			var keyless, keys []string
			for _, id := range sortedIDs(c.Providers) {
				if p := c.Providers[id]; p.Keyless() {
					keyless = append(keyless, id+"="+p.BaseURL+" "+p.source)
				}
			}
			for _, k := range c.Keys {
				keys = append(keys, string(k.ID)+"@"+string(k.Provider))
				if c.Providers[string(k.Provider)].Keyless() && (k.Secret != "" || k.Source == "") {
					t.Errorf("keyless key %s: secret %q, source %q", k.ID, k.Secret, k.Source)
				}
			}
			if got := strings.Join(keyless, " "); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
				t.Errorf("keyless %q, want %q", got, tc.want)
			}
			if got := strings.Join(keys, " "); got != tc.keys {
				t.Errorf("keys %q, want %q", got, tc.keys)
			}
		})
	}
}

// TestConfigKeylessIDTaken: the key a keyless provider gets cannot
// silently replace another provider's key of the same id.
func TestConfigKeylessIDTaken(t *testing.T) {
	_, _, err := loadWith(t, "providers: {local: {base_url: \"http://127.0.0.1:1/v1\"}}\nkeys: [{id: local-0, provider: openai, secret: s}]\n")
	if err == nil || !strings.Contains(err.Error(), "local-0") || !strings.Contains(err.Error(), "keys[0]") {
		t.Fatalf("error %v; want one naming local-0 and keys[0]", err)
	}
}
