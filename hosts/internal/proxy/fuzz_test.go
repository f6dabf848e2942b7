package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// fuzzPaths are the client routes FuzzClientRequest sends to, and one
// that does not exist.
var fuzzPaths = []string{"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/nothing"}

// newFuzzServer returns a proxy over an in-memory router with two keys on
// a mock upstream and a hard budget, and the token of a virtual client
// limited to gpt-4o-mini.
func newFuzzServer(tb testing.TB) (http.Handler, string) {
	r, _ := mockRouter(tb, router.Options{})
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	for _, m := range []string{"gpt-4o-mini", "text-embedding-3-small", "gpt-3.5-turbo-instruct"} {
		must(r.RegisterModel(abi.Model{Provider: "openai", Name: m, Price: abi.Price{Input: 150_000, Output: 600_000}, ContextWindow: 128_000}))
	}
	must(r.RegisterKey(abi.Key{ID: "k1", Provider: "openai"}, "sk-fuzz-1"))
	must(r.RegisterKey(abi.Key{ID: "k2", Provider: "openai"}, "sk-fuzz-2"))
	must(r.SetBudget(abi.Budget{ID: "all", Period: abi.Monthly, Limit: 1000 * abi.Dollars, Enforcement: abi.Hard}))
	s, err := proxy.New(r, proxy.Config{ProxyKey: adminTestProxyKey, AdminToken: adminTestToken, MaxBodyBytes: 64 << 10})
	must(err)
	return s.Handler(), createClient(tb, s.Handler(), adminTestToken, `{"id":"vc","models":["gpt-4o-mini"]}`)
}

// validHeaderValue reports whether an HTTP server would accept v as a
// header value (it rejects control characters but tab).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// FuzzClientRequest sends the client API arbitrary requests — route,
// method, bearer token, content type, objective, request id, one more
// header and a body — and checks every answer: never a 500 or a panic; an
// error is OpenAI-shaped (JSON {"error":{"message","type","code"}});
// a success is a routed answer with the router's headers; no header value
// carries a control character.
//
//	go test ./hosts/internal/proxy -run '^$' -fuzz FuzzClientRequest -fuzztime 60s
func FuzzClientRequest(f *testing.F) {
	chat := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	for _, seed := range []struct {
		path, method, auth           byte
		ctype, objective, id, hk, hv string
		body                         string
	}{
		{0, 0, 1, "application/json", "", "", "", "", chat},
		{0, 0, 2, "application/json; charset=utf-8", "cost", "req-1", "OpenAI-Organization", "org-x", chat},
		{0, 0, 1, "application/json", `{"primary":"cost","secondary":["reliability"],"weights":{"cost":0.7,"reliability":0.3}}`, "", "", "",
			`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"messages":[{"role":"user","content":"a b c"}]}`},
		{1, 0, 1, "application/json", "", "", "", "", `{"model":"gpt-3.5-turbo-instruct","prompt":"say"}`},
		{2, 0, 1, "application/json", "", "", "", "", `{"model":"text-embedding-3-small","input":["a","b"]}`},
		{3, 1, 2, "", "", "", "", "", ""},
		{0, 0, 1, "application/json", "", "", "", "", `{"model":"gpt-4o-mini","max_tokens":-1}`},
		{0, 0, 1, "application/json", "", "", "", "", `{"model":"gpt-4o-mini","max_tokens":1e400,"messages":"x"}`},
		{0, 0, 1, "application/json", "", "", "", "", `{"model":["gpt-4o-mini"]}`},
		{0, 0, 2, "application/json", "", "", "", "", `{"model":"gpt-4o","messages":[]}`},
		{0, 0, 1, "text/plain", "", "", "", "", chat},
		{0, 0, 3, "application/json", "", "", "", "", chat},
		{0, 0, 1, "application/json", "{", "", "", "", chat},
		{0, 2, 1, "application/json", "", "", "", "", chat},
		{4, 0, 1, "application/json", "", "", "", "", chat},
		{0, 0, 1, "application/json", "", "", "", "", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + strings.Repeat("x", 70000) + `"}]}`},
	} {
		f.Add(seed.path, seed.method, seed.auth, seed.ctype, seed.objective, seed.id, seed.hk, seed.hv, []byte(seed.body))
	}
	h, virtualKey := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, pathSel, methodSel, authSel byte, ctype, objective, id, hk, hv string, body []byte) {
		for _, v := range []string{ctype, objective, id, hv} {
			if !validHeaderValue(v) {
				return // the HTTP server answers 400 before any handler
			}
		}
		path := fuzzPaths[int(pathSel)%len(fuzzPaths)]
		method := [...]string{"POST", "GET", "PUT"}[int(methodSel)%3]
		req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
		switch authSel % 4 {
		case 1:
			req.Header.Set("Authorization", "Bearer "+adminTestProxyKey)
		case 2:
			req.Header.Set("Authorization", "Bearer "+virtualKey)
		case 3:
			req.Header.Set("Authorization", "Bearer "+hv)
		}
		for k, v := range map[string]string{"Content-Type": ctype, "X-Apikeyrouter-Objective": objective, "X-Request-Id": id} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		if hk != "" && validHeaderName(hk) {
			req.Header.Add(hk, hv)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		resp := w.Result()
		for k, vs := range resp.Header {
			for _, v := range vs {
				if !validHeaderValue(v) {
					t.Fatalf("answer header %s: %q", k, v)
				}
			}
		}
		routed := resp.Header.Get("X-Apikeyrouter-Key-Id") != ""
		switch {
		case resp.StatusCode == http.StatusInternalServerError:
			t.Fatalf("500 for %s %s: %s", method, path, w.Body)
		case resp.StatusCode >= 400 && !openAIError(w.Body.Bytes()):
			t.Fatalf("%d for %s %s is not an OpenAI-shaped error: %q", resp.StatusCode, method, path, w.Body)
		case resp.StatusCode < 400 && path != "/v1/models" && !routed:
			t.Fatalf("%d for %s %s without the router's headers: %v", resp.StatusCode, method, path, resp.Header)
		}
	})
}

// validHeaderName reports whether name is an HTTP token.
func validHeaderName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return name != ""
}

// openAIError reports whether b is an error in OpenAI's shape.
func openAIError(b []byte) bool {
	var e struct {
		Error *struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    any    `json:"code"`
		} `json:"error"`
	}
	return json.Unmarshal(b, &e) == nil && e.Error != nil && e.Error.Message != "" && e.Error.Type != ""
}
