package proxy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestAdminNeverShowsSecrets registers keys with sentinel secrets (through
// the API and the router), rotates one, sets a provider header and a base
// URL password, creates a client token, then reads every admin route: no
// answer but the token's own creation holds any of them, only their masked
// forms, and neither does the log.
func TestAdminNeverShowsSecrets(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	const marker = "SENTINEL"
	secrets := []string{"sk-SENTINEL-api-key-0001", "sk-SENTINEL-api-key-0002", "sk-SENTINEL-router-0003", "sk-SENTINEL-rotated-0004"}
	var bodies []string
	record := func(method, path string, body any, want int) []byte {
		t.Helper()
		status, raw := g.admin(method, path, body)
		if status != want {
			t.Fatalf("%s %s: %d %s", method, path, status, raw)
		}
		bodies = append(bodies, method+" "+path+": "+string(raw))
		return raw
	}
	record("POST", "/admin/v1/keys", map[string]any{"id": "api-1", "provider": "openai", "secret": secrets[0]}, http.StatusCreated)
	record("POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": secrets[1]}, http.StatusCreated)
	if err := g.r.RegisterKey(abi.Key{ID: "direct", Provider: "openai"}, secrets[2]); err != nil {
		t.Fatal(err)
	}
	record("POST", "/admin/v1/keys/direct/rotate", map[string]any{"secret": secrets[3]}, http.StatusOK) // the old one stays, for grace
	record("PATCH", "/admin/v1/keys/api-1", map[string]any{"weight": 2}, http.StatusOK)
	p, _ := g.r.Provider("openai")
	u, _ := url.Parse(p.BaseURL)
	u.User = url.UserPassword("user", "SENTINEL-password")
	p.BaseURL, p.Header = u.String(), http.Header{"X-Org": {"org-SENTINEL-header-9999"}}
	if err := g.r.SetProvider(p); err != nil {
		t.Fatal(err)
	}
	record("POST", "/admin/v1/budgets", map[string]any{"id": "b", "period": "daily", "limit_usd": "10"}, http.StatusCreated)
	var token string
	{
		var c clientJSON
		g.ok("POST", "/admin/v1/clients", map[string]any{"id": "c", "budgets": []map[string]any{{"period": "monthly", "limit_usd": 1}}},
			http.StatusCreated, &c)
		token = *c.Token
	}
	for i := range 4 {
		if resp, raw := g.chat(token, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat %d: %d %s", i, resp.StatusCode, raw)
		}
	}

	for _, path := range []string{
		"/admin/v1/keys", "/admin/v1/keys/api-1", "/admin/v1/keys/openai-1", "/admin/v1/keys/direct",
		"/admin/v1/keys/api-1/quota", "/admin/v1/keys/direct/quota",
		"/admin/v1/budgets", "/admin/v1/budgets/b", "/admin/v1/budgets/c-monthly",
		"/admin/v1/clients", "/admin/v1/clients/c",
		"/admin/v1/providers", "/admin/v1/models", "/admin/v1/snapshot", "/admin/v1/health",
	} {
		record("GET", path, nil, http.StatusOK)
	}
	record("POST", "/admin/v1/explain", map[string]any{"model": "gpt-4o-mini", "client": "c"}, http.StatusOK)

	all := strings.Join(bodies, "\n")
	for _, s := range []string{marker, token, strings.TrimPrefix(token, "ark-"), "password"} {
		if i := strings.Index(all, s); i >= 0 {
			t.Fatalf("a secret (%q) is in an answer: …%s…", s, all[max(i-200, 0):min(i+200, len(all))])
		}
	}
	for _, masked := range []string{"sk-…0001", "sk-…0002", "sk-…0004", "org…9999", "user:xxxxx@"} {
		if !strings.Contains(all, masked) {
			t.Fatalf("the masked form %q is missing", masked)
		}
	}
	if logs := g.logs.String(); strings.Contains(logs, marker) || strings.Contains(logs, token) {
		t.Fatalf("a secret reached the log:\n%s", logs)
	}
}
