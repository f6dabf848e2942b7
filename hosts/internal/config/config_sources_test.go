package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestConfigSources: the admin API refuses to change what the
// configuration defines, and says where to change it instead.
func TestConfigSources(t *testing.T) {
	dir := t.TempDir()
	yaml := filepath.Join(dir, "akr.yaml")
	if err := os.WriteFile(yaml, []byte(`
providers:
  local: {base_url: "http://127.0.0.1:8080/v1"}
keys:
  - {id: team-a, provider: openai, secret: a}
budgets:
  - {id: daily, limit_usd: "5"}
  - {id: monthly, period: monthly, limit_usd: "50"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	dotenv := filepath.Join(dir, ".env")
	if err := os.WriteFile(dotenv, []byte("GROQ_API_KEY=g\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load([]string{"APIKEYROUTER_CONFIG=" + yaml, "APIKEYROUTER_DOTENV=" + dotenv, "OPENAI_API_KEY_1=o"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.KeySources(), map[abi.KeyID]string{
		"team-a":   "config file " + yaml + ", keys[0]",
		"openai-1": "environment variable OPENAI_API_KEY_1",
		"groq-0":   "environment variable GROQ_API_KEY (set by " + dotenv + ")",
		"local-0":  "config file " + yaml + ", providers.local",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("key sources %q,\nwant %q", got, want)
	}
	if got, want := c.BudgetSources(), map[abi.BudgetID]string{
		"daily":   "config file " + yaml + ", budgets[0]",
		"monthly": "config file " + yaml + ", budgets[1]",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("budget sources %q, want %q", got, want)
	}
}

// TestConfigDuplicateKeysNameBothSources: OPENAI_API_KEY_01 and
// OPENAI_API_KEY_1 are both openai-1, and a key id may be in the file and
// the environment. The one kept was not named, so the warning seemed to
// blame the wrong variable; it names both now. Within the file a
// duplicate id is an error.
func TestConfigDuplicateKeysNameBothSources(t *testing.T) {
	_, warnings, err := loadWith(t, "keys: [{id: openai-2, provider: openai, secret: f}]\n",
		"OPENAI_API_KEY_01=a", "OPENAI_API_KEY_1=b", "OPENAI_API_KEY_2=c")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"OPENAI_API_KEY_1: ignored: key openai-1 is already defined by environment variable OPENAI_API_KEY_01",
		"OPENAI_API_KEY_2: ignored: key openai-2 is already defined by config file ",
	}
	if len(warnings) != len(want) {
		t.Fatalf("warnings %q", warnings)
	}
	for i, w := range want {
		if !strings.HasPrefix(warnings[i], w) {
			t.Errorf("warning %q, want %q…", warnings[i], w)
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"keys: [{id: k, provider: openai, secret: a}, {id: k, provider: groq, secret: b}]\n", `keys[1]: id "k" is keys[0]'s too`},
		{"budgets: [{id: b, limit_usd: \"1\"}, {id: b, limit_usd: \"2\"}]\n", `budgets[1]: id "b" is budgets[0]'s too`},
	} {
		if _, _, err := loadWith(t, tc.yaml); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
