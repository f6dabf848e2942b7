package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// setupLoad loads yaml (if any) as the config file with environ and no
// .env file.
func setupLoad(t *testing.T, yaml string, environ ...string) *config.Config {
	t.Helper()
	env := append([]string{"APIKEYROUTER_DOTENV=off"}, environ...)
	if yaml != "" {
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		env = append(env, "APIKEYROUTER_CONFIG="+path)
	}
	cfg, _, err := config.Load(env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// setupRouter is an in-memory router with the in-process openai adapter.
func setupRouter(t *testing.T) *router.Router {
	t.Helper()
	r, err := router.New(router.Options{Adapters: map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// configured runs configure and returns its log.
func configured(t *testing.T, r *router.Router, cfg *config.Config) string {
	t.Helper()
	var logs bytes.Buffer
	if err := configure(r, cfg, slog.New(slog.NewJSONHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	return logs.String()
}

// keyIDs lists the router's keys as id@provider.
func keyIDs(r *router.Router) string {
	var ids []string
	for _, k := range r.Snapshot().Keys {
		ids = append(ids, string(k.Key.ID)+"@"+string(k.Key.Provider))
	}
	return strings.Join(ids, " ")
}

// TestSetupKeylessProviderServes: README's example configures a local
// server (a base URL and a model, no key); a request for its model
// answered 503 no_eligible_keys with nothing logged. It is served now,
// without an Authorization header, and the start says so.
func TestSetupKeylessProviderServes(t *testing.T) {
	var auth []string
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		auth = append(auth, req.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","model":"my-model","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
	}))
	defer local.Close()
	cfg := setupLoad(t, `
providers:
  local: {base_url: "`+local.URL+`/v1", models: [my-model], discover: false}
keys:
  - {id: openai-team-a, provider: openai, secret: "${TEAM_A_KEY}"}
`, "TEAM_A_KEY=sk-team-a-secret")
	r := setupRouter(t)
	logs := configured(t, r, cfg)
	if !strings.Contains(logs, `"level":"INFO","msg":"provider used without a key","provider":"local","key":"local-0"`) {
		t.Errorf("no INFO line saying local is used without a key:\n%s", logs)
	}
	ans, err := r.Do(context.Background(), router.Call{Model: "my-model",
		Body: []byte(`{"model":"my-model","messages":[{"role":"user","content":"hello"}]}`)})
	if err != nil {
		t.Fatalf("my-model: %v", err)
	}
	body, _ := io.ReadAll(ans.Body)
	ans.Body.Close()
	if ans.Status != 200 || ans.Decision.Key != "local-0" || !strings.Contains(string(body), `"hi"`) {
		t.Fatalf("answer %d from %s: %s", ans.Status, ans.Decision.Key, body)
	}
	if len(auth) != 1 || strings.Contains(auth[0], "sk-") {
		t.Fatalf("the local server saw Authorization %q", auth)
	}
}

// TestSetupOllamaWhenNamed: ollama is used without a key when
// OLLAMA_API_BASE or the file names it (with its default base if none is
// given), and not at all when nothing does.
func TestSetupOllamaWhenNamed(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, env, keys, base string
	}{
		{"OLLAMA_API_BASE", "", "OLLAMA_API_BASE=http://10.1.1.1:11434/v1", "ollama-0@ollama", "http://10.1.1.1:11434/v1"},
		{"providers: {ollama: {}}", "providers: {ollama: {}}\n", "", "ollama-0@ollama", "http://localhost:11434/v1"},
		{"nothing", "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := setupRouter(t)
			configured(t, r, setupLoad(t, tc.yaml, tc.env))
			if got := keyIDs(r); got != tc.keys {
				t.Fatalf("keys %q, want %q", got, tc.keys)
			}
			p, ok := r.Provider("ollama")
			if ok != (tc.base != "") || p.BaseURL != tc.base {
				t.Fatalf("provider ollama %+v (%v), want base %q", p, ok, tc.base)
			}
			if s, _ := r.Secret("ollama-0"); s != "" {
				t.Fatal("ollama-0 has a secret")
			}
		})
	}
}

// TestSetupKeylessGivesWayToKeys: a provider is used without a key only
// while it has none. Once it has keys (the admin API's, or the file's),
// the key with no secret an earlier start registered is removed, so it is
// not routed to beside them.
func TestSetupKeylessGivesWayToKeys(t *testing.T) {
	const provider = "providers: {local: {base_url: \"http://127.0.0.1:1/v1\", models: [m], discover: false}}\n"
	r := setupRouter(t)
	configured(t, r, setupLoad(t, provider))
	if got := keyIDs(r); got != "local-0@local" {
		t.Fatalf("first start: keys %q", got)
	}
	// The admin API adds a key; the next start keeps it alone.
	if err := r.RegisterKey(abi.Key{ID: "local-a", Provider: "local"}, "sk-admin"); err != nil {
		t.Fatal(err)
	}
	logs := configured(t, r, setupLoad(t, provider))
	if got := keyIDs(r); got != "local-a@local" {
		t.Fatalf("with an admin key: keys %q", got)
	}
	if !strings.Contains(logs, `"msg":"provider has keys now: removed the key it was used without","provider":"local","key":"local-0"`) {
		t.Errorf("the removal is not logged:\n%s", logs)
	}

	r = setupRouter(t)
	configured(t, r, setupLoad(t, provider))
	configured(t, r, setupLoad(t, provider+"keys: [{id: local-b, provider: local, secret: sk-b}]\n"))
	if got := keyIDs(r); got != "local-b@local" {
		t.Fatalf("with a configured key: keys %q", got)
	}
}

// TestSetupWarnsWithoutKeys: a start with no key at all said nothing, and
// every request was refused; it warns now, saying how to add keys.
func TestSetupWarnsWithoutKeys(t *testing.T) {
	const warning = `"level":"WARN","msg":"no API keys`
	logs := configured(t, setupRouter(t), setupLoad(t, ""))
	if !strings.Contains(logs, warning) || !strings.Contains(logs, "OPENAI_API_KEY_1") || !strings.Contains(logs, "/admin/v1/keys") {
		t.Errorf("no warning about having no keys:\n%s", logs)
	}
	for name, env := range map[string]string{"a key": "GROQ_API_KEY=gsk-x", "a local server": "OLLAMA_API_BASE=http://127.0.0.1:11434/v1"} {
		if logs := configured(t, setupRouter(t), setupLoad(t, "", env)); strings.Contains(logs, warning) {
			t.Errorf("with %s: %s", name, logs)
		}
	}
	r := setupRouter(t)
	if err := r.RegisterProvider("openai"); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "stored", Provider: "openai"}, "sk-stored"); err != nil {
		t.Fatal(err)
	}
	if logs := configured(t, r, setupLoad(t, "")); strings.Contains(logs, warning) {
		t.Errorf("with a stored key: %s", logs)
	}
}

// TestSetupLogsDotenv: the start says which .env file it read and how
// many variables it set, never their values.
func TestSetupLogsDotenv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my.env")
	if err := os.WriteFile(path, []byte("OPENAI_API_KEY_1=sk-dotenv-secret-99\nPROXY_PORT=8123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load([]string{"APIKEYROUTER_DOTENV=" + path, "PROXY_PORT=8000"})
	if err != nil {
		t.Fatal(err)
	}
	logs := configured(t, setupRouter(t), cfg)
	if !strings.Contains(logs, `"level":"INFO","msg":"environment variables read from a .env file","path":"`+path+`","set":1,"already_set":1`) {
		t.Errorf("no INFO line about the .env file:\n%s", logs)
	}
	if strings.Contains(logs, "sk-dotenv-secret-99") || strings.Contains(logs, "8123") {
		t.Errorf("the log shows a value from the .env file:\n%s", logs)
	}
}
