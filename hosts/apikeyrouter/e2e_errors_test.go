package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
// provider errors, every admin route (keys registered and rotated through
// it too), metrics — with the adapter as a plugin logging at debug level,
// then kills the proxy with SIGKILL, restarts it and runs traffic again.
// It looks for the secrets everywhere a leak could land: both runs' logs
// (the plugin's included), every response body and header, the data
// directory.
func TestNoSecretLeaks(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin") // the plugin's logs too, at LOG_LEVEL=debug
	f.mock.SetFault(secrets[0], mockupstream.Fault{Status: 401})
	f.mock.SetFault(secrets[1], mockupstream.Fault{Status: 500, Times: 3})
	added := []string{"sk-e2e-admin-added-dddd4444", "sk-e2e-admin-rotated-eeee5555"}
	all := append(slices.Clone(secrets), added...)
	p := start(t, f.env...)
	var answers []string
	record := func(resp *http.Response, body string) {
		var h strings.Builder
		resp.Header.Write(&h)
		answers = append(answers, h.String()+body)
	}
	traffic := func(p *proc) {
		for i := range 12 {
			record(p.call("POST", "/v1/chat/completions", proxyKey, "application/json",
				[]byte(fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%v,"messages":[{"role":"user","content":"leak check %d"}]}`, i%2 == 0, i))))
		}
		for _, path := range []string{"/admin/v1/keys", "/admin/v1/keys/mock-1", "/admin/v1/keys/mock-1/quota", "/admin/v1/keys/added",
			"/admin/v1/keys/added/quota", "/admin/v1/snapshot", "/admin/v1/providers", "/admin/v1/models", "/admin/v1/budgets",
			"/admin/v1/budgets/monthly", "/admin/v1/clients", "/admin/v1/health", "/v1/models", "/metrics", "/healthz", "/readyz"} {
			tok := adminToken
			if !strings.HasPrefix(path, "/admin/") {
				tok = proxyKey
			}
			record(p.call("GET", path, tok, "", nil))
		}
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/admin/v1/keys", `{"id":"added","provider":"mock","secret":"` + added[0] + `"}`},
		{"POST", "/admin/v1/keys", `{"id":"added","provider":"mock","secret":"` + added[0] + `"}`}, // 409
		{"POST", "/admin/v1/keys", `{"id":"bad id!","provider":"mock","secret":"` + added[0] + `"}`},
		{"POST", "/admin/v1/keys/added/rotate", `{"secret":"` + added[1] + `"}`},
		{"PATCH", "/admin/v1/keys/added", `{"weight":2}`},
		{"POST", "/admin/v1/keys/added/disable", ``},
		{"POST", "/admin/v1/keys/added/enable", ``},
		{"POST", "/admin/v1/budgets", `{"id":"leaky","period":"daily","limit_usd":"5"}`},
		{"PUT", "/admin/v1/budgets/leaky", `{"period":"daily","limit_usd":"6"}`},
		{"POST", "/admin/v1/clients", `{"id":"team","models":["gpt-4o-mini"]}`},
		{"POST", "/admin/v1/explain", `{"model":"gpt-4o-mini"}`},
		{"POST", "/admin/v1/keys", `{"provider":"mock","secret":"` + added[0] + `",`}, // malformed
	} {
		record(p.call(c.method, c.path, adminToken, "application/json", []byte(c.body)))
	}
	traffic(p)
	// Request lines are buffered for a moment (logFlushEvery): the check
	// wants them written before the crash.
	waitFor(t, "the request lines", 10*time.Second, func() bool { return strings.Contains(p.logs.String(), `"msg":"request"`) })
	before := p.logs.String()
	p.kill()
	p = start(t, f.env...)
	traffic(p)
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	found := 0
	check := func(where string, b []byte) {
		for _, s := range all {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(s[3:])) {
				t.Errorf("secret %s…%s found in %s", s[:6], s[len(s)-4:], where)
				found++
			}
		}
	}
	check("the logs before the crash", []byte(before))
	check("the logs after the restart", []byte(p.logs.String()))
	for i, b := range answers {
		check(fmt.Sprintf("answer %d", i), []byte(b))
	}
	files := 0
	filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		check(path, b)
		files++
		return nil
	})
	if f.mock.Requests(added[1]) == 0 {
		t.Fatal("the key added and rotated through the admin API served nothing")
	}
	for _, want := range []string{`"msg":"request"`, `"@module":"apikeyrouter-openai`, `"@level":"debug"`} {
		if !strings.Contains(before, want) {
			t.Fatalf("no %s lines in the logs:\n%s", want, before)
		}
	}
	t.Logf("figures: answers=%d log_bytes=%d data_files=%d secrets_found=%d", len(answers), len(before)+len(p.logs.String()), files, found)
}
