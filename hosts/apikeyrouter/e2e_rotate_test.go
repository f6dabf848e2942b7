package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRotateMasterKey: rotate-master-key re-wraps the stored secrets' data
// key; the proxy then starts with the new key, serves with the secrets it
// stored, and refuses the old key with a clear error.
func TestRotateMasterKey(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ENCRYPTION_KEY=old-master-key")
	p := start(t, f.env...)
	// A key added through the admin API exists only in the store.
	resp, body := p.call("POST", "/admin/v1/keys", adminToken, "application/json",
		[]byte(`{"id":"mock-admin","provider":"mock","secret":"sk-e2e-admin-added-9999"}`))
	if resp.StatusCode != 201 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	rotate := exec.Command(filepath.Join(bins, "apikeyrouter"), "rotate-master-key")
	rotate.Env = append(append([]string{}, f.env...), "APIKEYROUTER_NEW_ENCRYPTION_KEY=new-master-key")
	if out, err := rotate.CombinedOutput(); err != nil || !strings.Contains(string(out), "rotated") {
		t.Fatalf("rotate-master-key: %v\n%s", err, out)
	}

	newEnv := append(append([]string{}, f.env...), "APIKEYROUTER_ENCRYPTION_KEY=new-master-key")
	p = start(t, newEnv...)
	servesWithStoredSecret(t, p, f, "sk-e2e-admin-added-9999")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}

	old := exec.Command(filepath.Join(bins, "apikeyrouter"), "serve")
	old.Env = append(append([]string{"PATH=" + os.Getenv("PATH")}, f.env...), "PROXY_PORT=1")
	out, err := old.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "wrong master key") {
		t.Fatalf("the old key was not refused clearly: %v\n%s", err, out)
	}
}

// servesWithStoredSecret disables the configured keys and makes a call: only
// the key added through the admin API may serve it, so the secret the mock
// sees must be the one that came back from the store after a rotation.
func servesWithStoredSecret(t *testing.T, p *proc, f *fleet, secret string) {
	t.Helper()
	for _, id := range []string{"mock-1", "mock-2", "mock-3"} {
		p.call("POST", "/admin/v1/keys/"+id+"/disable", adminToken, "", nil)
	}
	c := client(p)
	if _, err := c.Chat.Completions.New(context.Background(), chatParams("after the rotation")); err != nil {
		t.Fatalf("a call after the rotation: %v", err)
	}
	if f.mock.Requests(secret) != 1 {
		t.Fatal("the stored secret was not the one used")
	}
}
