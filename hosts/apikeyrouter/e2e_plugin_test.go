package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3/option"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// children returns the pids of a process's children (each of its threads
// lists those it started).
func children(t *testing.T, pid int) []int {
	t.Helper()
	files, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	if err != nil || len(files) == 0 {
		t.Skipf("cannot list child processes: %v", err)
	}
	var out []int
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue // the thread ended
		}
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
	}
	return out
}

// TestPluginCrashFailsOver kills the adapter plugin while a request waits
// on it: the request fails over to another key through the restarted
// plugin instead of hanging, and the client never sees the crash.
func TestPluginCrashFailsOver(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin")
	f.mock.SetFault(secrets[0], mockupstream.Fault{Stall: mockupstream.BeforeHeaders, Times: 1})
	p := start(t, f.env...)
	plugins := children(t, p.cmd.Process.Pid)
	if len(plugins) != 1 {
		t.Fatalf("want one plugin subprocess, have %v", plugins)
	}
	done := make(chan error, 1)
	go func() {
		c := client(p)
		_, err := c.Chat.Completions.New(context.Background(), chatParams("through a crash"),
			objectiveOption("fairness"), option.WithRequestTimeout(60*time.Second))
		done <- err
	}()
	// Wait (bounded) until the first key's request is stalled upstream.
	for i := 0; f.mock.Requests(secrets[0]) == 0; i++ {
		if i > 2000 {
			t.Fatal("the request never reached the upstream")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := syscall.Kill(plugins[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the client saw the plugin crash: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the request hung after the plugin died")
	}
	if f.mock.Requests(secrets[1])+f.mock.Requests(secrets[2]) == 0 {
		t.Fatal("no other key was tried")
	}
	after := children(t, p.cmd.Process.Pid)
	if len(after) != 1 || after[0] == plugins[0] {
		t.Fatalf("the plugin was not restarted: before %v, after %v", plugins, after)
	}
}

// TestPluginCrashMidStream kills the adapter plugin while it relays a
// stream: the client's stream ends without [DONE] instead of hanging, the
// attempt settles, the plugin is restarted, and the next requests, streamed
// or not, are served.
func TestPluginCrashMidStream(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin")
	f.mock.SetFault(secrets[2], mockupstream.Fault{Stall: mockupstream.MidStream, Times: 1})
	p := start(t, f.env...)
	plugins := children(t, p.cmd.Process.Pid)
	if len(plugins) != 1 {
		t.Fatalf("want one plugin subprocess, have %v", plugins)
	}
	c := newLoadClient(p, 60*time.Second)
	defer c.close()
	resp, err := c.send(context.Background(), "/v1/chat/completions", chatRequest{text: words("crash", 8), stream: true}.body(),
		map[string]string{"x-apikeyrouter-objective": "cost"}) // mock-3, whose stream stalls
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatalf("first chunk: %v", err)
	}
	if err := syscall.Kill(plugins[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r) // bounded by the client's timeout
	if strings.Contains(string(rest), "[DONE]") {
		t.Fatalf("the stream ended as if complete after the plugin died: %q", rest)
	}
	waitFor(t, "the attempt to settle", 10*time.Second, func() bool { return p.openAttempts() == 0 })
	// The plugin's death is not the key's fault: the attempt is abandoned
	// (cancelled), not failed.
	if k := p.key("mock-3"); k.State != "active" || k.pool().State != "active" || k.pool().FailStreak != 0 {
		t.Errorf("mock-3 was blamed for its plugin's death mid-stream: %+v", k)
	}
	for i := range 4 {
		if x := c.chat(context.Background(), chatRequest{text: "after the crash", stream: i%2 == 0}); !x.ok() {
			t.Fatalf("request %d after the crash: %v", i, &x)
		}
	}
	after := children(t, p.cmd.Process.Pid)
	if len(after) != 1 || after[0] == plugins[0] {
		t.Fatalf("the plugin was not restarted: before %v, after %v", plugins, after)
	}
}

// TestPluginsExitWithTheProxy kills the proxy with SIGKILL, which gives it
// no chance to stop its plugins: they must exit on their own, not linger.
func TestPluginsExitWithTheProxy(t *testing.T) {
	f := newFleet(t, "APIKEYROUTER_ADAPTERS=plugin")
	p := start(t, f.env...)
	plugins := children(t, p.cmd.Process.Pid)
	if len(plugins) == 0 {
		t.Fatal("no plugin subprocess")
	}
	p.kill()
	for _, pid := range plugins {
		waitFor(t, fmt.Sprintf("plugin %d to exit", pid), 10*time.Second, func() bool {
			return exited(pid)
		})
	}
}

// exited reports whether a process is gone or a zombie (dead, not yet
// reaped by whoever adopted it).
func exited(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == syscall.ESRCH
	}
	_, after, _ := strings.Cut(string(stat), ") ") // the name may hold spaces
	return strings.HasPrefix(after, "Z") || strings.HasPrefix(after, "X")
}
