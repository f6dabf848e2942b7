package proxy_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// statusAdapter answers every call with a status no HTTP answer has.
type statusAdapter struct {
	sdk.Adapter
	status int
}

func (statusAdapter) EstimateTokens(context.Context, *sdk.Request) (int64, error) { return 10, nil }

func (a statusAdapter) Do(context.Context, *sdk.Request) (*sdk.Response, error) {
	return &sdk.Response{Status: a.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: sdk.NewBody(io.NopCloser(strings.NewReader(`{}`)), nil)}, nil
}

// TestAdapterStatusNoHTTPHasIsABadGateway: an adapter answering status 0
// used to panic the handler (WriteHeader), dropping the client's
// connection, and one answering 999 had it sent on as HTTP/1.1 999. The
// client now gets a 502 once every key was tried.
func TestAdapterStatusNoHTTPHasIsABadGateway(t *testing.T) {
	for _, status := range []int{0, 999, -1} {
		r, _ := mockRouter(t, router.Options{Adapters: map[string]sdk.Adapter{"openai": statusAdapter{status: status}}})
		if err := r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini"}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []abi.KeyID{"k1", "k2"} {
			if err := r.RegisterKey(abi.Key{ID: id, Provider: "openai"}, "sk-"+string(id)); err != nil {
				t.Fatal(err)
			}
		}
		s, err := proxy.New(r, proxy.Config{ProxyKey: callTestKey, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Authorization", "Bearer "+callTestKey)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req) // a panic here fails the test
		var e struct{ Error struct{ Code string } }
		if w.Code != http.StatusBadGateway || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Code != "upstream_unavailable" {
			t.Errorf("status %d from the adapter: the client got %d %s; want 502 upstream_unavailable", status, w.Code, w.Body)
		}
		if n := len(r.Snapshot().Attempts); n != 0 {
			t.Errorf("status %d from the adapter: %d attempts left open", status, n)
		}
	}
}
