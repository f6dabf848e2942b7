package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The secrets the fuzzed configurations are loaded with: one read by a
// ${FUZZ_SECRET} reference, one a key in LLM-API-Key-Proxy's style.
const (
	fuzzFileSecret = "sk-fuzz-file-secret-7f3a9c"
	fuzzEnvSecret  = "sk-fuzz-env-secret-2b8d41"
)

// FuzzLoad loads a fuzzed YAML file with a fuzzed environment (one
// NAME=value a line) beside two secrets. Load must not panic, and neither
// its error nor its warnings may show a secret the inputs did not spell
// out themselves.
//
//	go test ./hosts/internal/config -run '^$' -fuzz FuzzLoad -fuzztime 60s
func FuzzLoad(f *testing.F) {
	for _, seed := range []struct{ yaml, env string }{
		{readmeConfig, "TEAM_A_KEY=sk-team-a\nFREE_KEY=sk-free"},
		{"keys:\n  - {id: k, provider: openai, secret: \"${FUZZ_SECRET}\", bogus: 1}\n", ""},
		{"keys: [{id: k, secret: \"${FUZZ_SECRET}\"\n", ""},
		{"providers:\n  \"${FUZZ_SECRET} x\": {}\n", ""},
		{"budgets:\n  - {id: b, limit_usd: \"${FUZZ_SECRET}\"}\n", ""},
		{"objective: \"${FUZZ_SECRET}\"\n", ""},
		{"port: 0\nmax_attempts: 3\n", "PROXY_PORT=99999"},
		{"", "APIKEYROUTER_OBJECTIVE={\"primary\":\"cost\"}\nLOG_LEVEL=trace"},
	} {
		f.Add([]byte(seed.yaml), seed.env)
	}
	path := filepath.Join(f.TempDir(), "config.yaml")
	f.Fuzz(func(t *testing.T, doc []byte, environ string) {
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		env := strings.Split(environ, "\n")
		env = append(env, "APIKEYROUTER_CONFIG="+path, "FUZZ_SECRET="+fuzzFileSecret, "OPENAI_API_KEY_1="+fuzzEnvSecret)
		_, warnings, err := Load(env)
		out := strings.Join(warnings, "\n")
		if err != nil {
			out += "\n" + err.Error()
		}
		for _, s := range []string{fuzzFileSecret, fuzzEnvSecret} {
			if strings.Contains(out, s) && !strings.Contains(string(doc), s) && !strings.Contains(environ, s) {
				t.Fatalf("a secret is shown:\n%s", out)
			}
		}
	})
}

// readmeConfig is README.md's example configuration file.
const readmeConfig = `
objective: cost
cooldown: {ladder: [10s, 30s, 60s, 120s], cap: 300s, reset_hint_cap: 24h}
providers:
  local: {base_url: "http://127.0.0.1:8080/v1", models: [my-model]}
keys:
  - {id: openai-team-a, provider: openai, secret: "${TEAM_A_KEY}", weight: 2, tier: 0, tags: [team-a], limits: {rpm: 500}}
  - {id: openai-free, provider: openai, secret: "${FREE_KEY}", discount: 10000}
budgets:
  - {id: daily, scope: global, period: daily, limit_usd: "50", enforcement: hard}
prices:
  local:
    my-model: {input: 0.5, output: 1.5, context: 32000, max_output: 4096}
`

// TestConfigErrorsNeverShowSecrets: goccy/go-yaml's errors quote the
// source line, so an unknown field beside a ${VAR} secret printed the
// secret at startup; errors now name the line and column only, and a value
// a ${VAR} put in is redacted wherever an error quotes it.
func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	for _, tc := range []struct{ yaml, want string }{
		{"keys:\n  - {id: k, provider: openai, secret: \"${FUZZ_SECRET}\", bogus: 1}\n", `[2:69] unknown field "bogus"`},
		{"keys: [{id: k, secret: \"${FUZZ_SECRET}\"\n", "[1:8] could not find flow mapping end token '}'"},
		{"providers:\n  \"${FUZZ_SECRET} x\": {}\n", `provider id "[redacted ${VAR} value] x" is not a valid id`},
		{"budgets:\n  - {id: b, limit_usd: \"${FUZZ_SECRET}\"}\n", `limit_usd: "[redacted ${VAR} value]" is not a dollar amount`},
	} {
		if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := Load([]string{"APIKEYROUTER_CONFIG=" + path, "FUZZ_SECRET=" + fuzzFileSecret})
		if err == nil || strings.Contains(err.Error(), fuzzFileSecret) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %q and no secret", tc.yaml, err, tc.want)
		}
	}
}
