package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// TestConfigSecretChangeRotatesWithGrace: a key the configuration defines
// cannot be rotated through the admin API (409: the configuration would
// undo it). Changing its secret there and restarting is its rotation, and
// it now is one: while the provider still refuses the new secret, calls
// go through with the old one, as after POST …/rotate, for an hour.
func TestConfigSecretChangeRotatesWithGrace(t *testing.T) {
	f := newFleet(t)
	p := start(t, f.env...)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	const rotated = "sk-e2e-rotated-99999999"
	f.editConfig(t, func(cfg string) string { return strings.Replace(cfg, secrets[0], rotated, 1) })
	f.mock.SetFault(rotated, mockupstream.Fault{Status: 401}) // not yet valid at the provider
	p = start(t, f.env...)
	for _, id := range []string{"mock-2", "mock-3"} { // only mock-1 serves
		if resp, body := p.call("POST", "/admin/v1/keys/"+id+"/disable", adminToken, "", nil); resp.StatusCode != 200 {
			t.Fatalf("disable %s: %d %s", id, resp.StatusCode, body)
		}
	}
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	if x := c.chat(context.Background(), chatRequest{text: "after the rotation"}); !x.ok() || x.key != "mock-1" {
		t.Fatalf("mock-1, its new secret refused, its old one in grace: %v", &x)
	}
	if f.mock.Requests(rotated) == 0 || f.mock.Requests(secrets[0]) == 0 {
		t.Errorf("the new secret was tried %d times, the old one %d: want both", f.mock.Requests(rotated), f.mock.Requests(secrets[0]))
	}
	if len(logLines(p, "key rotated: the configuration gives it a new secret; the old one is tried when the provider refuses the new")) != 1 {
		t.Errorf("no log line for the rotation:\n%s", p.logs)
	}
	if strings.Contains(p.logs.String(), rotated) || strings.Contains(p.logs.String(), secrets[0]) {
		t.Error("the log shows a secret")
	}
}
