package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// The bearer tokens of the call tests.
const (
	callTestKey   = "proxy-key-for-calls"
	callTestAdmin = "admin-token-for-calls"
)

// callSecrets are the secrets of the call rig's keys k1, k2 and k3, which
// are tried in that order (tiers 0, 1, 2).
var callSecrets = [...]string{"sk-call-1", "sk-call-2", "sk-call-3"}

// callRig is a proxy over a router whose "openai" provider is the mock
// upstream reached through the in-process OpenAI adapter, serving
// gpt-4o-mini and gpt-4o (128,000-token contexts), with a virtual client
// limited to gpt-4o-mini. Requests are served in-process: when serve
// returns, the request's log line is written.
type callRig struct {
	t          *testing.T
	h          http.Handler
	r          *router.Router
	mock       *mockupstream.Server
	logs       *lockedBuffer
	virtualKey string
}

// lines returns the request log lines written so far.
func (b *lockedBuffer) lines() []requestLine {
	var out []requestLine
	for _, l := range strings.Split(b.String(), "\n") {
		var rl requestLine
		if json.Unmarshal([]byte(l), &rl) == nil && rl.Msg == "request" {
			out = append(out, rl)
		}
	}
	return out
}

// requestLine is what the tests read of a request's log line.
type requestLine struct {
	Msg      string `json:"msg"`
	Status   int    `json:"status"`
	Key      string `json:"key"`
	Provider string `json:"provider"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
	Cost     string `json:"cost_usd"`
}

func newCallRig(t *testing.T) *callRig {
	t.Helper()
	r, mock := mockRouter(t, router.Options{})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"gpt-4o-mini", "gpt-4o"} {
		must(r.RegisterModel(abi.Model{Provider: "openai", Name: m, Price: abi.Price{Input: 150_000, Output: 600_000}, ContextWindow: 128_000}))
	}
	for i, secret := range callSecrets {
		must(r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i+1)), Provider: "openai", Tier: int64(i)}, secret))
	}
	logs := &lockedBuffer{}
	s, err := proxy.New(r, proxy.Config{ProxyKey: callTestKey, AdminToken: callTestAdmin, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	must(err)
	g := &callRig{t: t, h: s.Handler(), r: r, mock: mock, logs: logs}
	g.virtualKey = createClient(t, g.h, callTestAdmin, `{"id":"vc","models":["gpt-4o-mini"]}`)
	return g
}

// serve serves req with token as its bearer, in-process; aborted reports
// that the handler aborted the response (http.ErrAbortHandler), as it
// does when an answer breaks off after its headers.
func (g *callRig) serve(req *http.Request, token string) (w *httptest.ResponseRecorder, aborted bool) {
	g.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if req.Body != http.NoBody && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w = httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	g.h.ServeHTTP(w, req)
	return w, false
}

// post sends body to path with the proxy key.
func (g *callRig) post(path, body string, header ...string) (*httptest.ResponseRecorder, bool) {
	g.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return g.serve(req, callTestKey)
}

// upstreamRequests counts the requests the mock upstream got.
func (g *callRig) upstreamRequests() int64 {
	var n int64
	for _, s := range callSecrets {
		n += g.mock.Requests(s)
	}
	return n
}

// lastLine returns the last request log line.
func (g *callRig) lastLine() requestLine {
	g.t.Helper()
	lines := g.logs.lines()
	if len(lines) == 0 {
		g.t.Fatal("no request log line")
	}
	return lines[len(lines)-1]
}

// clientError is an error answer in either API's shape.
type clientError struct {
	Type  string // Anthropic's "error"
	Error struct {
		Type, Message string
		Code          any
	}
}

// wantError checks that w is an error with status and, in OpenAI's shape
// (anthropic false), code; or in Anthropic's, with the error type for the
// status. Its message must contain each of msgParts.
func wantError(t *testing.T, w *httptest.ResponseRecorder, anthropic bool, status int, code string, msgParts ...string) {
	t.Helper()
	var e clientError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != status {
		t.Fatalf("%d %s; want %d %s", w.Code, w.Body, status, code)
	}
	if anthropic {
		if e.Type != "error" || e.Error.Type == "" || e.Error.Code != nil {
			t.Errorf("not an Anthropic error: %s", w.Body)
		}
	} else if e.Type != "" || e.Error.Code != code {
		t.Errorf("not an OpenAI error with code %s: %s", code, w.Body)
	}
	for _, p := range msgParts {
		if !strings.Contains(e.Error.Message, p) {
			t.Errorf("the message %q does not say %q", e.Error.Message, p)
		}
	}
}

// TestDeepJSONIsRefused: a body nested deeper than translate.MaxDepth is
// a 400 invalid_json naming the limit, before anything parses it (the
// six million levels here overflowed the stack of the process).
func TestDeepJSONIsRefused(t *testing.T) {
	g := newCallRig(t)
	for _, tc := range []struct {
		name, path, body string
	}{
		{"unclosed, chat", "/v1/chat/completions", `{"model":"gpt-4o-mini","a":` + strings.Repeat("[", 6_000_000)},
		{"unclosed, messages", "/v1/messages", `{"model":"gpt-4o-mini","a":` + strings.Repeat("[", 6_000_000)},
		{"valid, chat", "/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[],"a":` + strings.Repeat("[", 129) + strings.Repeat("]", 129) + `}`},
		{"objects, messages", "/v1/messages", `{"model":"gpt-4o-mini","max_tokens":5,"messages":[],"a":` + strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200) + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := g.post(tc.path, tc.body)
			wantError(t, w, tc.path == "/v1/messages", 400, "invalid_json", "deeper than 128")
		})
	}
	// The limit is the depth itself: 128 levels pass.
	ok := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":{"a":` + strings.Repeat("[", 126) + strings.Repeat("]", 126) + `}}`
	if w, _ := g.post("/v1/chat/completions", ok); w.Code == 400 && strings.Contains(w.Body.String(), "invalid_json") {
		t.Errorf("128 levels refused: %s", w.Body)
	}
}

// TestDuplicateKeysAreRefused: a top-level key given twice — also in
// another case, or escaped — is a 400 invalid_json naming it, and nothing
// goes upstream: the proxy reads the first, providers keep the last, so a
// client limited to gpt-4o-mini could get gpt-4o, or a 1-token max_tokens
// pass a hard budget's check for a 4,000-token answer.
func TestDuplicateKeysAreRefused(t *testing.T) {
	g := newCallRig(t)
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	for _, tc := range []struct {
		name, path, body, key string
	}{
		{"model twice", "/v1/chat/completions", `{"model":"gpt-4o-mini","model":"gpt-4o",` + msgs + `}`, `"model"`},
		{"model in capitals", "/v1/chat/completions", `{"model":"gpt-4o-mini","MODEL":"gpt-4o",` + msgs + `}`, `"MODEL"`},
		{"model escaped", "/v1/chat/completions", `{"model":"gpt-4o-mini","mod\u0065l":"gpt-4o",` + msgs + `}`, `"model"`},
		{"max_tokens twice", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":1,` + msgs + `,"max_tokens":4000}`, `"max_tokens"`},
		{"Messages max_tokens twice", "/v1/messages", `{"model":"gpt-4o-mini","max_tokens":1,` + msgs + `,"max_tokens":4000}`, `"max_tokens"`},
		{"Messages model in another case", "/v1/messages", `{"model":"gpt-4o-mini","max_tokens":1,"Model":"gpt-4o",` + msgs + `}`, `"Model"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
			w, _ := g.serve(req, g.virtualKey)
			wantError(t, w, tc.path == "/v1/messages", 400, "invalid_json", "duplicate key "+tc.key)
		})
	}
	if n := g.upstreamRequests(); n != 0 {
		t.Errorf("%d requests went upstream", n)
	}
}

// TestRequestFieldCodes: out-of-range token bounds are invalid_max_tokens
// and every objective the core would refuse is invalid_objective, with
// messages naming the field or header, as README's error table says.
func TestRequestFieldCodes(t *testing.T) {
	g := newCallRig(t)
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	for _, tc := range []struct {
		name, path, body, objective string
		status                      int
		code, msg                   string
	}{
		{"max_tokens 1e30", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":1e30,` + msgs + `}`, "", 400, "invalid_max_tokens", "max_tokens must be at most 68719476736"},
		{"max_tokens int64 max", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":9223372036854775807,` + msgs + `}`, "", 400, "invalid_max_tokens", "max_tokens must be at most"},
		{"max_tokens past the ceiling", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":68719476737,` + msgs + `}`, "", 400, "invalid_max_tokens", "at most 68719476736"},
		{"max_completion_tokens 1e30", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_completion_tokens":1e30,` + msgs + `}`, "", 400, "invalid_max_tokens", "max_completion_tokens must be at most"},
		{"Messages max_tokens 1e30", "/v1/messages", `{"model":"gpt-4o-mini","max_tokens":1e30,` + msgs + `}`, "", 400, "", "max_tokens must be at most"},
		{"negative", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":-1,` + msgs + `}`, "", 400, "invalid_max_tokens", "max_tokens must not be negative"},
		{"negative fraction", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_completion_tokens":-0.5,` + msgs + `}`, "", 400, "invalid_max_tokens", "must not be negative"},
		// The larger of two bounds counts: 200,000 does not fit the context.
		{"the larger bound counts", "/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":1,"max_completion_tokens":200000,` + msgs + `}`, "", 400, "context_length_exceeded", ""},
		{"five secondary goals", "/v1/chat/completions", `{"model":"gpt-4o-mini",` + msgs + `}`,
			`{"primary":"cost","secondary":["reliability","fairness","latency","quota","reliability"]}`, 400, "invalid_objective", "x-apikeyrouter-objective: at most 4 secondary goals"},
		{"a goal twice", "/v1/chat/completions", `{"model":"gpt-4o-mini",` + msgs + `}`,
			`{"primary":"cost","secondary":["cost"]}`, 400, "invalid_objective", "x-apikeyrouter-objective: secondary goal cost is unknown or repeated"},
		{"a goal weighted twice", "/v1/chat/completions", `{"model":"gpt-4o-mini",` + msgs + `}`,
			`{"primary":"cost","weights":{"cost":0.5,"COST":0.5}}`, 400, "invalid_objective", "x-apikeyrouter-objective: weight for goal cost is unknown or repeated"},
		{"weights summing to zero", "/v1/chat/completions", `{"model":"gpt-4o-mini",` + msgs + `}`,
			`{"primary":"cost","weights":{"cost":0}}`, 400, "invalid_objective", "x-apikeyrouter-objective: weights sum to zero"},
		{"an unknown goal", "/v1/chat/completions", `{"model":"gpt-4o-mini",` + msgs + `}`, "cheapest", 400, "invalid_objective", `x-apikeyrouter-objective: unknown goal "cheapest"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var header []string
			if tc.objective != "" {
				header = []string{"X-Apikeyrouter-Objective", tc.objective}
			}
			w, _ := g.post(tc.path, tc.body, header...)
			wantError(t, w, tc.path == "/v1/messages", tc.status, tc.code, tc.msg)
		})
	}
	if n := g.upstreamRequests(); n != 0 {
		t.Errorf("%d requests went upstream", n)
	}
	// At the ceiling, max_tokens is no longer the problem: the context is.
	w, _ := g.post("/v1/chat/completions", `{"model":"gpt-4o-mini","max_tokens":68719476736,`+msgs+`}`)
	wantError(t, w, false, 400, "context_length_exceeded")
}

// TestObjectiveRefusedAsTheCoreWould ties the proxy's check of the
// objective header to the core's rule (core.CheckObjective): the proxy
// answers 400 invalid_objective, and sends nothing upstream, exactly when
// the router refuses a route request with that objective as
// invalid_argument — its parser or the core — and says what the router
// says, after the header's name and without the parser's "objective: ".
// Every other objective is routed.
func TestObjectiveRefusedAsTheCoreWould(t *testing.T) {
	g := newCallRig(t)
	objectives := []string{
		// Taken.
		"", "cost", " Latency ", "QUOTA", `{"primary":"cost"}`,
		`{"primary":"cost","secondary":["reliability","fairness","latency","quota"]}`,
		`{"primary":"cost","weights":{"cost":1000}}`,
		`{"primary":"fairness","secondary":["cost"],"weights":{"quota":0.5}}`,
		`{"primary":"cost","weights":{"cost":0,"latency":0.001}}`,
		// Refused by the core's rule.
		`{"primary":"cost","secondary":["reliability","fairness","latency","quota","reliability"]}`,
		`{"primary":"cost","secondary":["cost"]}`,
		`{"primary":"cost","secondary":["latency","Latency"]}`,
		`{"primary":"cost","weights":{"cost":0.5,"COST":0.5}}`,
		`{"primary":"cost","weights":{"cost":1,"COST":1,"Cost":1,"cOST":1,"coST":1,"cosT":1,"CoSt":1}}`,
		`{"primary":"cost","weights":{"cost":0}}`,
		`{"primary":"cost","weights":{"cost":0.0004,"quota":0.0004}}`,
		// Refused by the parser.
		"cheapest", "default", "{}", `{"secondary":["cost"]}`, `{"primary":`, `{"primary":"cost","extra":1}`,
		`{"primary":"cost","weights":{"cost":-1}}`, `{"primary":"cost","weights":{"cost":1000.001}}`,
		`{"primary":"cost","weights":{"speed":1}}`,
	}
	// And random mixes: goal names in any case, repeated, with weights
	// around the bounds.
	rng := rand.New(rand.NewPCG(7, 11))
	for range 300 {
		objectives = append(objectives, randomObjective(rng))
	}
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	for _, s := range objectives {
		_, err := g.r.Route(router.Request{Model: "gpt-4o-mini", Objective: s, DryRun: true})
		var ref *router.Refusal
		refused := errors.As(err, &ref) && ref.Code == abi.InvalidArgument
		if err != nil && !refused {
			t.Fatalf("%s: the router: %v", s, err)
		}
		upstream := g.upstreamRequests()
		w, _ := g.post("/v1/chat/completions", body, "X-Apikeyrouter-Objective", s)
		var e clientError
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		switch {
		case refused:
			want := "x-apikeyrouter-objective: " + strings.TrimPrefix(ref.Message, "objective: ")
			if w.Code != 400 || e.Error.Code != "invalid_objective" || e.Error.Message != want {
				t.Errorf("%s: the router refuses it (%s), the proxy answered %d %s; want 400 invalid_objective %q",
					s, ref.Message, w.Code, w.Body, want)
			}
			if n := g.upstreamRequests(); n != upstream {
				t.Errorf("%s: refused, but %d requests went upstream", s, n-upstream)
			}
		case w.Code != 200:
			t.Errorf("%s: the router takes it, the proxy answered %d %s", s, w.Code, w.Body)
		}
	}
}

// randomObjective returns an objective header: mostly a JSON mix of goal
// names (in any case, maybe repeated) and weights near the bounds.
func randomObjective(rng *rand.Rand) string {
	names := []string{"cost", "reliability", "fairness", "latency", "quota", "COST", " Quota", "Latency", "speed", ""}
	weights := []string{"0", "0.0004", "0.0005", "0.3", "1", "999.9999", "1000", "1000.0001", "-0.001", "null"}
	name := func() string { return `"` + names[rng.IntN(len(names)-2)+2*rng.IntN(2)] + `"` }
	if rng.IntN(10) == 0 {
		return strings.Trim(name(), `"`)
	}
	var b strings.Builder
	b.WriteString(`{"primary":` + name())
	if rng.IntN(3) > 0 {
		b.WriteString(`,"secondary":[`)
		for i := range rng.IntN(7) {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(name())
		}
		b.WriteString("]")
	}
	if rng.IntN(3) > 0 {
		b.WriteString(`,"weights":{`)
		for i := range rng.IntN(8) {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(name() + ":" + weights[rng.IntN(len(weights))])
		}
		b.WriteString("}")
	}
	return b.String() + "}"
}

// TestWrongMethod: a client route asked with a method it does not serve is
// a 405 with Allow (not a 404), in Anthropic's shape under /v1/messages;
// unknown paths there are Anthropic-shaped 404s.
func TestWrongMethod(t *testing.T) {
	g := newCallRig(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/chat/completions", 405, "POST"},
		{"PUT", "/v1/chat/completions", 405, "POST"},
		{"DELETE", "/v1/embeddings", 405, "POST"},
		{"GET", "/v1/completions", 405, "POST"},
		{"GET", "/v1/messages", 405, "POST"},
		{"PATCH", "/v1/messages", 405, "POST"},
		{"POST", "/v1/models", 405, "GET, HEAD"},
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"POST", "/v1/messages/count_tokens", 404, ""},
		{"GET", "/v1/nothing", 404, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w, _ := g.serve(httptest.NewRequest(tc.method, tc.path, nil), callTestKey)
			code := map[int]string{404: "not_found", 405: "method_not_allowed"}[tc.status]
			wantError(t, w, strings.HasPrefix(tc.path, "/v1/messages"), tc.status, code, tc.path)
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow: %q, want %q", got, tc.allow)
			}
		})
	}
	// The routes' own methods still win.
	if w, _ := g.serve(httptest.NewRequest("GET", "/v1/models", nil), callTestKey); w.Code != 200 {
		t.Errorf("GET /v1/models: %d %s", w.Code, w.Body)
	}
}

// keyPool returns the first pool of key id.
func (g *callRig) keyPool(id abi.KeyID) abi.PoolState {
	g.t.Helper()
	for _, k := range g.r.Snapshot().Keys {
		if k.Key.ID == id && len(k.Pools) > 0 {
			return k.Pools[0]
		}
	}
	g.t.Fatalf("key %s has no pool", id)
	return abi.PoolState{}
}

// TestBrokenAnswerFailsOver: an answer (not a stream) that breaks off
// after its headers — the connection reset mid-body, or the JSON cut
// short — is read whole before the client sees any of it, so it fails
// over like a connection error: the client gets the next key's whole
// answer, and the broken keys' health records the failures.
func TestBrokenAnswerFailsOver(t *testing.T) {
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		t.Run(path, func(t *testing.T) {
			g := newCallRig(t)
			g.mock.SetFault(callSecrets[0], mockupstream.Fault{Reset: mockupstream.MidStream})
			g.mock.SetFault(callSecrets[1], mockupstream.Fault{Malformed: true})
			w, aborted := g.post(path, `{"model":"gpt-4o-mini","max_tokens":50,"messages":[{"role":"user","content":"fail over"}]}`)
			if aborted || w.Code != 200 || !json.Valid(w.Body.Bytes()) || w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
				t.Fatalf("aborted %v, %d %v %s", aborted, w.Code, w.Header(), w.Body)
			}
			if key, attempts := w.Header().Get("X-Apikeyrouter-Key-Id"), w.Header().Get("X-Apikeyrouter-Attempts"); key != "k3" || attempts != "3" {
				t.Errorf("answered by %s after %s attempts, want k3 after 3", key, attempts)
			}
			if l := g.lastLine(); l.Status != 200 || l.Key != "k3" || l.Attempts != 3 || l.Error != "" {
				t.Errorf("logged %+v", l)
			}
			for _, id := range []abi.KeyID{"k1", "k2"} {
				if p := g.keyPool(id); p.FailStreak != 1 || p.SuccessSamples != 1 {
					t.Errorf("%s's health did not record its broken answer: %+v", id, p)
				}
			}
			if p := g.keyPool("k3"); p.FailStreak != 0 || p.SuccessSamples != 1 {
				t.Errorf("k3: %+v", p)
			}
		})
	}
}

// TestBrokenAnswerEverywhereIs502: when every key's answer breaks off, the
// client gets a 502 upstream_unavailable in its API's shape saying so,
// not an empty reply; the log line has the attempts and the last key.
func TestBrokenAnswerEverywhereIs502(t *testing.T) {
	g := newCallRig(t)
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		for _, s := range callSecrets {
			g.mock.SetFault(s, mockupstream.Fault{Reset: mockupstream.MidStream, Times: 1})
		}
		w, aborted := g.post(path, `{"model":"gpt-4o-mini","max_tokens":50,"messages":[{"role":"user","content":"break"}]}`)
		if aborted {
			t.Fatalf("%s: the response was aborted", path)
		}
		wantError(t, w, path == "/v1/messages", 502, "upstream_unavailable", "the provider's answer broke off", "3 attempt(s)")
		if l := g.lastLine(); l.Status != 502 || l.Attempts != 3 || l.Key != "k3" || l.Provider != "openai" || l.Error != "upstream_unavailable" {
			t.Errorf("%s: logged %+v", path, l)
		}
	}
}

// TestFailedAttemptsAreLogged: when no provider answers at all, the log
// line says how many attempts were made and the last key, as the body
// does.
func TestFailedAttemptsAreLogged(t *testing.T) {
	g := newCallRig(t)
	for _, s := range callSecrets {
		g.mock.SetFault(s, mockupstream.Fault{Reset: mockupstream.BeforeHeaders})
	}
	w, _ := g.post("/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`)
	wantError(t, w, false, 502, "upstream_unavailable", "after 3 attempt(s)")
	if l := g.lastLine(); l.Status != 502 || l.Attempts != 3 || l.Key != "k3" || l.Provider != "openai" {
		t.Errorf("logged %+v", l)
	}
}

// TestBrokenMessagesStream: a Messages stream whose provider breaks off —
// a malformed event, or the connection reset — ends with Anthropic's
// error event (api_error), never message_stop, and the response is
// aborted; the log line has the status the client got and
// upstream_broke_off.
func TestBrokenMessagesStream(t *testing.T) {
	g := newCallRig(t)
	for _, fault := range []mockupstream.Fault{{Malformed: true}, {Reset: mockupstream.MidStream}} {
		for _, s := range callSecrets {
			g.mock.SetFault(s, fault)
		}
		w, aborted := g.post("/v1/messages", `{"model":"gpt-4o-mini","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"one two three four"}]}`)
		body := w.Body.String()
		if !aborted || w.Code != 200 || strings.Contains(body, "message_stop") ||
			!strings.HasSuffix(body, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"the provider's stream broke off\"}}\n\n") {
			t.Errorf("%+v: aborted %v, %d:\n%s", fault, aborted, w.Code, body)
		}
		if l := g.lastLine(); l.Status != 200 || l.Error != "upstream_broke_off" {
			t.Errorf("%+v: logged %+v", fault, l)
		}
	}
}

// scriptedAdapter answers every call with a stream read from its pipe.
type scriptedAdapter struct {
	body io.ReadCloser
}

func (a *scriptedAdapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "scripted", Formats: []string{sdk.FormatOpenAI}, Endpoints: []string{sdk.EndpointChatCompletions}}, nil
}

func (a *scriptedAdapter) EstimateTokens(context.Context, *sdk.Request) (int64, error) {
	return 10, nil
}

func (a *scriptedAdapter) Do(context.Context, *sdk.Request) (*sdk.Response, error) {
	return &sdk.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Result: abi.Success,
		Body: sdk.NewBody(a.body, nil)}, nil
}

func (a *scriptedAdapter) Models(context.Context, *sdk.Request) ([]sdk.Model, error) { return nil, nil }

// newScriptedProxy serves a proxy whose one key answers with body.
func newScriptedProxy(t *testing.T, body io.ReadCloser) (http.Handler, *lockedBuffer) {
	t.Helper()
	r, err := router.New(router.Options{Adapters: map[string]sdk.Adapter{"scripted": &scriptedAdapter{body: body}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "p", AdapterName: "scripted"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "p", Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "p-1", Provider: "p"}, "sk-p"); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	s, err := proxy.New(r, proxy.Config{ProxyKey: callTestKey, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler(), logs
}

// failingWriter is a client that went away after its first write.
type failingWriter struct {
	*httptest.ResponseRecorder
	writes int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.writes++; w.writes > 1 {
		return 0, errors.New("write: broken pipe")
	}
	return w.ResponseRecorder.Write(p)
}

// TestClientHangUpIsLogged499: a client that goes away mid-stream is
// logged as 499 client_closed_request — not as the provider breaking off
// — whether its hang-up shows as a failed write or as its request's
// context ending before the answer is cut.
func TestClientHangUpIsLogged499(t *testing.T) {
	const chunk = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n"
	stream := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	newRequest := func(ctx context.Context) *http.Request {
		req := httptest.NewRequestWithContext(ctx, "POST", "/v1/chat/completions", strings.NewReader(stream))
		req.Header.Set("Authorization", "Bearer "+callTestKey)
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	t.Run("a failed write", func(t *testing.T) {
		chunks := io.MultiReader(strings.NewReader(chunk), strings.NewReader(chunk), strings.NewReader(chunk)) // a chunk a read
		h, logs := newScriptedProxy(t, io.NopCloser(chunks))
		w := &failingWriter{ResponseRecorder: httptest.NewRecorder()}
		h.ServeHTTP(w, newRequest(context.Background()))
		if lines := logs.lines(); len(lines) != 1 || lines[0].Status != 499 || lines[0].Error != "client_closed_request" {
			t.Errorf("logged %+v", lines)
		}
	})
	t.Run("the request's context", func(t *testing.T) {
		pr, pw := io.Pipe()
		h, logs := newScriptedProxy(t, pr)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan bool)
		go func() {
			aborted := false
			defer func() {
				aborted = recover() == http.ErrAbortHandler
				done <- aborted
			}()
			h.ServeHTTP(httptest.NewRecorder(), newRequest(ctx))
		}()
		if _, err := pw.Write([]byte(chunk)); err != nil { // returns once the proxy has read it
			t.Fatal(err)
		}
		cancel()                                          // the client goes away,
		pw.CloseWithError(errors.New("connection reset")) // then the answer is cut
		if aborted := <-done; aborted {
			t.Error("the response to a client that went away was aborted as broken")
		}
		if lines := logs.lines(); len(lines) != 1 || lines[0].Status != 499 || lines[0].Error != "client_closed_request" {
			t.Errorf("logged %+v", lines)
		}
	})
}

// waitingAdapter is a provider that never answers: its calls end with
// their context.
type waitingAdapter struct{ scriptedAdapter }

func (a *waitingAdapter) Do(ctx context.Context, _ *sdk.Request) (*sdk.Response, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestRequestTimeoutIs504: a request whose deadline passes before any
// provider answered is a 504 upstream_unavailable, as README's table
// says of timeouts, not a 500.
func TestRequestTimeoutIs504(t *testing.T) {
	r, err := router.New(router.Options{Adapters: map[string]sdk.Adapter{"waiting": &waitingAdapter{}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "p", AdapterName: "waiting"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "p", Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "p-1", Provider: "p"}, "sk-p"); err != nil {
		t.Fatal(err)
	}
	s, err := proxy.New(r, proxy.Config{ProxyKey: callTestKey, RequestTimeout: 1}) // 1 ns
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
	req.Header.Set("Authorization", "Bearer "+callTestKey)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	wantError(t, w, false, 504, "upstream_unavailable", "request timeout")
}

// Interface guards
var (
	_ sdk.Adapter = (*scriptedAdapter)(nil)
	_ sdk.Adapter = (*waitingAdapter)(nil)
)
