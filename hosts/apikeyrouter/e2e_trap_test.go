package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

// TestCoreTrapThroughTheProxy runs the proxy on the test-only core module
// (-tags akrcrash), whose apply traps on an event that holds
// "akrcrash-trap", and registers such a key through the admin API: the
// core traps on it (twice: the router retries once). The request is
// refused with an OpenAI-style 500 and nothing half-done — no key listed,
// none after a restart; the core is rebuilt from its snapshot and journal
// with every earlier charge and key, and goes on serving; a kill -9 after
// that loses nothing either.
func TestCoreTrapThroughTheProxy(t *testing.T) {
	module, _, err := wasmbuild.Build(t.TempDir(), "core-akrcrash.wasm", "akrcrash")
	if err != nil {
		t.Fatal(err)
	}
	f := newFleet(t, "APIKEYROUTER_CORE_WASM="+module)
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	ctx := context.Background()
	chats := func(n int) {
		t.Helper()
		for i := range n {
			if x := c.chat(ctx, chatRequest{text: "before and after a trap", stream: i%2 == 1}); !x.ok() {
				t.Fatalf("chat %d: %v", i, &x)
			}
		}
	}
	chats(6)
	spent, samples := adminSpent(t, p), servedSamples(p)

	resp, body := p.call("POST", "/admin/v1/keys", adminToken, "application/json",
		[]byte(`{"id":"akrcrash-trap","provider":"mock","secret":"sk-e2e-trap-4444"}`))
	var e struct {
		Error struct{ Type, Code, Message string }
	}
	if resp.StatusCode != 500 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Message == "" {
		t.Fatalf("a key the core traps on: %d %s, want a 500 with an OpenAI-style error", resp.StatusCode, body)
	}
	if strings.Contains(body, "sk-e2e-trap-4444") {
		t.Errorf("the error names the secret: %s", body)
	}
	if got := len(logLines(p, "core call failed, retrying once")); got != 1 {
		t.Errorf("%d retries logged, want 1:\n%s", got, p.logs)
	}
	check := func(when string) {
		t.Helper()
		if got := adminSpent(t, p); got != spent {
			t.Errorf("%s: spend %d, want %d", when, got, spent)
		}
		if got := servedSamples(p); got != samples {
			t.Errorf("%s: %d answers in the keys' health, want %d", when, got, samples)
		}
		for _, k := range listKeys(p) {
			if k.ID == "akrcrash-trap" {
				t.Errorf("%s: the key the core trapped on is listed: %+v", when, k)
			}
		}
	}
	check("after the trap")

	chats(4)
	spent, samples = adminSpent(t, p), servedSamples(p)
	p.kill()
	p = start(t, f.env...)
	check("after a kill -9 and a restart")
	c2 := newLoadClient(p, 30*time.Second)
	defer c2.close()
	if x := c2.chat(ctx, chatRequest{text: "after the restart"}); !x.ok() {
		t.Fatalf("chat after the restart: %v", &x)
	}
}

// servedSamples is how many answers the keys' health has counted, all
// pools together.
func servedSamples(p *proc) int64 {
	var n int64
	for _, k := range listKeys(p) {
		for _, pl := range k.Pools {
			n += pl.Samples
		}
	}
	return n
}

// listKeys returns GET /admin/v1/keys.
func listKeys(p *proc) []keyView {
	var list struct{ Keys []keyView }
	p.adminGet("/admin/v1/keys", &list)
	return list.Keys
}
