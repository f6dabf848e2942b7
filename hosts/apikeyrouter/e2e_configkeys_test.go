package main

import (
	"strings"
	"testing"
)

// TestConfigDefinedKeysAreReadOnly: a key the config file defines is
// registered from there at every start, so the admin API refuses changes
// the next start would undo, and says where to make them; its state and
// keys added through the API stay the API's.
func TestConfigDefinedKeysAreReadOnly(t *testing.T) {
	p := start(t, newFleet(t).env...)
	for _, c := range []struct{ method, path, body string }{
		{"PATCH", "/admin/v1/keys/mock-1", `{"weight":3}`},
		{"POST", "/admin/v1/keys/mock-1/rotate", `{"secret":"sk-e2e-rotated-1111"}`},
		{"DELETE", "/admin/v1/keys/mock-1", ""},
	} {
		resp, body := p.call(c.method, c.path, adminToken, "application/json", []byte(c.body))
		if resp.StatusCode != 409 || !strings.Contains(body, "defined_by_config") || !strings.Contains(body, "config file") {
			t.Errorf("%s %s: %d %s, want 409 defined_by_config naming the config file", c.method, c.path, resp.StatusCode, body)
		}
	}
	if resp, body := p.call("POST", "/admin/v1/keys/mock-1/disable", adminToken, "", nil); resp.StatusCode != 200 {
		t.Errorf("disable a configured key: %d %s", resp.StatusCode, body)
	}
	resp, body := p.call("POST", "/admin/v1/keys", adminToken, "application/json",
		[]byte(`{"id":"mock-api","provider":"mock","secret":"sk-e2e-api-added-2222"}`))
	if resp.StatusCode != 201 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	if resp, body := p.call("PATCH", "/admin/v1/keys/mock-api", adminToken, "application/json", []byte(`{"weight":3}`)); resp.StatusCode != 200 {
		t.Errorf("PATCH a key added through the API: %d %s", resp.StatusCode, body)
	}
}

// TestKeysTheConfigDropsAreRemoved: a key or budget taken out of the
// configuration is removed at the next start (a leaked key taken out of
// the environment must stop serving); what the admin API added stays.
func TestKeysTheConfigDropsAreRemoved(t *testing.T) {
	f := newFleet(t)
	p := start(t, f.env...)
	if resp, body := p.call("POST", "/admin/v1/keys", adminToken, "application/json",
		[]byte(`{"id":"mock-api","provider":"mock","secret":"sk-e2e-api-added-3333"}`)); resp.StatusCode != 201 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	f.editConfig(t, func(cfg string) string {
		var kept []string
		for _, line := range strings.Split(cfg, "\n") {
			if !strings.Contains(line, "id: mock-3") && !strings.Contains(line, "id: monthly") && line != "budgets:" {
				kept = append(kept, line)
			}
		}
		return strings.Join(kept, "\n")
	})

	p = start(t, f.env...)
	var keys struct{ Keys []struct{ ID string } }
	p.adminGet("/admin/v1/keys", &keys)
	var ids []string
	for _, k := range keys.Keys {
		ids = append(ids, k.ID)
	}
	if strings.Join(ids, " ") != "mock-1 mock-2 mock-api" {
		t.Errorf("keys after the restart: %v, want mock-1 mock-2 mock-api", ids)
	}
	if resp, body := p.call("GET", "/admin/v1/budgets/monthly", adminToken, "", nil); resp.StatusCode != 404 {
		t.Errorf("the dropped budget: %d %s, want 404", resp.StatusCode, body)
	}
	if !strings.Contains(p.logs.String(), "the configuration no longer defines it") {
		t.Error("the removal was not logged")
	}
}
