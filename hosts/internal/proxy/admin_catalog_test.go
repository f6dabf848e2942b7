package proxy_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

func TestAdminProviders(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	if err := g.r.SetProvider(router.Provider{ID: "groq", AdapterName: "openai", BaseURL: "https://user:hunter2-password@api.groq.example/v1",
		Header: http.Header{"X-Org": {"org-0123456789abcdef"}}}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterProvider("bare"); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Providers []struct {
			ID              string            `json:"id"`
			Adapter         string            `json:"adapter"`
			AdapterAttached bool              `json:"adapter_attached"`
			BaseURL         string            `json:"base_url"`
			Header          map[string]string `json:"header"`
			Keys            int               `json:"keys"`
			Models          []string          `json:"models"`
		}
	}
	g.ok("GET", "/admin/v1/providers", nil, http.StatusOK, &out)
	if len(out.Providers) != 3 {
		t.Fatalf("providers %+v", out.Providers)
	}
	bare, groq, oa := out.Providers[0], out.Providers[1], out.Providers[2]
	if bare.ID != "bare" || bare.AdapterAttached || bare.Adapter != "" || bare.Keys != 0 || len(bare.Models) != 0 {
		t.Fatalf("bare %+v", bare)
	}
	if groq.ID != "groq" || groq.Adapter != "openai" || !groq.AdapterAttached || groq.BaseURL != "https://user:xxxxx@api.groq.example/v1" ||
		groq.Header["X-Org"] != "org…cdef" {
		t.Fatalf("groq %+v", groq)
	}
	if oa.ID != "openai" || !oa.AdapterAttached || oa.Keys != 2 || !slices.Equal(oa.Models, []string{"gpt-4o-mini"}) || oa.BaseURL == "" {
		t.Fatalf("openai %+v", oa)
	}
}

func TestAdminModels(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	if err := g.r.SetProvider(router.Provider{ID: "azure", AdapterName: "openai"}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterModel(abi.Model{Provider: "azure", Name: "gpt-4o-mini", Price: abi.Price{Input: 165_000, Output: 660_000, CachedInput: 82_500},
		ContextWindow: 128_000, MaxOutputTokens: 16_384, QuotaGroup: "mini", Limits: abi.Limits{RPM: 60}}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o", Price: abi.Price{Input: 2_500_000, Output: 10_000_000}}); err != nil {
		t.Fatal(err)
	}
	type offer struct {
		Provider    string     `json:"provider"`
		Input       string     `json:"input_usd_per_mtok"`
		Output      string     `json:"output_usd_per_mtok"`
		CachedInput string     `json:"cached_input_usd_per_mtok"`
		Context     int64      `json:"context_window"`
		MaxOutput   int64      `json:"max_output_tokens"`
		QuotaGroup  string     `json:"quota_group"`
		Limits      abi.Limits `json:"limits"`
	}
	var out struct {
		Models []struct {
			Name      string  `json:"name"`
			Providers []offer `json:"providers"`
		}
	}
	g.ok("GET", "/admin/v1/models", nil, http.StatusOK, &out)
	if len(out.Models) != 2 || out.Models[0].Name != "gpt-4o" || out.Models[1].Name != "gpt-4o-mini" {
		t.Fatalf("models %+v", out.Models)
	}
	if p := out.Models[0].Providers; len(p) != 1 || p[0] != (offer{Provider: "openai", Input: "2.5", Output: "10", CachedInput: "2.5"}) {
		t.Fatalf("gpt-4o %+v", p)
	}
	want := []offer{
		{Provider: "azure", Input: "0.165", Output: "0.66", CachedInput: "0.0825", Context: 128_000, MaxOutput: 16_384,
			QuotaGroup: "mini", Limits: abi.Limits{RPM: 60}},
		{Provider: "openai", Input: "0.15", Output: "0.6", CachedInput: "0.15"},
	}
	if p := out.Models[1].Providers; !slices.Equal(p, want) {
		t.Fatalf("gpt-4o-mini %+v", p)
	}
}

func TestAdminSnapshotIsTheCores(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "all", "period": "daily", "limit_usd": "10"}, http.StatusCreated, nil)
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "c"}, http.StatusCreated, nil)
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", resp.StatusCode, raw)
	}
	_, raw := g.admin("GET", "/admin/v1/snapshot", nil)
	var got abi.Snapshot
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	gotBytes, err := abi.Encode(&got)
	if err != nil {
		t.Fatal(err)
	}
	if want := g.encodedSnapshot(); string(gotBytes) != string(want) {
		t.Fatalf("the snapshot read back differs from the core's:\n%s", raw)
	}
	if len(got.Keys) != 2 || len(got.Budgets) != 1 || got.Budgets[0].Spent == 0 || len(got.Clients) != 1 {
		t.Fatalf("snapshot %s", raw)
	}
}

func TestAdminHealth(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	type health struct {
		Status   string   `json:"status"`
		Problems []string `json:"problems"`
		Ready    bool     `json:"ready"`
		Keys     struct {
			Total        int            `json:"total"`
			ByState      map[string]int `json:"by_state"`
			PoolsByState map[string]int `json:"pools_by_state"`
		} `json:"keys"`
		Providers []struct {
			ID              string `json:"id"`
			AdapterAttached bool   `json:"adapter_attached"`
			Keys            int    `json:"keys"`
			ActiveKeys      int    `json:"active_keys"`
		} `json:"providers"`
		Models       int `json:"models"`
		Budgets      int `json:"budgets"`
		Clients      int `json:"clients"`
		OpenAttempts int `json:"open_attempts"`
	}
	var h health
	g.ok("GET", "/admin/v1/health", nil, http.StatusOK, &h)
	if h.Status != "degraded" || !slices.Equal(h.Problems, []string{"no key is registered"}) || h.Ready || h.Keys.Total != 0 {
		t.Fatalf("empty router's health %+v", h)
	}

	g.addKeys(3)
	g.ok("POST", "/admin/v1/keys/k2/disable", nil, http.StatusOK, nil)
	g.ok("POST", "/admin/v1/keys/k3/revoke", nil, http.StatusOK, nil)
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", resp.StatusCode, raw)
	}
	g.server.SetReady(true)
	g.ok("GET", "/admin/v1/health", nil, http.StatusOK, &h)
	if h.Status != "ok" || len(h.Problems) != 0 || !h.Ready || h.Keys.Total != 3 || h.Models != 1 ||
		h.Keys.ByState["active"] != 1 || h.Keys.ByState["disabled"] != 1 || h.Keys.ByState["revoked"] != 1 || h.Keys.ByState["invalid"] != 0 ||
		h.Keys.PoolsByState["active"] != 1 || len(h.Providers) != 1 || h.Providers[0].ActiveKeys != 1 || !h.Providers[0].AdapterAttached {
		t.Fatalf("health %+v", h)
	}

	// A provider with keys and no adapter cannot be called.
	if err := g.r.RegisterProvider("anthropic"); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterKey(abi.Key{ID: "a1", Provider: "anthropic"}, "sk-ant-0123456789"); err != nil {
		t.Fatal(err)
	}
	g.ok("GET", "/admin/v1/health", nil, http.StatusOK, &h)
	if h.Status != "degraded" || len(h.Problems) != 1 || h.Providers[0].ID != "anthropic" || h.Providers[0].AdapterAttached {
		t.Fatalf("health with an unreachable provider %+v", h)
	}
}
