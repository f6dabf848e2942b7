package proxy_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

func TestRedactURLHidesCredentials(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1"},
		{"http://user:sk-pw@127.0.0.1:8080/v1", "http://user:xxxxx@127.0.0.1:8080/v1"},
		{"https://example.com/v1?api_key=sk-q&region=eu", "https://example.com/v1?api_key=xxxxx&region=xxxxx"},
	} {
		got := proxy.RedactURL(tc.in)
		if got != tc.want {
			t.Errorf("proxy.RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "sk-") {
			t.Errorf("proxy.RedactURL(%q) = %q shows a credential", tc.in, got)
		}
	}
}

// TestAdminProviderWithoutBaseURL: a provider whose adapter would send its
// keys to another vendor's API for want of a base URL (one an earlier
// version stored) shows as not attached, and health says it cannot be
// called.
func TestAdminProviderWithoutBaseURL(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	if err := g.r.SetProvider(router.Provider{ID: "mycorp", AdapterName: "openai"}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterKey(abi.Key{ID: "corp-1", Provider: "mycorp"}, "sk-corp-0123456789"); err != nil {
		t.Fatal(err)
	}
	type view struct {
		ID              string `json:"id"`
		Adapter         string `json:"adapter"`
		AdapterAttached bool   `json:"adapter_attached"`
		BaseURL         string `json:"base_url"`
	}
	var list struct{ Providers []view }
	g.ok("GET", "/admin/v1/providers", nil, http.StatusOK, &list)
	i := slices.IndexFunc(list.Providers, func(p view) bool { return p.ID == "mycorp" })
	if i < 0 || list.Providers[i] != (view{ID: "mycorp", Adapter: "openai"}) {
		t.Fatalf("providers %+v; want mycorp with the openai adapter, not attached", list.Providers)
	}
	var health struct {
		Status   string   `json:"status"`
		Problems []string `json:"problems"`
	}
	g.ok("GET", "/admin/v1/health", nil, http.StatusOK, &health)
	if health.Status != "degraded" || !slices.ContainsFunc(health.Problems, func(p string) bool { return strings.Contains(p, "mycorp") }) {
		t.Fatalf("health %+v; want mycorp named as a problem", health)
	}
}
