package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestStoredProviderWithoutBaseURLNeverReachesTheVendor: a provider an
// earlier version stored with the openai adapter and no base URL (mycorp,
// from a configuration the start now refuses, since dropped from it) was
// attached to that adapter again at start, and a request for its model
// sent its key to api.openai.com. The proxy's outbound HTTPS goes through
// a recording proxy here, so that such a call shows as a CONNECT. Now the
// provider is not called: its keys are passed over (here its model's
// requests are refused, 503, naming it), the start logs an error naming it
// and the fix, and the rest serves. Setting its base URL
// serves it.
func TestStoredProviderWithoutBaseURLNeverReachesTheVendor(t *testing.T) {
	t.Parallel()
	const masterKey, secret = "e2e-master-key-vendor-0123456789", "sk-corp-secret-4242"
	var mu sync.Mutex
	var connects []string
	egress := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		connects = append(connects, r.Method+" "+r.Host)
		mu.Unlock()
		http.Error(w, "no egress in tests", http.StatusForbidden)
	}))
	defer egress.Close()
	f := newRecordingFleet(t, "APIKEYROUTER_ENCRYPTION_KEY="+masterKey, "APIKEYROUTER_ADAPTERS=inprocess", "HTTPS_PROXY="+egress.URL)

	// What an earlier version left in the data directory.
	r := f.storedState(t, masterKey)
	for _, err := range []error{
		r.SetProvider(router.Provider{ID: "mycorp", AdapterName: "openai"}),
		r.RegisterModel(abi.Model{Provider: "mycorp", Name: "corp-model", Price: abi.Price{Input: 100_000, Output: 400_000}}), // priced: the fleet has a hard budget
		r.RegisterKey(abi.Key{ID: "corp-1", Provider: "mycorp"}, secret),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	p := start(t, f.env...)
	chat := func(model string) (*http.Response, string) {
		return p.call("POST", "/v1/chat/completions", proxyKey, "application/json",
			[]byte(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
	}
	resp, body := chat("corp-model")
	mu.Lock()
	sent := append([]string(nil), connects...)
	mu.Unlock()
	if len(sent) != 0 || resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "passed over the keys of mycorp") {
		t.Fatalf("corp-model: %d %s; outbound HTTPS %q: want a 503 naming mycorp, whose key must not reach the openai adapter's default API",
			resp.StatusCode, body, sent)
	}
	if resp, body := chat("gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("gpt-4o-mini, on the configured provider: %d %s", resp.StatusCode, body)
	}
	var list struct {
		Providers []struct {
			ID       string `json:"id"`
			Attached bool   `json:"adapter_attached"`
			BaseURL  string `json:"base_url"`
		} `json:"providers"`
	}
	p.adminGet("/admin/v1/providers", &list)
	var mockBase string
	for _, v := range list.Providers {
		if v.ID == "mycorp" && v.Attached {
			t.Errorf("GET /admin/v1/providers shows mycorp's adapter attached")
		}
		if v.ID == "mock" {
			mockBase = v.BaseURL
		}
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	logs := p.logs.String()
	var logged bool
	for line := range strings.Lines(logs) {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["level"] == "ERROR" && l["provider"] == "mycorp" {
			fix, _ := l["fix"].(string)
			logged = strings.Contains(fix, "MYCORP_API_BASE") && strings.Contains(fix, "providers.mycorp.base_url")
			t.Logf("corp-model: %d %s; the start logs: %s", resp.StatusCode, strings.TrimSpace(body), strings.TrimSpace(line))
		}
	}
	if !logged {
		t.Errorf("no ERROR line naming mycorp and how to set its base URL:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("the log shows mycorp's secret")
	}

	// The fix the log names: a base URL for mycorp.
	p = start(t, append(f.env, "MYCORP_API_BASE="+mockBase)...)
	if resp, body := chat("corp-model"); resp.StatusCode != http.StatusOK {
		t.Fatalf("corp-model with MYCORP_API_BASE: %d %s", resp.StatusCode, body)
	}
	var reached bool
	for _, req := range f.rec.Requests() {
		reached = reached || req.Header.Get("Authorization") == "Bearer "+secret
	}
	if !reached {
		t.Error("mycorp's key did not reach its base URL")
	}
}
