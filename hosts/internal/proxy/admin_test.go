package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// The bearer tokens of the admin tests.
const (
	adminTestToken    = "admin-token-for-tests"
	adminTestProxyKey = "proxy-key-for-tests"
)

// adminRig is a proxy with the admin API open, over a router whose
// "openai" provider is the mock upstream reached through the in-process
// OpenAI adapter, serving gpt-4o-mini. Its clock stands still, so that
// snapshots taken apart compare equal.
type adminRig struct {
	t      *testing.T
	r      *router.Router
	mock   *mockupstream.Server
	server *proxy.Server
	srv    *httptest.Server
	logs   *lockedBuffer
	// cfg is the proxy's configuration, but for its tokens and logger.
	cfg proxy.Config
}

// adminNow is the rigs' clock: now, to the second, so that Retry-After
// headers computed against the wall clock stay meaningful.
var adminNow = time.Now().Truncate(time.Second)

func newAdminRig(t *testing.T, opts router.Options) *adminRig {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return adminNow }
	}
	r, mock := mockRouter(t, opts)
	if err := r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini",
		Price: abi.Price{Input: 150_000, Output: 600_000}}); err != nil {
		t.Fatal(err)
	}
	g := &adminRig{t: t, r: r, mock: mock, logs: &lockedBuffer{}}
	g.serve()
	return g
}

// serve starts a proxy server over the rig's router.
func (g *adminRig) serve() {
	cfg := g.cfg
	cfg.ProxyKey, cfg.AdminToken = adminTestProxyKey, adminTestToken
	cfg.Logger = slog.New(slog.NewTextHandler(g.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := proxy.New(g.r, cfg)
	if err != nil {
		g.t.Fatal(err)
	}
	g.server = s
	g.srv = httptest.NewServer(g.server.Handler())
	g.t.Cleanup(g.srv.Close)
}

// addKeys registers keys k1..kn on openai with secrets sk-test-1..n.
func (g *adminRig) addKeys(n int) {
	g.t.Helper()
	for i := 1; i <= n; i++ {
		if err := g.r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i)), Provider: "openai"}, fmt.Sprintf("sk-test-%d", i)); err != nil {
			g.t.Fatal(err)
		}
	}
}

// send makes a request to the proxy with a bearer token (none if empty);
// a string body is sent as is, anything else as JSON. A redirect is
// answered, not followed.
func (g *adminRig) send(method, path, token string, body any) (*http.Response, []byte) {
	g.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			g.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, g.srv.URL+path, rd)
	if err != nil {
		g.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := *g.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	return resp, raw
}

// admin makes an admin request and returns its status and body.
func (g *adminRig) admin(method, path string, body any) (int, []byte) {
	g.t.Helper()
	resp, raw := g.send(method, path, adminTestToken, body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		g.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	return resp.StatusCode, raw
}

// ok makes an admin request that must answer want, and decodes the
// answer into out (when not nil).
func (g *adminRig) ok(method, path string, body any, want int, out any) {
	g.t.Helper()
	status, raw := g.admin(method, path, body)
	if status != want {
		g.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			g.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// fails makes an admin request that must fail with status and code, its
// message containing each of msgParts.
func (g *adminRig) fails(method, path string, body any, status int, code string, msgParts ...string) {
	g.t.Helper()
	got, raw := g.admin(method, path, body)
	checkAPIError(g.t, got, raw, status, code, msgParts...)
}

// adminErrorBody is an error in OpenAI's shape.
type adminErrorBody struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    string `json:"code"`
	} `json:"error"`
}

func checkAPIError(t *testing.T, status int, raw []byte, wantStatus int, wantCode string, msgParts ...string) {
	t.Helper()
	var e adminErrorBody
	if err := json.Unmarshal(raw, &e); err != nil || e.Error.Type == "" {
		t.Fatalf("not an OpenAI-shaped error (%v): %s", err, raw)
	}
	if status != wantStatus || e.Error.Code != wantCode {
		t.Fatalf("status %d code %q, want %d %q: %s", status, e.Error.Code, wantStatus, wantCode, raw)
	}
	for _, p := range msgParts {
		if !strings.Contains(e.Error.Message, p) {
			t.Fatalf("message %q does not say %q", e.Error.Message, p)
		}
	}
}

// chat sends a chat completion for model with a bearer token.
func (g *adminRig) chat(token, model string) (*http.Response, []byte) {
	g.t.Helper()
	return g.send("POST", "/v1/chat/completions", token,
		`{"model":"`+model+`","messages":[{"role":"user","content":"hello"}]}`)
}

// adminPaths are one request of every admin route, against k1, the
// budget "b1" and the client "c1".
var adminPaths = []struct{ method, path, body string }{
	{"GET", "/admin/v1/keys", ""},
	{"POST", "/admin/v1/keys", `{"provider":"openai","secret":"sk-new-secret-123"}`},
	{"GET", "/admin/v1/keys/k1", ""},
	{"PATCH", "/admin/v1/keys/k1", `{"weight":2}`},
	{"POST", "/admin/v1/keys/k1/disable", ""},
	{"POST", "/admin/v1/keys/k1/enable", ""},
	{"POST", "/admin/v1/keys/k1/rotate", `{"secret":"sk-rotated-secret-1"}`},
	{"GET", "/admin/v1/keys/k1/quota", ""},
	{"POST", "/admin/v1/keys/k1/revoke", ""},
	{"DELETE", "/admin/v1/keys/k1", ""},
	{"GET", "/admin/v1/budgets", ""},
	{"POST", "/admin/v1/budgets", `{"id":"b1","period":"daily","limit_usd":"5"}`},
	{"GET", "/admin/v1/budgets/b1", ""},
	{"PUT", "/admin/v1/budgets/b1", `{"period":"daily","limit_usd":"6"}`},
	{"DELETE", "/admin/v1/budgets/b1", ""},
	{"GET", "/admin/v1/clients", ""},
	{"POST", "/admin/v1/clients", `{"id":"c1"}`},
	{"GET", "/admin/v1/clients/c1", ""},
	{"DELETE", "/admin/v1/clients/c1", ""},
	{"GET", "/admin/v1/providers", ""},
	{"GET", "/admin/v1/models", ""},
	{"POST", "/admin/v1/explain", `{"model":"gpt-4o-mini"}`},
	{"GET", "/admin/v1/snapshot", ""},
	{"GET", "/admin/v1/health", ""},
}

func TestAdminRoutesAnswerInOrder(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	for _, p := range adminPaths {
		var body any
		if p.body != "" {
			body = p.body
		}
		status, raw := g.admin(p.method, p.path, body)
		if status != http.StatusOK && status != http.StatusCreated {
			t.Fatalf("%s %s: status %d: %s", p.method, p.path, status, raw)
		}
	}
}

func TestAdminNeedsTheAdminToken(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	before := g.r.Snapshot()
	for _, p := range adminPaths {
		for _, tc := range []struct {
			token, code string
		}{
			{"", "missing_admin_token"},
			{"wrong-token", "invalid_admin_token"},
			{adminTestProxyKey, "invalid_admin_token"}, // the clients' key is not the admin's
		} {
			var body any
			if p.body != "" {
				body = p.body
			}
			resp, raw := g.send(p.method, p.path, tc.token, body)
			checkAPIError(t, resp.StatusCode, raw, http.StatusUnauthorized, tc.code)
		}
	}
	if after := g.r.Snapshot(); len(after.Keys) != len(before.Keys) || after.Keys[0].State != abi.Active ||
		len(after.Budgets) != 0 || len(after.Clients) != 0 {
		t.Fatalf("unauthenticated requests changed the state: %+v", after)
	}
}

func TestAdminIsClosedWithoutAnAdminToken(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	s, err := proxy.New(g.r, proxy.Config{ProxyKey: adminTestProxyKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/admin/v1/health", nil)
	for _, token := range []string{"", "anything"} {
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("token %q: status %d: %s", token, resp.StatusCode, raw)
		}
	}
}

func TestAdminUnknownRoutesAndMethods(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.fails("GET", "/admin/v1/nothing", nil, http.StatusNotFound, "not_found", "/admin/v1/nothing")
	g.fails("GET", "/admin/v1/keys/k1/nothing", nil, http.StatusNotFound, "not_found")
	// The API's root is no route either: JSON, not a redirect to /admin/v1/.
	g.fails("GET", "/admin/v1", nil, http.StatusNotFound, "not_found", "/admin/v1")
	resp, raw := g.send("GET", "/admin/v1", "", nil)
	checkAPIError(t, resp.StatusCode, raw, http.StatusUnauthorized, "missing_admin_token")
	resp, raw = g.send("PUT", "/admin/v1/keys", adminTestToken, "{}")
	checkAPIError(t, resp.StatusCode, raw, http.StatusMethodNotAllowed, "method_not_allowed", "GET, POST")
	if allow := resp.Header.Get("Allow"); allow != "GET, POST" {
		t.Fatalf("Allow %q", allow)
	}
	g.fails("GET", "/admin/v1/keys/k1/rotate", nil, http.StatusMethodNotAllowed, "method_not_allowed", "POST")
	// Without the token, the API's shape stays hidden.
	resp, raw = g.send("PUT", "/admin/v1/keys", "", "{}")
	checkAPIError(t, resp.StatusCode, raw, http.StatusUnauthorized, "missing_admin_token")
}

func TestAdminRejectsMalformedBodies(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
		msg                      []string
	}{
		{"not JSON", "POST", "/admin/v1/keys", `{"provider":`, 400, "invalid_json", nil},
		{"empty", "POST", "/admin/v1/budgets", ``, 400, "invalid_json", []string{"empty"}},
		{"not an object", "POST", "/admin/v1/clients", `[1,2]`, 400, "invalid_json", []string{"object"}},
		{"null", "POST", "/admin/v1/clients", `null`, 400, "invalid_json", []string{"object"}},
		{"null patch", "PATCH", "/admin/v1/keys/k1", ` null `, 400, "invalid_json", []string{"object"}},
		{"a string", "POST", "/admin/v1/budgets", `"x"`, 400, "invalid_json", []string{"object"}},
		{"a number", "POST", "/admin/v1/explain", `5`, 400, "invalid_json", []string{"object"}},
		{"two objects", "PATCH", "/admin/v1/keys/k1", `{}{}`, 400, "invalid_json", nil},
		{"unknown field", "POST", "/admin/v1/keys", `{"provider":"openai","secret":"sk-abc-12345","colour":"red"}`, 400, "invalid_argument", []string{`"colour"`}},
		{"wrong type", "PATCH", "/admin/v1/keys/k1", `{"weight":"heavy"}`, 400, "invalid_argument", []string{`"weight"`, "integer"}},
		{"nested wrong type", "PATCH", "/admin/v1/keys/k1", `{"limits":{"rpm":1.5}}`, 400, "invalid_argument", []string{`"limits.rpm"`}},
		{"nested unknown field", "PATCH", "/admin/v1/keys/k1", `{"limits":{"rpm":1,"rph":2}}`, 400, "invalid_argument", []string{`"limits.rph"`, "unknown"}},
		{"nested unknown field on create", "POST", "/admin/v1/keys", `{"provider":"openai","secret":"sk-abc-12345","limits":{"rph":2}}`, 400, "invalid_argument", []string{`"limits.rph"`, "unknown"}},
		{"limits not an object", "PATCH", "/admin/v1/keys/k1", `{"limits":5}`, 400, "invalid_argument", []string{`"limits"`, "object"}},
		{"provider not patchable", "PATCH", "/admin/v1/keys/k1", `{"provider":"other"}`, 400, "invalid_argument", []string{`"provider"`}},
		{"explain without model", "POST", "/admin/v1/explain", `{}`, 400, "invalid_argument", []string{`"model"`}},
		{"too large", "POST", "/admin/v1/explain", `{"model":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "request_too_large", []string{"1048576"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.fails(tc.method, tc.path, tc.body, tc.status, tc.code, tc.msg...)
		})
	}
	if s := g.r.Snapshot(); len(s.Keys) != 1 || s.Keys[0].Key.Weight != 0 || s.Keys[0].Key.Limits != (abi.Limits{}) ||
		len(s.Clients) != 0 || len(s.Budgets) != 0 {
		t.Fatalf("refused bodies changed the state: %+v", s)
	}
}

// TestAdminLogsOneLinePerRequest checks the admin log line: method, path
// and status, nothing from the body.
func TestAdminLogsOneLinePerRequest(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.ok("POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": "sk-logged-never-0001"}, http.StatusCreated, nil)
	logs := g.logs.String()
	if !strings.Contains(logs, "msg=admin method=POST path=/admin/v1/keys status=201") {
		t.Fatalf("no admin log line: %s", logs)
	}
	if strings.Contains(logs, "sk-logged-never-0001") {
		t.Fatalf("a secret reached the log: %s", logs)
	}
}

// faultEngine is the native core, whose dry-run routes fail with the
// core's internal error while fail is set.
type faultEngine struct {
	router.Engine
	fail atomic.Bool
}

func (e *faultEngine) Route(ctx context.Context, in []byte) ([]byte, error) {
	if e.fail.Load() {
		return abi.Encode(&abi.Decision{V: abi.Version, Code: abi.Internal, Message: "the core broke"})
	}
	return e.Engine.Route(ctx, in)
}

// TestAdminInternalErrorsAreLogged checks that a 500 says nothing to the
// operator but logs why.
func TestAdminInternalErrorsAreLogged(t *testing.T) {
	e := &faultEngine{Engine: router.NativeEngine()}
	g := newAdminRig(t, router.Options{Engine: e})
	g.addKeys(1)
	e.fail.Store(true)
	g.fails("POST", "/admin/v1/explain", `{"model":"gpt-4o-mini"}`, http.StatusInternalServerError, "internal_error", "internal error")
	logs := g.logs.String()
	if !strings.Contains(logs, "admin request failed") || !strings.Contains(logs, "the core broke") {
		t.Fatalf("the internal error was not logged: %s", logs)
	}
	if strings.Contains(logs, "sk-test-1") {
		t.Fatalf("a secret reached the log: %s", logs)
	}
}
