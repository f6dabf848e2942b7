package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeBuild builds testdata/fakeplugin once for the tests that use it.
var fakeBuild = sync.OnceValues(func() (string, error) {
	path := filepath.Join(bins, "fakeplugin")
	if out, err := exec.Command("go", "build", "-o", path, "./testdata/fakeplugin").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./testdata/fakeplugin: %v\n%s", err, out)
	}
	return path, nil
})

// fakePlugin is a copy of testdata/fakeplugin as the adapter "fake" in a
// plugin directory of its own, where its mode, message and spawn files are.
type fakePlugin struct {
	t    *testing.T
	dir  string
	path string
}

func newFakePlugin(t *testing.T) *fakePlugin {
	t.Helper()
	src, err := fakeBuild()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &fakePlugin{t: t, dir: dir, path: filepath.Join(dir, "apikeyrouter-fake")}
	if err := os.WriteFile(f.path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// set writes the plugin's .mode or .message file.
func (f *fakePlugin) set(ext, value string) {
	f.t.Helper()
	if err := os.WriteFile(f.path+"."+ext, []byte(value), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// spawns counts the plugin's starts.
func (f *fakePlugin) spawns() int {
	b, _ := os.ReadFile(f.path + ".spawns")
	return bytes.Count(b, []byte("\n"))
}

// start runs the proxy with one provider on the fake adapter and a key
// with secret on it.
func (f *fakePlugin) start(secret string, env ...string) *proc {
	f.t.Helper()
	cfg := fmt.Sprintf(`
providers:
  fake: {adapter: fake, discover: false, models: [fake-1]}
keys:
  - {id: fake-1, provider: fake, secret: %q}
`, secret)
	path := filepath.Join(f.dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return start(f.t, append([]string{"APIKEYROUTER_CONFIG=" + path, "APIKEYROUTER_DATA_DIR=" + filepath.Join(f.dir, "data"),
		"PROXY_API_KEY=" + proxyKey, "APIKEYROUTER_ADMIN_TOKEN=" + adminToken, "APIKEYROUTER_PLUGIN_DIR=" + f.dir}, env...)...)
}

// killPlugin kills the proxy's one plugin subprocess with SIGKILL.
func killPlugin(t *testing.T, p *proc) int {
	t.Helper()
	kids := children(t, p.cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("want one plugin subprocess, have %v", kids)
	}
	if err := syscall.Kill(kids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return kids[0]
}

// chatFake sends a chat for fake-1 and returns the status and how long it
// took; the client gives up after a minute.
func chatFake(t *testing.T, p *proc) (int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", p.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"fake-1","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+proxyKey)
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("chat: %v", err)
		return 0, time.Since(t0)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}

// logLines returns the JSON lines of p's log whose message is msg: the
// proxy's own ("msg") or a plugin's, relayed ("@message").
func logLines(p *proc, msg string) []map[string]any {
	var out []map[string]any
	for line := range strings.Lines(p.logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && (m["@message"] == msg || m["msg"] == msg) {
			out = append(out, m)
		}
	}
	return out
}

// TestPluginHangingAtRestart: a plugin that hangs when restarted (it never
// completes the handshake) holds no request beyond the request's own
// timeout — 5 concurrent requests each end at it, not at the start-up's
// 30 s — and is restarted once, not once per request. Stopping the proxy
// abandons the hanging start at once.
func TestPluginHangingAtRestart(t *testing.T) {
	f := newFakePlugin(t)
	p := f.start("sk-fake-hang-secret-0001", "APIKEYROUTER_REQUEST_TIMEOUT=2s")
	f.set("mode", "hang")
	killPlugin(t, p)

	type result struct {
		status int
		took   time.Duration
	}
	results := make(chan result, 5)
	for range 5 {
		go func() {
			status, took := chatFake(t, p)
			results <- result{status, took}
		}()
	}
	for range 5 {
		r := <-results
		if r.status < 500 {
			t.Errorf("a request through a hanging plugin answered %d, want a 5xx", r.status)
		}
		if r.took > 10*time.Second {
			t.Errorf("a request with a 2s timeout took %v: it waited for the plugin's start-up", r.took)
		}
	}
	waitFor(t, "the plugin's restart", 10*time.Second, func() bool { return f.spawns() >= 2 })
	if n := f.spawns(); n != 2 {
		t.Errorf("%d plugin starts, want 2: the first and one restart for all requests", n)
	}
	hung := children(t, p.cmd.Process.Pid)
	t0 := time.Now()
	if err := p.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if took := time.Since(t0); took > 10*time.Second {
		t.Errorf("stopping the proxy took %v: it waited for the hanging start", took)
	}
	for _, pid := range hung {
		if syscall.Kill(pid, 0) == nil && !zombie(pid) {
			t.Errorf("the hanging plugin %d outlived the proxy", pid)
		}
	}
}

// zombie reports whether pid has exited but not been reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // gone
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z")
}

// TestPluginCrashLoopBacksOff: a plugin that crashes at every start is
// restarted with a doubling backoff, during which requests fail at once
// instead of spawning it (each request used to spawn it up to 4 times); each
// failed start logs one error line quoting what the plugin printed on
// stderr and when the next try is; a fixed plugin is back after the
// backoff.
func TestPluginCrashLoopBacksOff(t *testing.T) {
	f := newFakePlugin(t)
	p := f.start("sk-fake-crash-secret-0001")
	const message = "fakeplugin: cannot start: FAKE_REGION is not set (e2e)"
	f.set("message", message)
	f.set("mode", "crash")
	killPlugin(t, p)

	// Requests for 2 s, one after another: each may start the plugin.
	t0 := time.Now()
	n := 0
	for ; time.Since(t0) < 2*time.Second; n++ {
		if status, _ := chatFake(t, p); status == http.StatusOK {
			t.Fatal("a plugin that cannot start answered")
		}
	}
	took := time.Since(t0)
	restarts := f.spawns() - 1
	// The k-th restart in a row comes 100 ms·(2^(k-1) − 1) after the first.
	bound := 2 + int(math.Log2(float64(took)/float64(restartBackoffMin)+1))
	t.Logf("%d requests in %v: %d restarts (at most %d)", n, took, restarts, bound)
	if restarts < 1 || restarts > bound {
		t.Errorf("%d restarts for %d requests in %v, want 1 to %d", restarts, n, took, bound)
	}

	// The plugin's fault is no key's, not even the call's that was in
	// flight when it was killed.
	if k := p.key("fake-1"); k.State != "active" || k.pool().State != "active" || k.pool().FailStreak != 0 {
		t.Errorf("the key was blamed for the plugin's crash loop: %+v", k)
	}
	waitFor(t, "an error line per failed start", 10*time.Second, func() bool {
		return len(logLines(p, "adapter plugin failed to start")) == f.spawns()-1
	})
	for _, m := range logLines(p, "adapter plugin failed to start") {
		if m["@level"] != "error" || !strings.Contains(fmt.Sprint(m["stderr"]), message) ||
			m["retry_at"] == nil || m["retry_in"] == nil {
			t.Errorf("failed start logged as %v, want an error with the plugin's stderr and the next try", m)
		}
	}

	f.set("mode", "ok")
	waitFor(t, "the fixed plugin to answer", time.Minute, func() bool {
		status, _ := chatFake(t, p)
		return status == http.StatusOK
	})
	if len(logLines(p, "adapter plugin restarted")) != 1 {
		t.Errorf("want one restart logged, log:\n%s", p.logs)
	}
}

// TestPluginLogIsRedacted: what a plugin logs or prints, its panic
// included, reaches the proxy's log with every secret it was handed
// replaced by [REDACTED], one an admin added and rotated at runtime too.
func TestPluginLogIsRedacted(t *testing.T) {
	secrets := []string{"sk-fake-config-secret-0001", "sk-fake-api-secret-0002", "sk-fake-rotated-secret-0003"}
	f := newFakePlugin(t)
	f.set("mode", "log-secret")
	p := f.start(secrets[0], "LOG_LEVEL=debug")
	if status, _ := chatFake(t, p); status != http.StatusOK {
		t.Fatalf("chat: %d\n%s", status, p.logs)
	}
	for _, c := range []struct{ path, body string }{
		{"/admin/v1/keys", `{"id":"fake-api","provider":"fake","secret":"` + secrets[1] + `"}`},
		{"/admin/v1/keys/fake-1/disable", ""},
		{"/admin/v1/keys/fake-api/rotate", `{"secret":"` + secrets[2] + `"}`},
	} {
		if resp, body := p.call("POST", c.path, adminToken, "application/json", []byte(c.body)); resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %d %s", c.path, resp.StatusCode, body)
		}
	}
	if status, _ := chatFake(t, p); status != http.StatusOK {
		t.Fatalf("chat with the rotated key: %d\n%s", status, p.logs)
	}
	f.set("mode", "panic")
	chatFake(t, p)

	defer func() {
		if t.Failed() {
			t.Log(p.logs)
		}
	}()
	waitFor(t, "the plugin's lines in the log", 20*time.Second, func() bool {
		logs := p.logs.String()
		return strings.Count(logs, `calling the provider with [REDACTED]`) == 2 &&
			strings.Count(logs, `"secret":"[REDACTED]"`) == 2 &&
			strings.Count(logs, `a raw line with [REDACTED]`) == 2 &&
			strings.Contains(logs, `panic: boom [REDACTED]`)
	})
	for _, s := range secrets {
		if strings.Contains(p.logs.String(), s) {
			t.Errorf("the log contains the secret %s:\n%s", s, p.logs)
		}
	}
}

// TestPluginFailingAtFirstStart: a plugin that cannot start stops the
// proxy's start with what the plugin printed on stderr, not only
// go-plugin's "Failed to read any lines from plugin's stdout".
func TestPluginFailingAtFirstStart(t *testing.T) {
	f := newFakePlugin(t)
	const message = "fakeplugin: cannot start: FAKE_REGION is not set (first start)"
	f.set("message", message)
	f.set("mode", "crash")
	cfg := filepath.Join(f.dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("providers:\n  fake: {adapter: fake, discover: false, models: [fake-1]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bins, "apikeyrouter"), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), fmt.Sprintf("PROXY_PORT=%d", port),
		"APIKEYROUTER_CONFIG=" + cfg, "APIKEYROUTER_DATA_DIR=" + filepath.Join(f.dir, "data"),
		"PROXY_API_KEY=" + proxyKey, "APIKEYROUTER_ADMIN_TOKEN=" + adminToken, "APIKEYROUTER_PLUGIN_DIR=" + f.dir}
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil || !strings.Contains(string(out), message) {
		t.Errorf("serve: %v, want it to fail with the plugin's message:\n%s", err, out)
	}
}
