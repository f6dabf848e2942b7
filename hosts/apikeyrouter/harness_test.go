package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

// bins holds the binaries the end-to-end tests run: apikeyrouter, its
// adapter plugin and the core module, built once by TestMain exactly as
// make build does.
var bins string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apikeyrouter-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins = dir
	for _, args := range [][]string{
		{"build", "-o", filepath.Join(dir, "apikeyrouter"), "."},
		{"build", "-o", filepath.Join(dir, "apikeyrouter-openai"), "../../plugins/openai/cmd/apikeyrouter-openai"},
	} {
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(args, " "), err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	if _, _, err := wasmbuild.Build(dir, "apikeyrouter-core.wasm"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logBuffer collects a process's stderr.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a running apikeyrouter.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *logBuffer
	done chan error
}

// start runs apikeyrouter serve with env on a free port and waits until it
// is ready (bounded: 60 s, the first start compiles the core).
func start(t *testing.T, env ...string) *proc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := &proc{t: t, url: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &logBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(filepath.Join(bins, "apikeyrouter"), "serve")
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), fmt.Sprintf("PROXY_PORT=%d", port)}, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-p.done:
			t.Fatalf("apikeyrouter exited (%v) before it was ready:\n%s", err, p.logs)
		default:
		}
		if resp, err := http.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("apikeyrouter not ready after 60s:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the process with SIGKILL, as a crash would.
func (p *proc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.done <- nil // later kills return at once
}

// stop asks the process to shut down (SIGTERM) and waits for it.
func (p *proc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(40 * time.Second):
		p.t.Fatalf("apikeyrouter did not stop within 40s:\n%s", p.logs)
		return nil
	}
}

// call makes an HTTP request to the proxy and returns the response with
// its body read.
func (p *proc) call(method, path, token, contentType string, body []byte) (*http.Response, string) {
	p.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, p.url+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// callWith is call with extra headers.
func (p *proc) callWith(method, path, token, contentType string, body []byte, headers map[string]string) (*http.Response, string) {
	p.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, p.url+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// waitFor polls cond every 20 ms until it holds, failing t after timeout:
// a bounded wait for a condition, never a timing assertion.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// adminGet reads an admin route into v.
func (p *proc) adminGet(path string, v any) {
	p.t.Helper()
	resp, body := p.call("GET", path, adminToken, "", nil)
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		p.t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}
