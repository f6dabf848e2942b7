package proxy_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// mockRouter returns an in-memory router (opts, with the OpenAI adapter
// unless opts names adapters) whose provider "openai" is a mock upstream;
// the three are closed when the test ends.
func mockRouter(tb testing.TB, opts router.Options) (*router.Router, *mockupstream.Server) {
	tb.Helper()
	mock := mockupstream.New(mockupstream.Config{})
	up := httptest.NewServer(mock)
	tb.Cleanup(up.Close)
	tb.Cleanup(mock.Close)
	if opts.Adapters == nil {
		opts.Adapters = map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}
	}
	r, err := router.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "openai", AdapterName: "openai", BaseURL: up.URL + "/v1"}); err != nil {
		tb.Fatal(err)
	}
	return r, mock
}

// createClient creates a virtual client through h's admin API and returns
// its token.
func createClient(tb testing.TB, h http.Handler, adminToken, body string) string {
	tb.Helper()
	req := httptest.NewRequest("POST", "/admin/v1/clients", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var c struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil || c.Token == "" {
		tb.Fatalf("create the virtual client: %d %s", w.Code, w.Body)
	}
	return c.Token
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
