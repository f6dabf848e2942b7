package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// TestBadInputGetsSpecificErrors: every kind of bad request gets an
// OpenAI-style error with its own code and status, and nothing crashes.
func TestBadInputGetsSpecificErrors(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_MAX_BODY_BYTES=2048")
	p := start(t, f.env...)
	good := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	for _, tc := range []struct {
		name, method, path, token, ctype, body string
		status                                 int
		code                                   string
	}{
		{"no key", "POST", "/v1/chat/completions", "", "application/json", good, 401, "missing_api_key"},
		{"wrong key", "POST", "/v1/chat/completions", "sk-wrong", "application/json", good, 401, "invalid_api_key"},
		{"admin token as client key", "POST", "/v1/chat/completions", adminToken, "application/json", good, 401, "invalid_api_key"},
		{"wrong content type", "POST", "/v1/chat/completions", proxyKey, "text/plain", good, 415, "unsupported_media_type"},
		{"malformed json", "POST", "/v1/chat/completions", proxyKey, "application/json", `{"model":`, 400, "invalid_json"},
		{"not an object", "POST", "/v1/chat/completions", proxyKey, "application/json", `[1,2]`, 400, "invalid_json"},
		{"no model", "POST", "/v1/chat/completions", proxyKey, "application/json", `{"messages":[]}`, 400, "missing_model"},
		{"too large", "POST", "/v1/chat/completions", proxyKey, "application/json",
			`{"model":"gpt-4o-mini","pad":"` + strings.Repeat("x", 4096) + `"}`, 413, "request_too_large"},
		{"unknown model", "POST", "/v1/chat/completions", proxyKey, "application/json",
			`{"model":"no-such-model","messages":[]}`, 404, "model_not_found"},
		{"no admin token", "GET", "/admin/v1/keys", "", "", "", 401, "missing_admin_token"},
		{"wrong admin token", "GET", "/admin/v1/keys", proxyKey, "", "", 401, "invalid_admin_token"},
		{"unknown route", "GET", "/v1/nothing", proxyKey, "", "", 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := p.call(tc.method, tc.path, tc.token, tc.ctype, []byte(tc.body))
			var e struct {
				Error struct{ Message, Type, Code string }
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
				t.Fatalf("status %d body %s, want %d %s", resp.StatusCode, body, tc.status, tc.code)
			}
		})
	}
	// A bad objective header.
	resp, body := p.callWith("POST", "/v1/chat/completions", proxyKey, "application/json", []byte(good),
		map[string]string{"x-apikeyrouter-objective": "cheapest"})
	if resp.StatusCode != 400 || !strings.Contains(body, "invalid_objective") {
		t.Fatalf("bad objective: %d %s", resp.StatusCode, body)
	}
	if resp, _ := p.call("GET", "/healthz", "", "", nil); resp.StatusCode != 200 {
		t.Fatal("the proxy is not healthy after bad input")
	}
}

// TestNoSecretLeaks runs traffic with known secrets — answers, failovers,
// provider errors, admin reads — then looks for the secrets everywhere a
// leak could land: the logs, every response body, the data directory.
func TestNoSecretLeaks(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin") // the plugin's logs too
	f.mock.SetFault(secrets[0], mockupstream.Fault{Status: 401})
	f.mock.SetFault(secrets[1], mockupstream.Fault{Status: 500, Times: 3})
	p := start(t, f.env...)
	var bodies []string
	for i := range 12 {
		_, b := p.call("POST", "/v1/chat/completions", proxyKey, "application/json",
			[]byte(fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%v,"messages":[{"role":"user","content":"leak check %d"}]}`, i%2 == 0, i)))
		bodies = append(bodies, b)
	}
	for _, path := range []string{"/admin/v1/keys", "/admin/v1/keys/mock-1", "/admin/v1/keys/mock-1/quota", "/admin/v1/snapshot",
		"/admin/v1/providers", "/admin/v1/budgets", "/admin/v1/health", "/v1/models", "/metrics"} {
		tok := adminToken
		if strings.HasPrefix(path, "/v1/") {
			tok = proxyKey
		}
		_, b := p.call("GET", path, tok, "", nil)
		bodies = append(bodies, b)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	check := func(where string, b []byte) {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("secret %s…%s found in %s", s[:6], s[len(s)-4:], where)
			}
		}
	}
	check("the logs", []byte(p.logs.String()))
	for i, b := range bodies {
		check(fmt.Sprintf("response %d", i), []byte(b))
	}
	filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		check(path, b)
		return nil
	})
	if !strings.Contains(p.logs.String(), `"msg":"request"`) {
		t.Fatalf("no request log lines:\n%s", p.logs)
	}
}
