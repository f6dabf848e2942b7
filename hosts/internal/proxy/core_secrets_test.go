package proxy_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// recordingEngine runs the native core and keeps a copy of every message
// sent to it and every answer.
type recordingEngine struct {
	router.Engine
	mu       sync.Mutex
	messages [][]byte
}

func (e *recordingEngine) keep(b []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.messages = append(e.messages, bytes.Clone(b))
}

func (e *recordingEngine) recorded() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.messages
}

func (e *recordingEngine) Apply(ctx context.Context, in []byte) ([]byte, error) {
	e.keep(in)
	out, err := e.Engine.Apply(ctx, in)
	e.keep(out)
	return out, err
}

func (e *recordingEngine) Route(ctx context.Context, in []byte) ([]byte, error) {
	e.keep(in)
	out, err := e.Engine.Route(ctx, in)
	e.keep(out)
	return out, err
}

func (e *recordingEngine) Snapshot(ctx context.Context) ([]byte, error) {
	out, err := e.Engine.Snapshot(ctx)
	e.keep(out)
	return out, err
}

func (e *recordingEngine) Restore(ctx context.Context, snap []byte) error {
	e.keep(snap)
	return e.Engine.Restore(ctx, snap)
}

// TestCoreNeverSeesASecret records every byte that crosses into and out
// of the core while keys are registered (through the admin API and the
// router), rotated, used — answers, a 401 that fails over, streams, a
// virtual key, every admin route — and while a restarted router restores
// the state and replays the journal: no provider secret and no bearer
// token is ever among them. The core gets key ids only.
func TestCoreNeverSeesASecret(t *testing.T) {
	dir := t.TempDir()
	rec := &recordingEngine{Engine: router.NativeEngine()}
	g := newAdminRig(t, router.Options{Engine: rec, DataDir: dir, MasterKey: []byte("core secrets test")})
	secrets := []string{"sk-core-never-1111", "sk-core-never-2222", "sk-core-never-rotated-3333",
		"sk-new-secret-123", "sk-rotated-secret-1"} // the last two: adminPaths'
	g.ok("POST", "/admin/v1/keys", map[string]any{"id": "a1", "provider": "openai", "secret": secrets[0]}, http.StatusCreated, nil)
	if err := g.r.RegisterKey(abi.Key{ID: "d1", Provider: "openai"}, secrets[1]); err != nil {
		t.Fatal(err)
	}
	g.mock.SetFault(secrets[1], mockupstream.Fault{Status: 401, Times: 1})
	var c clientJSON
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "vc"}, http.StatusCreated, &c)
	token := *c.Token
	for i := range 6 {
		tok := adminTestProxyKey
		if i%2 == 1 {
			tok = token
		}
		if resp, raw := g.send("POST", "/v1/chat/completions", tok,
			`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: %d %s", i, resp.StatusCode, raw)
		}
		if resp, raw := g.chat(tok, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat %d: %d %s", i, resp.StatusCode, raw)
		}
	}
	g.ok("POST", "/admin/v1/keys/a1/rotate", map[string]any{"secret": secrets[2]}, http.StatusOK, nil)
	g.addKeys(1)
	for _, p := range adminPaths {
		var body any
		if p.body != "" {
			body = p.body
		}
		g.admin(p.method, p.path, body)
	}
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat after the rotation: %d %s", resp.StatusCode, raw)
	}
	if err := g.r.Close(); err != nil {
		t.Fatal(err)
	}
	restarted := &recordingEngine{Engine: router.NativeEngine()}
	r, err := router.New(router.Options{Engine: restarted, DataDir: dir, MasterKey: []byte("core secrets test")})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	messages := append(rec.recorded(), restarted.recorded()...)
	if len(restarted.recorded()) == 0 || g.mock.Requests(secrets[1]) == 0 {
		t.Fatalf("the test did not exercise what it checks: %d messages after the restart, %d calls with the 401 key",
			len(restarted.recorded()), g.mock.Requests(secrets[1]))
	}
	var n int
	for _, m := range messages {
		n += len(m)
		for _, s := range append(secrets, token, adminTestProxyKey, adminTestToken) {
			if bytes.Contains(m, []byte(s)) {
				t.Fatalf("a message to or from the core holds %q: %q", s, m)
			}
		}
	}
	t.Logf("figures: messages=%d bytes=%d secrets_found=0", len(messages), n)
}
