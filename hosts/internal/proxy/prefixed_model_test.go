package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestPrefixedModelName: a model named as LLM-API-Key-Proxy's clients name
// it, "openai/gpt-4o-mini", is served by openai as gpt-4o-mini (the mock
// upstream echoes the model it was sent); the log line keeps the client's
// name, the headers say which provider served it. A virtual client's
// allowed models are the providers' names.
func TestPrefixedModelName(t *testing.T) {
	g := newCallRig(t)
	chat := func(model string) string {
		return `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]}`
	}
	for _, stream := range []bool{false, true} {
		body := chat("openai/gpt-4o-mini")
		if stream {
			body = strings.Replace(body, `{`, `{"stream":true,`, 1)
		}
		w, _ := g.post("/v1/chat/completions", body)
		if w.Code != http.StatusOK || w.Header().Get("X-Apikeyrouter-Provider") != "openai" {
			t.Fatalf("stream %v: %d from %q: %s", stream, w.Code, w.Header().Get("X-Apikeyrouter-Provider"), w.Body)
		}
		if !strings.Contains(w.Body.String(), `"model":"gpt-4o-mini"`) || strings.Contains(w.Body.String(), "openai/") {
			t.Fatalf("stream %v: the upstream was not sent gpt-4o-mini: %s", stream, w.Body)
		}
		if l := g.lastModelLine(); l.Model != "openai/gpt-4o-mini" || l.Provider != "openai" {
			t.Fatalf("stream %v: logged model %q provider %q; want the client's name and openai", stream, l.Model, l.Provider)
		}
	}

	req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chat("openai/gpt-4o-mini")))
	if w, _ := g.serve(req, g.virtualKey); w.Code != http.StatusOK {
		t.Fatalf("a client allowed gpt-4o-mini asking for openai/gpt-4o-mini: %d %s", w.Code, w.Body)
	}
	req = httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chat("openai/gpt-4o")))
	w, _ := g.serve(req, g.virtualKey)
	wantError(t, w, false, http.StatusForbidden, "model_not_allowed", `"gpt-4o"`)

	w, _ = g.post("/v1/chat/completions", chat("openai/gpt-5-nope"))
	wantError(t, w, false, http.StatusNotFound, "model_not_found", `"openai/gpt-5-nope"`)
	w, _ = g.post("/v1/chat/completions", chat("groq/gpt-4o-mini"))
	wantError(t, w, false, http.StatusNotFound, "model_not_found", `"groq/gpt-4o-mini"`)
}

// TestExplainPrefixedModelName: the admin API's explain reads model names
// as calls do, and refuses a prefix naming another provider than the pin.
func TestExplainPrefixedModelName(t *testing.T) {
	g := newCallRig(t)
	if err := g.r.SetProvider(router.Provider{ID: "groq"}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterModel(abi.Model{Provider: "groq", Name: "gpt-4o-mini"}); err != nil {
		t.Fatal(err)
	}
	explain := func(body string) *httptest.ResponseRecorder {
		w, _ := g.serve(httptest.NewRequest("POST", "/admin/v1/explain", strings.NewReader(body)), callTestAdmin)
		return w
	}
	for _, body := range []string{`{"model":"openai/gpt-4o-mini"}`, `{"model":"openai/gpt-4o-mini","provider":"openai"}`} {
		w := explain(body)
		var d struct {
			Routed   bool
			Provider string
			Model    string
		}
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || w.Code != http.StatusOK || !d.Routed || d.Provider != "openai" || d.Model != "gpt-4o-mini" {
			t.Fatalf("explain %s: %d %s", body, w.Code, w.Body)
		}
	}
	wantError(t, explain(`{"model":"openai/gpt-4o-mini","provider":"groq"}`), false, http.StatusBadRequest, "invalid_argument",
		`"openai/gpt-4o-mini"`, "openai", "groq")
}

// modelLine is a request log line's model and provider.
type modelLine struct {
	Msg, Model, Provider string
}

// lastModelLine returns the model and provider of the last request log line.
func (g *callRig) lastModelLine() modelLine {
	g.t.Helper()
	g.logs.mu.Lock()
	defer g.logs.mu.Unlock()
	var last modelLine
	for _, l := range strings.Split(g.logs.buf.String(), "\n") {
		var ml modelLine
		if json.Unmarshal([]byte(l), &ml) == nil && ml.Msg == "request" {
			last = ml
		}
	}
	if last.Msg == "" {
		g.t.Fatal("no request log line")
	}
	return last
}
