package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// loadWith loads yaml (if any) as the config file with environ, no .env.
func loadWith(t *testing.T, yaml string, environ ...string) (*Config, []string, error) {
	t.Helper()
	env := append([]string{"APIKEYROUTER_DOTENV=off"}, environ...)
	if yaml != "" {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		env = append(env, "APIKEYROUTER_CONFIG="+path)
	}
	return Load(env)
}

// TestConfigRefusesKeysWithoutBaseURL: a key for a provider with no base
// URL of its own went through the openai adapter to api.openai.com, secret
// and all (model discovery at start sent it). Such a provider is refused
// at load, naming what to set; azure keeps its own rule (its adapter has
// no default and refuses each call), a third-party adapter decides.
func TestConfigRefusesKeysWithoutBaseURL(t *testing.T) {
	const secret = "sk-corp-secret-5150"
	for _, tc := range []struct {
		name, yaml string
		env        []string
		want       []string // in the error; none: loads
	}{
		{"yaml key, unknown provider", "keys: [{id: corp-1, provider: mycorp, secret: \"" + secret + "\"}]\n", nil,
			[]string{`provider "mycorp"`, "key corp-1", "keys[0]", "MYCORP_API_BASE", "providers.mycorp.base_url", "https://api.openai.com/v1"}},
		{"vllm key without VLLM_API_BASE", "", []string{"VLLM_API_KEY=" + secret},
			[]string{`provider "vllm"`, "environment variable VLLM_API_KEY", "VLLM_API_BASE", "providers.vllm.base_url"}},
		{"vllm keyless without a base", "providers: {vllm: {}}\n", nil,
			[]string{`provider "vllm"`, "providers.vllm", "VLLM_API_BASE"}},
		{"anthropic adapter, other name", "providers: {claude-eu: {adapter: anthropic}}\nkeys: [{id: c, provider: claude-eu, secret: \"" + secret + "\"}]\n", nil,
			[]string{`provider "claude-eu"`, "https://api.anthropic.com/v1", "providers.claude-eu.base_url"}},
		{"gemini adapter, other name", "providers: {g2: {adapter: gemini}}\nkeys: [{id: g, provider: g2, secret: \"" + secret + "\"}]\n", nil,
			[]string{`provider "g2"`, "generativelanguage.googleapis.com", "G2_API_BASE"}},
		{"yaml key, unknown provider with a base", "providers: {mycorp: {base_url: \"http://10.0.0.1/v1\"}}\nkeys: [{id: corp-1, provider: mycorp, secret: \"" + secret + "\"}]\n", nil, nil},
		{"yaml key, base from the environment", "keys: [{id: corp-1, provider: mycorp, secret: \"" + secret + "\"}]\n", []string{"MYCORP_API_BASE=http://10.0.0.1/v1"}, nil},
		{"vllm with its base", "", []string{"VLLM_API_KEY=" + secret, "VLLM_API_BASE=http://127.0.0.1:8001/v1"}, nil},
		{"azure without a base", "", []string{"AZURE_API_KEY=" + secret}, nil},
		{"third-party adapter without a base", "providers: {echo: {adapter: echo}}\nkeys: [{id: e, provider: echo, secret: \"" + secret + "\"}]\n", nil, nil},
		{"known providers", "", []string{"OPENAI_API_KEY=" + secret, "GROQ_API_KEY_1=" + secret, "ANTHROPIC_API_KEY=" + secret, "GEMINI_API_KEY=" + secret}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := loadWith(t, tc.yaml, tc.env...)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				for id, p := range c.Providers {
					if _, missing := router.MissingBase(abi.ProviderID(id), p.Adapter, p.BaseURL); missing {
						t.Errorf("provider %s loaded with the %s adapter and no base URL", id, p.Adapter)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("loaded; want an error naming %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestConfigBaseURLErrorNamesOnlyWhatCanBeSet: a provider id that no
// environment variable can spell is told to set its base in the file.
func TestConfigBaseURLErrorNamesOnlyWhatCanBeSet(t *testing.T) {
	_, _, err := loadWith(t, "keys: [{id: k, provider: my-corp, secret: s}]\n")
	if err == nil || !strings.Contains(err.Error(), "providers.my-corp.base_url") || strings.Contains(err.Error(), "_API_BASE") {
		t.Fatalf("error %v; want providers.my-corp.base_url and no variable", err)
	}
}

// TestConfigFillsVendorBases: a vendor reached by its own name gets its
// API root as its base URL, so it never relies on the adapter's default.
func TestConfigFillsVendorBases(t *testing.T) {
	c, _, err := loadWith(t, "", "OPENAI_API_KEY=sk-a", "ANTHROPIC_API_KEY=sk-b", "GEMINI_API_KEY=sk-c")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com/v1",
		"gemini": "https://generativelanguage.googleapis.com/v1beta"} {
		if p := c.Providers[id]; p == nil || p.Adapter != id || p.BaseURL != want {
			t.Errorf("provider %s: %+v; want the %s adapter at %s", id, p, id, want)
		}
	}
}
