package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

func TestEnvironmentKeysInLLMAPIKeyProxyStyle(t *testing.T) {
	c, warnings, err := Load([]string{
		"OPENAI_API_KEY_1=sk-one", "OPENAI_API_KEY_2=sk-two", "GROQ_API_KEY=gsk-x",
		"MYLLM_API_KEY_1=m-1", "MYLLM_API_BASE=http://127.0.0.1:9/v1", "NOBODY_API_KEY=z",
		"PROXY_API_KEY=not-a-provider", "APIKEYROUTER_ADMIN_TOKEN=t", "EMPTY_API_KEY_3=",
		"PROXY_PORT=9001", "LOG_LEVEL=debug",
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range c.Keys {
		ids = append(ids, string(k.ID)+"@"+string(k.Provider))
	}
	if got := strings.Join(ids, " "); got != "groq-0@groq myllm-1@myllm openai-1@openai openai-2@openai" {
		t.Fatalf("keys %s", got)
	}
	if p := c.Providers["myllm"]; p == nil || p.BaseURL != "http://127.0.0.1:9/v1" || p.Adapter != "openai" {
		t.Fatalf("custom provider %+v", p)
	}
	if p := c.Providers["groq"]; p.BaseURL != "https://api.groq.com/openai/v1" {
		t.Fatalf("groq %+v", p)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "NOBODY_API_KEY") || strings.Contains(warnings[0], "z\"") {
		t.Fatalf("warnings %q", warnings)
	}
	if c.Port != 9001 || c.LogLevel.String() != "DEBUG" || c.AdminToken != "t" {
		t.Fatalf("settings %+v", c)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(`
objective: cost
cooldown: {ladder: [5s, 15s], cap: 60s}
providers:
  local: {base_url: "http://127.0.0.1:1234/v1", models: [my-model]}
keys:
  - {id: local-a, provider: local, secret: "${LOCAL_SECRET}", weight: 2, tags: [eu], limits: {rpm: 60}}
budgets:
  - {id: daily, limit_usd: "12.50", period: daily, enforcement: soft}
prices:
  local:
    my-model: {input: 0.5, output: 1.5, context: 32000}
`), 0o600)
	c, _, err := Load([]string{"APIKEYROUTER_CONFIG=" + path, "LOCAL_SECRET=sk-local", "OPENAI_API_KEY=sk-o"})
	if err != nil {
		t.Fatal(err)
	}
	if c.CoreConfig.Objective.Primary != abi.GoalCost || len(c.CoreConfig.CooldownLadder) != 2 {
		t.Fatalf("core config %+v", c.CoreConfig)
	}
	if len(c.Keys) != 2 || c.Keys[0].Secret != "sk-local" || c.Keys[0].Weight != 2 || c.Keys[0].Limits.RPM != 60 {
		t.Fatalf("keys %+v", c.Keys)
	}
	if b := c.Budgets[0]; b.Limit != 12_500_000_000 || b.Enforcement != abi.Soft || b.Period != abi.Daily {
		t.Fatalf("budget %+v", b)
	}
	if e := c.Prices["local"]["my-model"]; e.Input != 0.5 || e.Context != 32000 {
		t.Fatalf("prices %+v", c.Prices)
	}
}

func TestConfigErrorsAreSpecific(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file, env, want string
	}{
		{"typo", "kees: []\n", "", "unknown field"},
		{"missing env", "keys: [{id: a, provider: openai, secret: \"${NOPE}\"}]\n", "", "NOPE"},
		{"bad budget", "budgets: [{id: b, limit_usd: \"-3\"}]\n", "", "limit_usd"},
		{"bad port", "", "PROXY_PORT=99999", "PROXY_PORT"},
		{"bad core", "", "APIKEYROUTER_CORE=jit", "APIKEYROUTER_CORE"},
		{"bad level", "", "LOG_LEVEL=loud", "LOG_LEVEL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{tc.env}
			if tc.file != "" {
				path := filepath.Join(dir, tc.name+".yaml")
				os.WriteFile(path, []byte(tc.file), 0o600)
				env = append(env, "APIKEYROUTER_CONFIG="+path)
			}
			_, _, err := Load(env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestFileNumbersAreRangeChecked(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ file, want string }{
		{"port: 70000\n", "port"}, {"max_attempts: 0\n", ""}, {"max_attempts: 99\n", "max_attempts"},
		{"max_body_bytes: 10\n", "max_body_bytes"},
	} {
		path := filepath.Join(dir, "c.yaml")
		os.WriteFile(path, []byte(tc.file), 0o600)
		_, _, err := Load([]string{"APIKEYROUTER_CONFIG=" + path})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.file, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one naming %s", tc.file, err, tc.want)
		}
	}
}

// TestLLMAPIKeyProxyKeySettings: LLM-API-Key-Proxy's per-provider key
// settings in the environment (or its .env) carry over — a concurrency
// limit and an allowed-models list for each of the provider's keys that
// sets neither — and the one with no equivalent is reported, not dropped
// without a word.
func TestLLMAPIKeyProxyKeySettings(t *testing.T) {
	c, warnings, err := Load([]string{
		"OPENAI_API_KEY_1=sk-one", "OPENAI_API_KEY_2=sk-two", "GROQ_API_KEY=gsk-x",
		"MAX_CONCURRENT_REQUESTS_PER_KEY_OPENAI=2", "WHITELIST_MODELS_OPENAI=gpt-4o-mini, gpt-4o",
		"IGNORE_MODELS_OPENAI=gpt-4", "MAX_CONCURRENT_REQUESTS_PER_KEY_GROQ=many",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.Keys {
		switch k.Provider {
		case "openai":
			if k.Limits.Concurrency != 2 || strings.Join(k.Models, ",") != "gpt-4o-mini,gpt-4o" {
				t.Errorf("%s: concurrency %d, models %q; want 2 and gpt-4o-mini, gpt-4o", k.ID, k.Limits.Concurrency, k.Models)
			}
		case "groq":
			if k.Limits.Concurrency != 0 || k.Models != nil {
				t.Errorf("%s: %+v; want no limit and no list", k.ID, k.Key)
			}
		}
	}
	all := strings.Join(warnings, "\n")
	if len(warnings) != 2 || !strings.Contains(all, "IGNORE_MODELS_OPENAI: ignored") ||
		!strings.Contains(all, `MAX_CONCURRENT_REQUESTS_PER_KEY_GROQ: ignored: "many"`) {
		t.Fatalf("warnings %q", warnings)
	}
}
