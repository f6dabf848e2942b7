package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rotateCmd runs apikeyrouter rotate-master-key with env and the new key.
func rotateCmd(t *testing.T, env []string, next string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bins, "apikeyrouter"), "rotate-master-key")
	cmd.Env = append(append([]string{}, env...), "APIKEYROUTER_NEW_ENCRYPTION_KEY="+next)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rotate-master-key: %v\n%s", err, out)
	}
	return string(out)
}

// TestRotateMasterKeyInDataDir: with no APIKEYROUTER_ENCRYPTION_KEY, the
// master key lives in the data dir's master.key, and rotate-master-key
// leaves the new key there. A kill after the rotation committed but before
// master.key.new was moved over master.key (the state is made by hand:
// the old key back in master.key, the new one in master.key.new) loses no
// key: the next start finishes the move, says so, and serves with the
// stored secrets.
func TestRotateMasterKeyInDataDir(t *testing.T) {
	f := newFleet(t)
	p := start(t, f.env...)
	resp, body := p.call("POST", "/admin/v1/keys", adminToken, "application/json",
		[]byte(`{"id":"mock-admin","provider":"mock","secret":"sk-e2e-admin-added-7777"}`))
	if resp.StatusCode != 201 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(f.dataDir, "master.key")
	old, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}

	const next = "new-master-key-in-the-data-dir"
	out := rotateCmd(t, f.env, next)
	if !strings.Contains(out, keyFile) || !strings.Contains(out, "APIKEYROUTER_NEW_ENCRYPTION_KEY") {
		t.Fatalf("the output does not say where the key in force is:\n%s", out)
	}
	if b, _ := os.ReadFile(keyFile); strings.TrimSpace(string(b)) != next {
		t.Fatalf("master.key holds %q after the rotation", b)
	}

	// A kill before the move.
	if err := os.Rename(keyFile, keyFile+".new"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, old, 0o600); err != nil {
		t.Fatal(err)
	}
	p = start(t, f.env...)
	if !strings.Contains(p.logs.String(), "finished an interrupted master key rotation") {
		t.Fatalf("the start did not say it finished the rotation:\n%s", p.logs)
	}
	servesWithStoredSecret(t, p, f, "sk-e2e-admin-added-7777")
	if b, _ := os.ReadFile(keyFile); strings.TrimSpace(string(b)) != next {
		t.Fatalf("master.key holds %q after the start, want the new key", b)
	}
	if _, err := os.Stat(keyFile + ".new"); !os.IsNotExist(err) {
		t.Fatalf("master.key.new left behind (stat: %v)", err)
	}
	t.Logf("figures: %s", strings.TrimSpace(out))
}

// TestRotateMasterKeyFromEnvSaysWhichKeyIsInForce: with the key in
// APIKEYROUTER_ENCRYPTION_KEY the operator holds both keys; the command
// says the new one is now in force and the old one no longer opens the
// store.
func TestRotateMasterKeyFromEnvSaysWhichKeyIsInForce(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ENCRYPTION_KEY=old-env-master-key")
	p := start(t, f.env...)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	out := rotateCmd(t, f.env, "new-env-master-key")
	for _, want := range []string{"key in force is now the new one", "APIKEYROUTER_NEW_ENCRYPTION_KEY", "old key no longer opens"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the output does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(f.dataDir, "master.key.new")); !os.IsNotExist(err) {
		t.Fatalf("a key from the environment was written to the data dir (stat: %v)", err)
	}
	t.Logf("figures: %s", strings.TrimSpace(out))
}
