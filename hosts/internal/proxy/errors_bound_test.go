package proxy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// An error quoting what the client sent does not send a 200 KB id back
// whole: its message is cut at 1 KiB, on a character's start.
func TestErrorMessagesAreBounded(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	id := strings.Repeat("é", 100_000) // not a valid id, 200 KB
	resp, body := g.send("POST", "/admin/v1/keys", adminTestToken, `{"id":"`+id+`","provider":"openai","secret":"sk-bounded-1"}`)
	if resp.StatusCode != 400 {
		t.Fatalf("status %d: %.200s", resp.StatusCode, body)
	}
	var e struct{ Error struct{ Message string } }
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%v: %.200s", err, body)
	}
	m := e.Error.Message
	if len(body) > 2048 || len(m) > 1024 || !strings.HasSuffix(m, "…") || !utf8.ValidString(m) {
		t.Errorf("a %d-byte body, message of %d bytes (%q…)", len(body), len(m), m[:min(len(m), 80)])
	}
}
